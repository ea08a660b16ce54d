"""`pic export` loads back with `pic load` into a fresh data directory (issue 17): data moves between
installations.

The source is the demo with what the demo lacks — an organisation's private study (its private
provenance graph) and an annotation (a graph only its API writes). The whole store goes out as N-Quads
and comes back into an empty folder with the same quads in every graph: the inferred graphs computed
again by the rules (the same premises give the same conclusions), the provenance graphs as they were;
only `restricted/provenance` gains the record of the load itself. One graph goes out as Turtle and
into an installation that has the ontology and the territories.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from pic.graph.access import ANNOTATIONS_API, User
from pic.graph.contributions.forms import save
from pic.graph.installation.bootstrap import initialise
from pic.graph.names import Names
from pic.graph.store.embedded import EmbeddedStore
from pic.graph.writes.path import Writer
from pic.graph.writes.revert import CannotRevert, revert

PIC = str(Path(sys.executable).with_name("pic"))
NAMES = Names()
ALICE = User("alice", role="partner", org="aula")
OA, DCTERMS, XSD = "http://www.w3.org/ns/oa#", "http://purl.org/dc/terms/", "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def pic(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PIC, *args], capture_output=True, text=True, timeout=300, env={**os.environ, "PIC_DATA_DIR": str(data_dir)}
    )


def by_graph(store) -> dict[str, set[Quad]]:
    out: dict[str, set[Quad]] = {}
    for q in store.quads():
        out.setdefault(q.graph_name.value, set()).add(q)
    return out


def annotation() -> Store:
    node, graph = NamedNode(f"{NAMES.base}annotation/export-check"), NAMES.annotations("aula")
    body = NamedNode(f"{NAMES.base}annotation/export-check/body")
    added = Store()
    added.extend(
        [
            Quad(node, RDF_TYPE, NamedNode(f"{OA}Annotation"), graph),
            Quad(node, NamedNode(f"{OA}motivatedBy"), NamedNode(f"{OA}commenting"), graph),
            Quad(node, NamedNode(f"{OA}hasTarget"), NamedNode(f"{NAMES.base}study/export-privee"), graph),
            Quad(node, NamedNode(f"{OA}hasBody"), body, graph),
            Quad(body, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#value"), Literal("À revoir"), graph),
            Quad(node, NamedNode(f"{DCTERMS}creator"), NAMES.user("alice"), graph),
            Quad(NAMES.user("alice"), RDF_TYPE, NamedNode("http://xmlns.com/foaf/0.1/Agent"), graph),
            Quad(
                node,
                NamedNode(f"{DCTERMS}created"),
                Literal("2026-01-05T10:00:00Z", datatype=NamedNode(f"{XSD}dateTime")),
                graph,
            ),
        ]
    )
    return added


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """The demo, a private study of aula and an annotation of aula's, in a data directory (no process
    holds it)."""
    data = tmp_path_factory.mktemp("export") / "data"
    writer = Writer(EmbeddedStore(data), NAMES, data / "history")
    initialise(writer, demo=True, documents=data / "documents")
    save(
        writer,
        "study",
        {"id": "export-privee", "title_fr": "Étude privée", "status": "planned", "year": "2027"},
        ALICE,
        org="aula",
        visibility="private",
    )
    writer.write(annotation(), [], ALICE, source="test", api=ANNOTATIONS_API)
    writer.store.close()
    return data


def test_the_whole_store_exported_loads_into_a_fresh_directory_with_the_same_graphs(source, tmp_path):
    dump, target = tmp_path / "dump.nq", tmp_path / "target"
    done = pic("export", "--out", str(dump), data_dir=source)
    assert done.returncode == 0, done.stderr
    done = pic("load", str(dump), data_dir=target)
    assert done.returncode == 0, done.stderr
    assert "document(s) have no file" in done.stderr, done.stderr  # files travel with `pic backup`, not in RDF

    old, new = EmbeddedStore(source), EmbeddedStore(target)
    try:
        was, now = by_graph(old), by_graph(new)
        assert {g for g in was if NAMES.is_inferred(NamedNode(g))} >= {NAMES.inferred.value}
        assert f"{NAMES.base}graph/private/aula/provenance" in was and NAMES.annotations("aula").value in was
        restricted, public = NAMES.restricted_provenance.value, NAMES.provenance.value
        for graph in sorted(set(was) | set(now)):
            if graph not in (restricted, public):
                assert now.get(graph) == was.get(graph), (
                    f"{graph}: {len(now.get(graph, ()))} quads, {len(was.get(graph, ()))} in the source"
                )
        # The load is one change more, recorded where changes to several audiences' graphs go.
        loads = {
            q.subject
            for q in now[restricted] - was.get(restricted, set())
            if q.predicate == RDF_TYPE and q.object.value.endswith("#Change")
        }
        assert len(loads) == 1
        extra = now[restricted] - was.get(restricted, set())
        assert all(q.subject in loads or q.subject.value.startswith(f"{NAMES.base}user/local-") for q in extra), extra
        # ... and, as it wrote public graphs, its public record (who, when, which graphs: issue 16, 9b).
        assert was[public] <= now[public]
        published = now[public] - was[public]
        assert published and all(
            q.subject in loads or q.subject.value.startswith(f"{NAMES.base}user/local-") for q in published
        ), published

        # A change made in the source installation cannot be reverted here: its delta stayed there.
        writer = Writer(new, NAMES, target / "history")
        earlier = next(q.subject for q in was[NAMES.provenance.value] if q.object.value.endswith("#Change"))
        with pytest.raises(CannotRevert, match="another installation's dump"):
            revert(writer, earlier, User("admin", role="admin"))
    finally:
        old.close()
        new.close()

    again = pic("load", str(dump), data_dir=target)
    assert again.returncode == 1 and "empty data directory only" in again.stderr, again.stderr
    lines = again.stderr.strip().splitlines()  # (the progress bar leaves an empty line before it)
    assert len(lines) == 1 and lines[0].startswith("Error: "), again.stderr


def test_one_graph_exported_loads_into_another_installation(source, tmp_path):
    """A graph that holds its own entities (the demo's partner graphs refer to each other's actors, and one
    of them alone does not conform to the shapes)."""
    graph, exported, target = NAMES.graph("private/aula/main"), tmp_path / "aula.ttl", tmp_path / "target"
    done = pic("export", "--graph", graph.value, "--format", "ttl", "--out", str(exported), data_dir=source)
    assert done.returncode == 0, done.stderr
    writer = Writer(EmbeddedStore(target), NAMES, target / "history")
    initialise(writer, demo=False)
    writer.store.close()
    done = pic("load", str(exported), "--graph", graph.value, data_dir=target)
    assert done.returncode == 0, done.stderr
    old, new = EmbeddedStore(source), EmbeddedStore(target)
    try:
        assert set(new.quads(graph)) == set(old.quads(graph)) and len(set(old.quads(graph))) >= 4
    finally:
        old.close()
        new.close()
