"""Fixtures: real on-disk pyoxigraph stores and a real Oxigraph server process on 127.0.0.1.

Graph tests take the `store` fixture, which runs each test once per backend.
"""

import atexit
import contextlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from pic.graph.engine.local import engine_binary
from pic.graph.installation.bootstrap import initialise
from pic.graph.names import Names
from pic.graph.store.embedded import EmbeddedStore
from pic.graph.store.remote import RemoteStore
from pic.graph.writes.path import Writer

BACKENDS = ("embedded", "remote")
# The in-process TestClient sends `Host: testserver`: a name the tests' platform answers to, besides the
# local names of the default (service/allowed_hosts.py); `pic serve` processes inherit it.
os.environ["PIC_ALLOWED_HOSTS"] = "127.0.0.1,localhost,[::1],testserver"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in {seconds} s")


def oxigraph_binary() -> str:
    found = engine_binary()
    assert Path(found).exists(), "the oxigraph server (PyPI package `oxigraph`) is not installed"
    return found


class OxigraphServer:
    """`oxigraph serve` on loopback, like a deployment's remote engine."""

    def __init__(self, location: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until_up(self.url, self.process)

    def store(self) -> RemoteStore:
        return RemoteStore(f"{self.url}/query", f"{self.url}/update", f"{self.url}/store")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"))
    yield server
    server.stop()


def make_store(backend: str, tmp_path: Path, server: OxigraphServer | None):
    if backend == "embedded":
        return EmbeddedStore(tmp_path / "data")
    store = server.store()
    store.update("DROP ALL")
    return store


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    server = request.getfixturevalue("oxigraph_server") if request.param == "remote" else None
    s = make_store(request.param, tmp_path, server)
    yield s
    s.close()


@pytest.fixture
def names() -> Names:
    return Names()


@pytest.fixture
def writer(store, tmp_path, names) -> Writer:
    return Writer(store, names, tmp_path / "history")


@pytest.fixture
def base_writer(writer) -> Writer:
    """A store with the ontology and the territories, without the demo."""
    initialise(writer, demo=False)
    return writer


@pytest.fixture(scope="module", params=BACKENDS)
def demo_writer(request, tmp_path_factory):
    """A store with the whole demo, shared by the read-only tests of a module (one per backend)."""
    tmp = tmp_path_factory.mktemp(f"demo-{request.param}")
    if request.param == "remote":
        server = OxigraphServer(tmp / "oxigraph")
        store = server.store()
    else:
        server, store = None, EmbeddedStore(tmp / "data")
    w = Writer(store, Names(), tmp / "history")
    initialise(w, demo=True)
    yield w
    store.close()
    if server:
        server.stop()


DATA_SHAPING = {"base_iri", "store", "demo", "sparql_query_url", "sparql_update_url", "graph_store_url"}
TEMPLATE: list[Path] = []  # this worker's demo data folder, as a first start wrote it


def seed_demo(data_dir: Path) -> None:
    """Give a new data folder the demo as a first start writes it, copied from one this worker made once.
    Each start wrote it again (5.3 s; copied, 0.7 s) and about seventy tests start a service on the demo.
    An existing folder, or one for other settings (`DATA_SHAPING`), is left to the service."""
    if data_dir.exists() and any(data_dir.iterdir()):
        return
    if not TEMPLATE:
        from fastapi.testclient import TestClient

        from pic.graph.settings import Settings
        from pic.service.app import create_app

        folder = Path(tempfile.mkdtemp(prefix="pic-demo-"))
        atexit.register(shutil.rmtree, folder, True)
        with TestClient(create_app(Settings(data_dir=folder / "data", wait_for_copies=True))):
            pass
        TEMPLATE.append(folder / "data")
    shutil.copytree(TEMPLATE[0], data_dir, ignore=shutil.ignore_patterns("accounts.sqlite*"), dirs_exist_ok=True)


LIGHT = "ASK { <https://w3id.org/pic-euralens/id/territory/commune/62498> ?p ?o }"


LIVE_DATA: dict[str, Path] = {}  # the live server's data folder, by URL (for tests that add accounts)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """A real `pic serve` process on the demo: 2 s query limit, 50 rows, admin token `t`."""
    port = free_port()
    data_dir = tmp_path_factory.mktemp("limits") / "data"
    LIVE_DATA[f"http://127.0.0.1:{port}"] = data_dir
    seed_demo(data_dir)
    env = {
        **os.environ,
        "PIC_DATA_DIR": str(data_dir),
        "PIC_QUERY_TIMEOUT": "2",
        "PIC_MAX_ROWS": "50",
        "PIC_ADMIN_TOKEN": "t",
        "PIC_WAIT_FOR_COPIES": "true",
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("pic")), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/health", process, seconds=90)
        httpx.get(f"{url}/sparql", params={"query": LIGHT}, timeout=30)  # replicas loaded
        yield url
    finally:
        process.terminate()
        process.wait(10)


PARTNERS = [("alice", "partner", "aula"), ("bruno", "partner", "cd62"), ("fanny", "facilitator", "euralens")]


@contextmanager
def app_client(data_dir: Path, users=PARTNERS, **settings):
    """The app in-process on a fresh demo, with users (name, role, org; password `{name}-password`);
    yields a TestClient whose `tokens` maps each name to an API token."""
    from fastapi.testclient import TestClient

    from pic.graph.settings import Settings
    from pic.service.app import create_app

    if not DATA_SHAPING & settings.keys():
        seed_demo(data_dir)
    # up once the engines' copies are loaded (tests of answering while they load: test_copies_loading.py)
    application = create_app(Settings(data_dir=data_dir, **{"wait_for_copies": True, **settings}))
    with TestClient(application) as client:
        accounts = application.state.accounts
        for name, role, org in users:
            accounts.add(name, role, org, f"{name}-password")
        client.tokens = {name: accounts.new_token(name, "tests") for name, _, _ in users}
        yield client


def signed_in(app, name: str):
    """A browser of `name`'s, signed in, with its session's CSRF token as `csrf`."""
    from fastapi.testclient import TestClient

    c = TestClient(app.app)
    csrf = c.get("/login").text.split('name="csrf" value="')[1].split('"')[0]
    r = c.post("/login", data={"name": name, "password": f"{name}-password", "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303, r.text
    c.csrf = c.get("/contribute/study").text.split('name="csrf" value="')[1].split('"')[0]
    return c


def bearer(client, name: str) -> dict:
    return {"Authorization": f"Bearer {client.tokens[name]}"}


@contextmanager
def pic_server(data_dir: Path, users: list[tuple[str, str, str]], log: Path | None = None):
    """A `pic serve` of its own on a fresh demo, with users (name, role, org) whose password is
    `{name}-password`; yields (url, {name: API token}). Admin token `t`. `log`: where its standard error
    (its tracebacks) goes."""
    pic = str(Path(sys.executable).with_name("pic"))
    seed_demo(data_dir)
    env = {**os.environ, "PIC_DATA_DIR": str(data_dir), "PIC_ADMIN_TOKEN": "t", "PIC_WAIT_FOR_COPIES": "true"}
    tokens = {}
    for name, role, org in users:
        subprocess.run(
            [pic, "user", "add", name, "--role", role, "--org", org, "--password", f"{name}-password"],
            env=env,
            check=True,
            capture_output=True,
        )
        tokens[name] = (
            subprocess.run([pic, "user", "token", name], env=env, check=True, capture_output=True, text=True)
            .stdout.strip()
            .split()[-1]
        )
    port = free_port()
    with open(log, "w") if log else contextlib.nullcontext(subprocess.DEVNULL) as stderr:
        process = subprocess.Popen(
            [pic, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=stderr
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/health", process, seconds=90)
        yield url, tokens
    finally:
        process.terminate()
        process.wait(10)


def snapshot(store) -> set[str]:
    """Every quad of the store as text, to check that a failed write changed nothing."""
    return {str(q) for q in store.quads()}


def word_file(text: str) -> bytes:
    """A one-paragraph DOCX, as a study's document."""
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pytest_terminal_summary(terminalreporter):
    """The W3C suites' counts (tests/test_w3c_conformance.py records them as properties: a worker's
    prints never reach the terminal), platform and bare engine side by side."""
    lines = [
        value
        for reports in terminalreporter.stats.values()
        for r in reports
        for name, value in getattr(r, "user_properties", ())
        if name == "w3c"
    ]
    if lines:
        terminalreporter.section("W3C conformance")
        for line in dict.fromkeys(lines):
            terminalreporter.write_line(line)


def pytest_collection_modifyitems(items):
    """The slow modules (`@pytest.mark.slow`: minutes each) first. `make test` hands whole files to two
    workers in this order (`--dist loadfile --no-loadscope-reorder`); xdist's own order, most tests
    first, put these few-test files last, and one worker ran them alone for minutes at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


ANNOTATION_MEDIA = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def comment(client, headers: dict, target: str, text: str):
    """A public comment on `target` through the annotation protocol; the response."""
    note = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "motivation": "commenting",
        "body": {"type": "TextualBody", "value": text, "language": "fr"},
        "target": target,
    }
    return client.post("/annotations/", content=json.dumps(note), headers={**headers, "Content-Type": ANNOTATION_MEDIA})
