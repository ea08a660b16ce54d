"""A wheel built from the repository works in a fresh virtual environment outside the repository: the
CLI loads the demo, and `pic serve` from that install answers a page, a query, a map and a report."""

import os
import subprocess
import sys
import venv
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port, wait_until_up

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_wheel_installs_and_runs_outside_the_repository(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)],
        check=True,
        capture_output=True,
    )
    [wheel] = dist.glob("pic_euralens-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # --no-compile: byte-compiling the 380 MB of dependencies took a third of the install and tests nothing
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-compile", str(wheel)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    pic = env_dir / "bin" / "pic"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {"PIC_DATA_DIR": str(outside / "data"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}

    def run(*args):
        result = subprocess.run([str(pic), *args], cwd=outside, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "load" in run("--help")
    assert "Loaded" in run("init", "--demo")
    assert "150" in run("stats")
    # the modules come from the installed wheel, not from the repository
    where = subprocess.run(
        [str(python), "-c", "import pic.graph; print(pic.graph.__file__)"],
        cwd=outside,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(env_dir) in where and str(REPO) not in where
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")  # says why, if the server does not come up
    server = subprocess.Popen(
        [str(pic), "serve", "--port", str(port)],
        cwd=outside,
        env={**env, "PATH": f"{env_dir / 'bin'}:{os.environ['PATH']}"},
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/health", server, seconds=120)
        for path, expected in (
            ("/", "PIC"),
            ("/id/actor/louvre-lens", "Louvre"),
            ("/maps/cooperation", "vis-network"),
            ("/reports", ""),
        ):
            r = httpx.get(url + path, timeout=120, headers={"Accept": "text/html"})
            assert r.status_code == 200 and expected in r.text, (path, r.status_code, r.text[:300])
        r = httpx.get(
            f"{url}/sparql",
            params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        assert r.status_code == 200 and int(r.json()["results"]["bindings"][0]["n"]["value"]) > 1000, r.text
        note = httpx.get(f"{url}/annotations/demo-1", headers={"Accept": "text/turtle"}, timeout=60)
        assert note.status_code == 200 and "oa:Annotation" in note.text, note.text[:300]  # the W3C context ships
        missing = httpx.get(f"{url}/annotations/nothing-here", headers={"Accept-Language": "fr"}, timeout=60)
        assert "aucune annotation" in missing.text, missing.text  # the graph layer's French catalogue ships
        years = httpx.get(f"{url}/reports", headers={"Accept": "application/json"}, timeout=60)
        report = httpx.get(f"{url}/reports/2024", timeout=300, headers={"Accept": "text/html"})
        assert report.status_code == 200, (years.text[:300], report.text[:300])
    finally:
        server.terminate()
        server.wait(30)
        log.close()
