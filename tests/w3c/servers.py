"""The three targets the conformance runner talks to, each a real server on loopback: the bare engine
(`oxigraph serve`, the engine the platform embeds: the baseline) and the platform (`pic serve`) on its
embedded and on its remote backend, in standard mode (`PIC_UNION_DEFAULT_GRAPH=false`: the default graph
is the store's own), on an empty store (no demo), with the admin token and one partner for the Web
Annotation checks.

A platform that cannot empty its store (it cannot remove blank nodes) is replaced by a fresh one, on a
new data folder (and a new engine for the remote backend), so that no test sees what another left.
"""

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import OxigraphServer, free_port, wait_until_up
from tests.w3c.targets import Target

ADMIN_TOKEN = "w3c-admin"
PARTNER = ("w3c-partner", "partner", "aula")
PIC = str(Path(sys.executable).with_name("pic"))


@contextmanager
def bare_engine(tmp: Path):
    server = OxigraphServer(tmp / "bare")
    target = Target("bare engine", f"{server.url}/query", f"{server.url}/update", f"{server.url}/store", {})
    try:
        yield target
    finally:
        target.close()
        server.stop()


class Platform:
    """`pic serve` on `backend` ("embedded" or "remote", the latter over an `oxigraph serve` of its own)."""

    def __init__(self, tmp: Path, backend: str):
        self.tmp, self.backend, self.starts = tmp, backend, 0
        self.process = self.engine = None
        self.target = Target(
            f"platform {backend}", "", "", "", {"Authorization": f"Bearer {ADMIN_TOKEN}"}, platform=True
        )
        self.target.restart = self.restart

    def start(self) -> None:
        self.starts += 1
        data = self.tmp / f"platform-{self.backend}-{self.starts}"
        data.mkdir(parents=True)
        env = {
            **os.environ,
            "PIC_DATA_DIR": str(data),
            "PIC_ADMIN_TOKEN": ADMIN_TOKEN,
            "PIC_DEMO": "false",
            "PIC_UNION_DEFAULT_GRAPH": "false",
            "PIC_QUERY_TIMEOUT": "10",
        }
        if self.backend == "remote":
            self.engine = OxigraphServer(data / "engine")
            env |= {
                "PIC_STORE": "remote",
                "PIC_SPARQL_QUERY_URL": f"{self.engine.url}/query",
                "PIC_SPARQL_UPDATE_URL": f"{self.engine.url}/update",
                "PIC_GRAPH_STORE_URL": f"{self.engine.url}/store",
            }
        name, role, org = PARTNER  # the partner who annotates
        subprocess.run(
            [PIC, "user", "add", name, "--role", role, "--org", org, "--password", "w3c-password"],
            env=env,
            check=True,
            capture_output=True,
        )
        self.target.partner_token = (
            subprocess.run([PIC, "user", "token", name], env=env, check=True, capture_output=True, text=True)
            .stdout.strip()
            .split()[-1]
        )
        url = f"http://127.0.0.1:{free_port()}"
        with open(data / "stderr.log", "w") as log:
            self.process = subprocess.Popen(
                [PIC, "serve", "--port", url.rsplit(":", 1)[1]], env=env, stdout=subprocess.DEVNULL, stderr=log
            )
        wait_until_up(f"{url}/health", self.process, seconds=90)
        t = self.target
        t.url, t.query_url, t.update_url, t.gsp_url = url, f"{url}/sparql", f"{url}/update", f"{url}/rdf-graphs"
        t.dirty, t.stuck, t.loaded, t.dataset = False, [], set(), ()

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(10)
        if self.engine:
            self.engine.stop()

    def restart(self) -> None:
        self.stop()
        self.start()


@contextmanager
def platform(tmp: Path, backend: str):
    server = Platform(tmp, backend)
    try:
        server.start()
        yield server.target
    finally:
        server.target.close()
        server.stop()
