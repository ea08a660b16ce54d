"""A full disk (issue 17): a committed write is acknowledged as committed, a write the disk stops is a 507
with nothing half-written, what follows a commit (the search index) is repaired, the service recovers by
itself once space is freed — no restart —, `/health` says what is wrong meanwhile, and it stops cleanly.

Before: writes acknowledged as 500 were committed (the search index failed after the commit), every write
failed after space was freed until a restart, and the graceful stop failed. The disk is a small tmpfs each
test mounts (root, as in CI); the tests are skipped, saying why, only where mounting is refused.
"""

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from pyoxigraph import Store

from pic.service.accounts import Accounts
from tests.conftest import app_client, free_port, wait_until_up
from tests.test_kill_fault import engines_loaded

ADMIN = {"Authorization": "Bearer t"}
PIC = str(Path(sys.executable).with_name("pic"))
ID = "https://w3id.org/pic-euralens/id/"
STUDIES = """SELECT ?s WHERE { ?s a <https://w3id.org/pic-euralens/ontology#Study>
  FILTER (STRSTARTS(STR(?s), "https://w3id.org/pic-euralens/id/study/disque-")) }"""
DELTAS = "SELECT ?f WHERE { GRAPH ?g { ?c <https://w3id.org/pic-euralens/ontology#deltaFile> ?f } }"
ACTIVITIES = "SELECT (COUNT(?c) AS ?n) WHERE { GRAPH ?g { ?c a <http://www.w3.org/ns/prov#Activity> } }"


def mount(disk: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(disk)], capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def mountable(tmp_path_factory) -> None:
    """Skip the module, saying why, where a tmpfs cannot be mounted (not root); before any demo is loaded."""
    disk = tmp_path_factory.mktemp("mountable")
    mounted = mount(disk)
    if mounted.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here ({mounted.stderr.strip() or mounted.returncode}): the full-disk "
            "tests need root, as in CI"
        )
    subprocess.run(["umount", str(disk)], check=True)


@pytest.fixture(scope="module")
def demo(mountable, tmp_path_factory) -> Path:
    """A data directory with the demo and the partner alice, copied onto each test's disk (loading the demo
    there each time would double the tests' time)."""
    data = tmp_path_factory.mktemp("full-disk") / "data"
    env = {**os.environ, "PIC_DATA_DIR": str(data)}
    subprocess.run([PIC, "init", "--demo"], env=env, check=True, capture_output=True)
    Accounts(data / "accounts.sqlite").add("alice", "partner", "aula", "alice-password")
    return data


def copied(demo: Path, disk: Path) -> tuple[Path, str]:
    """The demo's data directory on `disk`, and a new API token of alice's."""
    data = Path(shutil.copytree(demo, disk / "data"))
    return data, Accounts(data / "accounts.sqlite").new_token("alice", "tests")


