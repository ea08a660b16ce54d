"""`kill -9` of `pic serve` while partners write, several times (issue 17): after each restart every write
that was acknowledged (2xx) is in the store, with its PROV activity and its delta file in the history, and
search finds it; the store, the provenance and the history agree (a start removes the delta of a change
the store does not have, which a kill between the delta and the transaction leaves); and no process of
the killed server (its query engines above all, which hold every graph on an open port) outlives it, or
holds its data directory.

Two partners' clients write at once — study saves through the contributions API and Graph Store POSTs —
so a kill lands while a write is in flight. Bounded: four kills, 0.6 to 1.5 s of writing each.
"""

import gzip
import hashlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from pyoxigraph import Store

from pic.service.accounts import Accounts
from tests.conftest import free_port, wait_until_up
from tests.test_engine_lifetime import alive, descendants, is_engine

KILLS = 4
WRITING = (0.6, 1.5)  # seconds of writing before each kill (seeded)
PIC = str(Path(sys.executable).with_name("pic"))
ID = "https://w3id.org/pic-euralens/id/"
ADMIN = {"Authorization": "Bearer t"}
PREFIXES = """PREFIX pic: <https://w3id.org/pic-euralens/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
STUDIES = (
    PREFIXES
    + f"""SELECT ?s WHERE {{ GRAPH ?g {{ ?s a pic:Study }}
  FILTER STRSTARTS(STR(?s), "{ID}study/kill-") }}"""
)
TOUCHED = (
    PREFIXES
    + f"""SELECT ?c ?s WHERE {{ GRAPH ?g {{ ?c a prov:Activity ; pic:touched ?s }}
  FILTER STRSTARTS(STR(?s), "{ID}study/kill-") }}"""
)
DELTAS = PREFIXES + "SELECT ?c ?f ?sum WHERE { GRAPH ?g { ?c pic:deltaFile ?f ; pic:deltaChecksum ?sum } }"


def turtle(key: str) -> bytes:
    return (
        f"@prefix pic: <https://w3id.org/pic-euralens/ontology#> .\n<{ID}study/{key}> a pic:Study ;\n"
        f'  <http://www.w3.org/2000/01/rdf-schema#label> "Étude tuée {key.replace("-", "")}"@fr ;\n'
        f'  <http://purl.org/dc/terms/title> "Étude tuée {key.replace("-", "")}"@fr ;\n'
        f"  pic:studyStatus <{ID}study-status/planned> ;\n"
        f'  pic:expectedYear "2027"^^<http://www.w3.org/2001/XMLSchema#gYear> .\n'
    ).encode()


class Writers:
    """Two clients writing new studies until stopped; `acknowledged` holds the keys answered 2xx."""

    def __init__(self, url: str, tokens: dict[str, str], round_: int):
        self.url, self.tokens, self.round = url, tokens, round_
        self.acknowledged: set[str] = set()
        self.refused: list[str] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._contribute), threading.Thread(target=self._graph_store)]

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *_):
        self.stop.set()
        for t in self.threads:
            t.join(60)

    def _loop(self, send) -> None:
        with httpx.Client(timeout=30) as client:
            n = 0
            while not self.stop.is_set():
                key = f"kill-{self.round}-{send.__name__.strip('_')}-{n}"
                n += 1
                try:
                    r = send(client, key)
                except httpx.HTTPError:  # killed under the request: not acknowledged
                    continue
                if 200 <= r.status_code < 300:
                    self.acknowledged.add(key)
                else:
                    self.refused.append(f"{key}: {r.status_code} {r.text[:300]}")

    def _contribute(self) -> None:
        def contribute(client, key):
            return client.post(
                f"{self.url}/api/contribute/study",
                headers=self._as("alice"),
                json={"id": key, "title_fr": f"Étude tuée {key.replace('-', '')}", "status": "planned", "year": "2027"},
            )

        self._loop(contribute)

    def _graph_store(self) -> None:
        def graph_store(client, key):
            return client.post(
                f"{self.url}/rdf-graphs",
                params={"graph": f"{ID}graph/partner/aula"},
                content=turtle(key),
                headers={**self._as("amina"), "Content-Type": "text/turtle"},
            )

        self._loop(graph_store)

    def _as(self, name: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[name]}"}


def start(data: Path) -> tuple[subprocess.Popen, str]:
    """`pic serve` on `data`; its standard error goes to `serve.log` beside `data`, which a failure shows."""
    port = free_port()
    env = {**os.environ, "PIC_DATA_DIR": str(data), "PIC_ADMIN_TOKEN": "t"}
    with (data.parent / "serve.log").open("a") as log:
        process = subprocess.Popen([PIC, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/health", process, seconds=90)
        engines_loaded(url)
    except BaseException:
        process.kill()
        process.wait(10)
        raise
    return process, url


def engines_loaded(url: str) -> None:
    """Wait for the query engines: their copies of the store load once the server answers."""
    deadline = time.monotonic() + 60
    while True:
        engines = httpx.get(f"{url}/health", headers=ADMIN, timeout=30).json()["checks"]["engines"]
        if engines["status"] == "ok":
            return
        assert time.monotonic() < deadline, engines
        time.sleep(0.2)


def holding(data: Path) -> list[str]:
    """Processes other than this one with a file or their working directory in `data`."""
    found, inside = [], str(data.resolve())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            links = [os.readlink(entry / "cwd"), *(os.readlink(fd) for fd in (entry / "fd").iterdir())]
        except OSError:
            continue
        if any(link.startswith(inside) for link in links):
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")[:200]
            found.append(f"{entry.name}: {command!r}")
    return found


def rows(data: Path, query: str) -> list[dict]:
    """Asked of the store itself, read-only: as the killed server left it, or beside a running one (no lock;
    tried again if the server's compaction removes a file as it opens)."""
    for attempt in range(5):
        try:
            solutions = Store.read_only(str(data / "store")).query(query, use_default_graph_as_union=True)
            return [{v.value: row[v].value for v in solutions.variables} for row in solutions]
        except (OSError, RuntimeError):
            if attempt == 4:
                raise
            time.sleep(0.5)


def check_store(data: Path, acknowledged: set[str]) -> None:
    """After a kill: every acknowledged write is in the store, with its activity and its delta file; the
    store and the provenance agree on the studies written."""
    stored = {r["s"].removeprefix(f"{ID}study/") for r in rows(data, STUDIES)}
    assert acknowledged <= stored, f"acknowledged but lost: {sorted(acknowledged - stored)}"
    touched = {}
    for r in rows(data, TOUCHED):
        touched.setdefault(r["s"].removeprefix(f"{ID}study/"), set()).add(r["c"])
    assert set(touched) == stored, f"store and provenance disagree: {sorted(set(touched) ^ stored)}"
    deltas = rows(data, DELTAS)
    changes = {c for cs in touched.values() for c in cs}
    for r in deltas:
        path = data / r["f"]
        assert path.is_file(), f"{r['c']} names a missing delta {r['f']}"
        if r["c"] in changes:  # ours: additions only, one delta file each
            assert "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest() == r["sum"], r
            assert gzip.decompress(path.read_bytes()), r
    assert changes <= {r["c"] for r in deltas}, "an acknowledged change without its delta file"


def check_history(data: Path) -> None:
    """After a start: the history holds the deltas of the store's changes, and only those."""
    named = {r["f"] for r in rows(data, DELTAS)}
    recorded = {f"history/{p.name}" for p in (data / "history").iterdir() if p.is_file()}
    assert recorded == named, f"deltas of no change: {sorted(recorded - named)}; missing: {sorted(named - recorded)}"


HALF_AN_UPDATE = """import os, signal, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA cache_size = 1")  # changed pages go to the file before the commit, the old ones to the journal
db.execute("BEGIN")
db.execute("DELETE FROM entity")
os.kill(os.getpid(), signal.SIGKILL)
"""


def leave_a_search_update_half_done(data: Path) -> None:
    """What a kill in the middle of a search index update leaves (the kills above hit it now and then): the
    index half written and its rollback journal, which SQLite plays back into whatever file is at that path
    when it is next opened."""
    subprocess.run([sys.executable, "-c", HALF_AN_UPDATE, str(data / "search.sqlite")], capture_output=True)
    assert (data / "search.sqlite-journal").exists()


def leave_a_delta_of_no_change(data: Path, round_: int) -> None:
    """What a kill between a write's delta file and its transaction leaves (a window of milliseconds that
    the kills above hit only now and then): a delta that no activity names."""
    orphan = data / "history" / f"20260101T00000{round_}-0rphan0{round_}.added.nq.gz"
    orphan.write_bytes(gzip.compress(f'<{ID}study/kill-never> <urn:x:p> "never committed" <urn:x:g> .\n'.encode()))


def log_tail(data: Path) -> str:
    time.sleep(1)  # the server logs a 500's traceback after answering
    return (data.parent / "serve.log").read_text()[-3000:]


def check_search(url: str, data: Path, acknowledged: set[str]) -> None:
    for key in sorted(acknowledged):
        r = httpx.get(f"{url}/api/search", params={"q": f"tuée {key.replace('-', '')}"}, headers=ADMIN, timeout=30)
        assert r.status_code == 200, log_tail(data)
        assert f"{ID}study/{key}" in [h["iri"] for h in r.json()["hits"]], f"search does not find {key}"


def test_acknowledged_writes_survive_sigkill_and_no_process_outlives_the_server(tmp_path):
    data = tmp_path / "data"
    subprocess.run(
        [PIC, "init", "--demo"], env={**os.environ, "PIC_DATA_DIR": str(data)}, check=True, capture_output=True
    )
    accounts = Accounts(data / "accounts.sqlite")
    tokens = {}
    for name in ("alice", "amina"):  # two partners of one organisation
        accounts.add(name, "partner", "aula", f"{name}-password")
        tokens[name] = accounts.new_token(name, "tests")
    chance, acknowledged, searched, refused = random.Random(17), set(), set(), []
    for round_ in range(KILLS):
        process, url = start(data)
        try:
            check_history(data)
            check_search(url, data, acknowledged - searched)  # the last round's; all of them at the end
            searched |= acknowledged
            with Writers(url, tokens, round_) as writers:
                time.sleep(chance.uniform(*WRITING))
                everything = descendants(process.pid)
                started = time.monotonic() + 60  # a loaded machine starts the engines' copies late
                while not [p for p in everything if is_engine(p)] and time.monotonic() < started:
                    time.sleep(0.2)
                    everything = descendants(process.pid)
                assert [p for p in everything if is_engine(p)], "no query engine under the service"
                process.send_signal(signal.SIGKILL)
                process.wait(10)
            acknowledged |= writers.acknowledged
            refused += writers.refused
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (any(alive(p) for p in everything) or holding(data)):
            time.sleep(0.1)
        assert not [p for p in everything if alive(p)], f"round {round_}: processes outlived their server"
        assert not holding(data), f"round {round_}: {holding(data)}"
        check_store(data, acknowledged)
        leave_a_delta_of_no_change(data, round_)
        leave_a_search_update_half_done(data)
    assert not refused, refused
    assert len(acknowledged) >= 2 * KILLS, f"too few writes to tell anything: {len(acknowledged)}"
    process, url = start(data)
    try:
        check_history(data)
        check_search(url, data, acknowledged)
    finally:
        process.terminate()
        process.wait(30)
