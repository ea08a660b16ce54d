"""A query engine is stopped once it holds more than PIC_ENGINE_MEMORY_MB of resident memory, and reloaded:
the query gets 502, its sender waits (429) before querying again, and the others are answered by the
reloaded copy — never by the store in the service's own process, which has no memory watch. A 351-byte
anonymous query of doubling CONCATs took the engine to 3.2 GB in 8 s (thirteenth outside re-test)."""

import threading
import time

import pytest
from fastapi.testclient import TestClient

from pic.graph.engine.cooldowns import SenderWaits
from pic.graph.engine.copies import EngineReplicas
from pic.graph.engine.jobs import EngineFailed, Job
from pic.graph.installation.bootstrap import initialise
from pic.graph.names import Names
from pic.graph.settings import Settings
from pic.graph.store.embedded import EmbeddedStore
from pic.graph.writes.path import Writer
from pic.service.app import create_app

TOKEN = "memory-admin-token"
JSON = {"Accept": "application/sparql-results+json"}
DOUBLINGS = "".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1}) " for i in range(24))  # 64 B × 2^24: 1 GiB
HUNGRY = f'SELECT (STRLEN(?v24) AS ?n) WHERE {{ BIND("{"x" * 64}" AS ?v0) {DOUBLINGS} }}'


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    data = tmp_path_factory.mktemp("engine-memory")
    settings = Settings(data_dir=data, admin_token=TOKEN, demo=False, wait_for_copies=True, engine_memory_mb=300)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def test_a_query_past_the_memory_limit_stops_the_engine_and_its_sender_waits(client):
    queries = client.app.state.query_runner
    r = client.get("/sparql", params={"query": HUNGRY}, headers=JSON)
    assert r.status_code == 502, r.text
    assert "300 MiB" in r.json()["error"]["message"]

    again = client.get("/sparql", params={"query": "ASK {}"}, headers=JSON)
    assert again.status_code == 429, again.text
    assert 0 < int(again.headers["Retry-After"]) <= 300

    def on_disk(*_):
        raise AssertionError("answered by the store in the service's process after an engine stopped")

    queries.disk.run, queries.disk.run_async = on_disk, on_disk
    other = client.get("/sparql", params={"query": "ASK {}"}, headers={**JSON, "Authorization": f"Bearer {TOKEN}"})
    assert other.status_code == 200, other.text
    assert queries.restarts[("full", "stopped")] == 1
    assert queries.full is not None and queries.full.process.poll() is None
    metrics = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert 'pic_engine_stops_total{cause="memory",engine="full"} 1.0' in metrics, metrics


def test_while_the_copies_load_a_query_a_client_wrote_waits_for_them_not_the_in_process_store(tmp_path):
    writer = Writer(EmbeddedStore(tmp_path / "store"), Names(), tmp_path / "history")
    initialise(writer, demo=False)
    copies = EngineReplicas(writer.store, tmp_path / "snapshots", timeout=60, wait=False)
    try:
        on_disk = []
        answer = copies.disk.run
        copies.disk.run = lambda job, timeout=None: on_disk.append(job.sender) or answer(job, timeout)
        assert copies.run(Job("ASK {}", "tsv")).body  # the platform's own query: from disk, at once
        assert copies.run(Job("SELECT (1 AS ?n) {}", "tsv", sender="address:192.0.2.1")).body
        assert on_disk == [None]
    finally:
        copies.close()


def test_every_query_in_flight_when_an_engine_stops_is_refused_and_none_runs_in_the_service(tmp_path):
    """Fourteenth outside re-test: only the first query to see the stop was refused; another in flight ran
    again — from the store in the service's process, no copy being left — which grew to 23 GB until the
    kernel killed it. Now each gets 502, each sender waits, and nothing is answered from disk."""
    writer = Writer(EmbeddedStore(tmp_path / "store"), Names(), tmp_path / "history")
    initialise(writer, demo=False)
    copies = EngineReplicas(writer.store, tmp_path / "snapshots", timeout=60, memory_bytes=300 * 2**20)

    def on_disk(*_):
        raise AssertionError("answered by the store in the service's process")

    copies.disk.run = on_disk
    hundred = " ".join(str(i) for i in range(100))
    rows = " ".join(f"VALUES ?{v} {{{hundred}}}" for v in "abcd")  # 10^8 rows, counted in ~10 s, in little memory
    slow = f"SELECT (COUNT(*) AS ?n) WHERE {{ {rows} }}"
    answers: dict[str, BaseException | None] = {}

    def ask(sender: str, text: str) -> None:
        try:
            copies.run(Job(text, "tsv", sender=sender))
            answers[sender] = None
        except BaseException as e:  # noqa: BLE001 — the answer under test
            answers[sender] = e

    try:
        quiet = threading.Thread(target=ask, args=("address:192.0.2.10", slow))
        quiet.start()
        time.sleep(1)
        ask("address:192.0.2.11", HUNGRY)
        quiet.join(60)
        assert all(isinstance(e, EngineFailed) for e in answers.values()), answers
        assert len(answers) == 2
        assert copies.stops == {("full", "memory"): 1}  # one stop, seen by two queries
        for sender in answers:
            with pytest.raises(SenderWaits):
                copies.run(Job("ASK {}", "tsv", sender=sender))
        assert copies.run(Job("ASK {}", "tsv", sender="address:192.0.2.12")).body
    finally:
        copies.close()


def test_an_engine_that_ended_while_idle_is_reloaded_and_nobody_is_blamed(tmp_path):
    """Sixteenth outside re-test: an engine killed while idle was noticed by the next query, whose sender got
    502 and then 429 for five minutes, and the stop was counted as one "while answering"."""
    writer = Writer(EmbeddedStore(tmp_path / "store"), Names(), tmp_path / "history")
    initialise(writer, demo=False)
    copies = EngineReplicas(writer.store, tmp_path / "snapshots", timeout=60, memory_bytes=300 * 2**20)
    try:
        assert copies.full is not None
        copies.full.process.kill()  # its watchdog: the engine goes with it
        copies.full.process.wait(10)
        assert copies.run(Job("ASK {}", "tsv", sender="address:192.0.2.20")).body
        assert copies.run(Job("ASK {}", "tsv", sender="address:192.0.2.20")).body  # no wait imposed
        assert not copies.stops
    finally:
        copies.close()
