"""Large writes go through each backend's bulk path, stay atomic, and survive an interrupted load."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from bench.generate import SCALES, Scale, generate
from pic.graph.access import User
from pic.graph.store.embedded import EmbeddedStore
from pic.graph.store.parsing import RdfParseError, parse_file
from tests.conftest import snapshot

ADMIN = User("bulk-admin", role="admin")
GRAPH = NamedNode("https://w3id.org/pic-euralens/id/graph/partner/bench")


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "tiny.ttl"
    with path.open("w", encoding="utf-8") as f:
        generate(SCALES["tiny"], f)
    return path


def test_a_large_file_goes_through_the_bulk_path_validated(base_writer, tiny_file):
    base_writer.store.bulk_threshold = 1000  # force the bulk path
    staged = parse_file(tiny_file, GRAPH)
    result = base_writer.load(staged, ADMIN)
    assert result.added == len(staged) > 1000
    assert base_writer.store.count(GRAPH) == len(staged)
    # the inferred graph covers the new data (synthetic communes within the région)
    assert base_writer.store.query("""ASK { GRAPH <https://w3id.org/pic-euralens/id/graph/inferred> {
        <https://w3id.org/pic-euralens/id/territory/commune/x00001>
        <https://w3id.org/pic-euralens/ontology#withinTerritory>
        <https://w3id.org/pic-euralens/id/territory/region/32> } }""")


def test_a_failure_inside_the_bulk_path_restores_the_store(base_writer, tiny_file, monkeypatch):
    base_writer.store.bulk_threshold = 1000
    before = snapshot(base_writer.store)

    def broken(self, change):
        raise RuntimeError("inference failed")

    monkeypatch.setattr(type(base_writer), "_infer", broken)
    with pytest.raises(Exception):  # noqa: B017 - engine-specific error
        base_writer.load(parse_file(tiny_file, GRAPH), ADMIN)
    assert snapshot(base_writer.store) == before


def test_a_killed_bulk_load_leaves_the_store_as_it_was(tmp_path, tiny_file):
    """A real crash: the `pic load` process is killed with SIGKILL in the middle of the bulk write."""
    data = tmp_path / "data"
    env = {**os.environ, "PIC_DATA_DIR": str(data)}
    pic = [sys.executable, "-m", "pic.service.cli"]
    subprocess.run([*pic, "init"], env=env, check=True, capture_output=True)
    store = EmbeddedStore(data)
    before = snapshot(store)
    store.close()
    # ~270k triples, so that the bulk write lasts long enough to be interrupted
    big = tmp_path / "big.ttl"
    with big.open("w", encoding="utf-8") as f:
        generate(Scale(1500, 40, 2, 15, 50, 40, 60), f)
    child = subprocess.Popen(
        [*pic, "load", str(big), "--graph", GRAPH.value], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    journal = data / "bulk-load.journal"
    deadline = time.monotonic() + 60
    while not journal.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert journal.exists(), "the load never reached its bulk write"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    reopened = EmbeddedStore(data)
    assert reopened.recovered
    assert snapshot(reopened) == before
    reopened.close()


def test_a_trusted_load_is_recorded_and_stays_atomic(base_writer, tiny_file, tmp_path):
    """Embedded: the file goes straight to the bulk loader and is itself the history delta.
    Remote: it is parsed here and sent as N-Quads (the engine's bulk load cannot be rolled back)."""
    base_writer.store.bulk_threshold = 1000
    deltas_before = set(base_writer.history_dir.glob("*.added.*"))
    result = base_writer.load_file(tiny_file, GRAPH, ADMIN, validate=False)
    assert result.added == base_writer.store.count(GRAPH) > 1000
    [delta] = set(base_writer.history_dir.glob("*.added.*")) - deltas_before
    if base_writer.store.loads_files_atomically:
        assert delta.suffix == ".ttl" and delta.read_bytes() == tiny_file.read_bytes()
    else:
        assert delta.name.endswith(".nq.gz")
    before = snapshot(base_writer.store)
    broken = tmp_path / "broken.ttl"
    broken.write_bytes(tiny_file.read_bytes() + b"\n<http://a> <http://b> .\n")
    with pytest.raises(RdfParseError) as e:
        base_writer.load_file(broken, NamedNode(GRAPH.value + "-2"), ADMIN, validate=False)
    assert e.value.line == len(tiny_file.read_bytes().splitlines()) + 2, str(e.value)
    assert snapshot(base_writer.store) == before