@contextmanager
def serving(data: Path, log: Path, **settings: str):
    """`pic serve` on `data`, its standard error in `log`; stopped by SIGTERM, as an operator does."""
    port = free_port()
    env = {
        **os.environ,
        "PIC_DATA_DIR": str(data),
        "PIC_ADMIN_TOKEN": "t",
        **{f"PIC_{k.upper()}": v for k, v in settings.items()},
    }
    with log.open("w") as err:
        process = subprocess.Popen([PIC, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=err)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/health", process, seconds=90)
        engines_loaded(url)  # before the disk fills: the query copies load after the server answers
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


@pytest.fixture
def small_disk(mountable, tmp_path):
    """A 64 MB tmpfs, unmounted afterwards."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = mount(disk)
    assert mounted.returncode == 0, mounted.stderr
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def fill(disk: Path, leave: int = 0) -> None:
    """Take all the free space of `disk` but `leave` bytes (the server writes meanwhile: try again)."""
    for _ in range(20):
        size = (free(disk) - leave) // 4096 * 4096
        if size <= 0:
            return
        with (disk / f"filler-{time.monotonic_ns()}").open("wb") as f:
            try:
                os.posix_fallocate(f.fileno(), 0, size)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise


def free(disk: Path) -> int:
    stats = os.statvfs(disk)
    return stats.f_bavail * stats.f_frsize


def unfill(disk: Path) -> None:
    for filler in disk.glob("filler-*"):
        filler.unlink()


def history_files(data: Path) -> set[str]:
    return {f"history/{p.name}" for p in (data / "history").iterdir()}


def one_line(stderr: str) -> str:
    """The one line a CLI error is (the progress bar leaves an empty line before it)."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def study(i: int) -> dict:
    return {"id": f"disque-{i}", "title_fr": f"Disque plein motdisque{i}", "status": "planned", "year": "2027"}


def test_a_filling_disk_acknowledges_what_is_committed_and_the_service_recovers_by_itself(demo, small_disk, tmp_path):
    """No check before the write (PIC_MIN_FREE_BYTES=0): the disk fills under the writes themselves."""
    (data, token), log = copied(demo, small_disk), tmp_path / "serve.log"
    with serving(data, log, min_free_bytes="0", low_disk_bytes="1000000") as url:
        alice = {"Authorization": f"Bearer {token}"}

        def save(i: int) -> httpx.Response:
            return httpx.post(f"{url}/api/contribute/study", json=study(i), headers=alice, timeout=60)

        assert save(0).status_code == 201
        fill(small_disk, leave=100_000)
        answers: dict[int, httpx.Response] = {}
        least = free(small_disk)
        for i in range(1, 150):
            least = min(least, free(small_disk))
            fill(small_disk, leave=least)  # what RocksDB frees (its log is preallocated) is taken back: the disk fills
            answers[i] = save(i)
            if [r.status_code for r in list(answers.values())[-3:]] == [507] * 3:
                break
        statuses = {i: r.status_code for i, r in answers.items()}
        assert set(statuses.values()) <= {201, 507}, {i: (r.status_code, r.text) for i, r in answers.items()}
        assert 507 in statuses.values(), statuses
        refused = [r for r in answers.values() if r.status_code == 507]
        assert all("disk is full" in r.json()["error"]["message"] and "\n" not in r.text for r in refused)

        down = httpx.get(f"{url}/health", headers=ADMIN, timeout=30)
        assert down.status_code == 503, down.text
        failing = {name: part for name, part in down.json()["checks"].items() if part["status"] != "ok"}
        assert failing["disk"]["free_bytes"] < 1_000_000, failing
        assert all(part.get("error") for part in failing.values()), f"each failing part says why: {failing}"

        unfill(small_disk)  # no write from here on: the service repairs itself
        deadline = time.monotonic() + 60  # seconds: a failed load of the query copies is retried after 30
        while (health := httpx.get(f"{url}/health", headers=ADMIN, timeout=30)).status_code != 200:
            assert time.monotonic() < deadline, f"not repaired 60 s after space was freed: {health.text}"
            time.sleep(0.5)

        acknowledged = {0, 200} | {i for i, s in statuses.items() if s == 201}
        assert save(200).status_code == 201, "writes resume without a restart"
        for i in acknowledged:
            hits = httpx.get(f"{url}/api/search", params={"q": f"motdisque{i}"}, headers=ADMIN, timeout=30).json()
            assert f"{ID}study/disque-{i}" in [h["iri"] for h in hits["hits"]], f"study {i} is not found"

        fill(small_disk)  # full again, as the service stops
        assert save(201).status_code == 507
    unfill(small_disk)
    stopped = log.read_text()
    assert "Application shutdown complete" in stopped and "shutdown failed" not in stopped, stopped[-3000:]
    assert "Exception in ASGI application" not in stopped, stopped[-3000:]
    store = Store.read_only(str(data / "store"))  # as the stopped service left it
    studies = {row["s"].value for row in store.query(STUDIES, use_default_graph_as_union=True)}
    assert studies == {f"{ID}study/disque-{i}" for i in acknowledged}, "committed ⇔ acknowledged"
    named = {row["f"].value for row in store.query(DELTAS)}
    assert history_files(data) == named, "no delta file of a write that was refused"


def test_below_the_free_space_setting_writes_are_refused_before_anything_is_written(demo, small_disk):
    data, token = copied(demo, small_disk)
    with app_client(data, users=[], min_free_bytes=16 << 20, low_disk_bytes=1 << 20, admin_token="t") as client:
        alice = {"Authorization": f"Bearer {token}"}
        store = client.app.state.writer.store
        before = (history_files(data), next(iter(store.query(ACTIVITIES)))["n"].value)
        fill(small_disk, leave=8 << 20)
        r = client.post("/api/contribute/study", json=study(1), headers=alice)
        assert r.status_code == 507 and "PIC_MIN_FREE_BYTES" in r.json()["error"]["message"], r.text
        r = client.post(
            "/rdf-graphs",
            params={"graph": f"{ID}graph/partner/aula"},
            headers={**alice, "Content-Type": "application/n-triples"},
            content=b"<urn:a> <urn:b> <urn:c> .",
        )
        assert r.status_code == 507, r.text
        assert (history_files(data), next(iter(store.query(ACTIVITIES)))["n"].value) == before
        health = client.get("/health", headers=ADMIN).json()
        assert health["status"] == "degraded" and "PIC_MIN_FREE_BYTES" in health["checks"]["disk"]["error"], health
        assert health["checks"]["store"]["status"] == "ok", "nothing reached the store"
        unfill(small_disk)
        r = client.post("/api/contribute/study", json=study(1), headers=alice)
        assert r.status_code == 201, r.text
        assert client.get("/health").json() == {"status": "ok"}


def test_pic_load_on_a_full_disk_is_one_line_and_changes_nothing(small_disk, tmp_path):
    data = small_disk / "data"
    env = {**os.environ, "PIC_DATA_DIR": str(data), "PIC_MIN_FREE_BYTES": "0"}
    graph = f"{ID}graph/partner/aula"
    seed, big = tmp_path / "seed.nt", tmp_path / "big.nt"
    seed.write_text('<urn:x:seed> <urn:x:p> "graine" .\n')
    big.write_text("".join(f'<urn:x:s{i}> <urn:x:p> "valeur {i} {"x" * 60}" .\n' for i in range(8_000)))

    def pic(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([PIC, *args], env=env, capture_output=True, text=True, timeout=120)

    assert pic("load", str(seed), "--graph", graph).returncode == 0
    kept = history_files(data)
    for args in (["--graph", graph], ["--graph", graph, "--no-validate"]):  # the write path, the bulk loader
        fill(small_disk, leave=400_000)  # room to open the store, not to write the file
        r = pic("load", str(big), *args)
        assert r.returncode == 1 and one_line(r.stderr).startswith("Error: "), r.stderr
        assert "disk is full" in r.stderr and "nothing was written" in r.stderr, r.stderr
        unfill(small_disk)
    assert history_files(data) == kept, "no delta or copy of a load that did not happen"
    count = pic("query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <urn:x:p> ?o } }", "-f", "csv")
    assert count.stdout.split()[1:] == ["1"], count.stdout + count.stderr
    assert pic("load", str(big), "--graph", graph).returncode == 0
