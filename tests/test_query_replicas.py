"""The query workers' replicas follow the store write by write (deltas, inferences included) and give
the same answers as a replica loaded from a full snapshot; large or unknown changes take a snapshot."""

import re

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store

from pic.graph.access import User
from pic.graph.bootstrap import initialise
from pic.graph.embedded_store import EmbeddedStore
from pic.graph.names import Names
from pic.graph.query_workers import Job, QueryWorkers
from pic.graph.write_path import Writer

ID = "https://w3id.org/pic-euralens/id/"
ADMIN = User("admin", role="admin")
PROV = "http://www.w3.org/ns/prov#"
EVERYTHING = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g ?s ?p ?o"


@pytest.fixture
def setup(tmp_path):
    names = Names()
    writer = Writer(EmbeddedStore(tmp_path / "store"), names, tmp_path / "history")
    initialise(writer, demo=True)
    workers = QueryWorkers(writer.store, tmp_path / "snapshots", workers=1, timeout=60)
    writer.listeners.append(workers.follow)
    yield writer, workers
    workers.close()


def everything(workers) -> list[bytes]:
    """Every quad the replica holds, as sorted lines; blank nodes get new labels at each load."""
    body = workers.run(Job(EVERYTHING, "tsv", max_rows=10_000_000)).body
    return sorted(re.sub(rb"_:\w+", b"_:b", body).split(b"\n"))


def from_snapshot(writer, tmp_path) -> bytes:
    fresh = QueryWorkers(writer.store, tmp_path / "fresh", workers=1, timeout=60)
    try:
        return everything(fresh)
    finally:
        fresh.close()


def association(graph, project, actor, role="partenaire"):
    node = NamedNode(f"{project.value}-assoc-{actor}")
    return [Quad(project, NamedNode(f"{PROV}qualifiedAssociation"), node, graph),
            Quad(node, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                 NamedNode(f"{PROV}Association"), graph),
            Quad(node, NamedNode(f"{PROV}agent"), NamedNode(f"{ID}actor/{actor}"), graph),
            Quad(node, NamedNode(f"{PROV}hadRole"), NamedNode(f"{ID}role/{role}"), graph)]


def test_replicas_follow_writes_by_deltas_and_match_a_full_snapshot(setup, tmp_path):
    writer, workers = setup
    everything(workers)  # the replica is loaded
    base = workers.base
    graph = writer.names.partner("demo")
    project = NamedNode(f"{ID}project/louvre-lens-construction")
    added = Store()
    added.extend(association(graph, project, "aula"))  # a new cooperation: inferences change too
    writer.write(added, [], ADMIN, source="test")
    label_of = "<http://www.w3.org/2000/01/rdf-schema#label>"
    row = next(iter(writer.store.query(
        f"SELECT ?g ?o WHERE {{ GRAPH ?g {{ <{ID}actor/aula> {label_of} ?o }} FILTER (lang(?o) = 'fr') }}")))
    renamed = Store()
    renamed.add(Quad(NamedNode(f"{ID}actor/aula"), NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                     Literal("AULA (renommée)", language="fr"), row["g"]))
    removed = [Quad(NamedNode(f"{ID}actor/aula"), NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), row["o"],
                    row["g"])]
    writer.write(renamed, removed, ADMIN, source="test")
    assert workers.base == base and workers.generation == base + 2  # two deltas, no new snapshot
    followed = everything(workers)
    assert any(b"AULA (renomm" in line for line in followed)
    cooperation = f"<{ID}actor/aula>\t<https://w3id.org/pic-euralens/ontology#cooperatesWith>\t<{ID}actor/louvre-lens>"
    assert any(cooperation.encode() in line for line in followed)
    assert followed == from_snapshot(writer, tmp_path)
    # undoing the association removes the inference from the replica too
    writer.write(Store(), association(graph, project, "aula"), ADMIN, source="test")
    assert everything(workers) == from_snapshot(writer, tmp_path)


def test_an_unknown_change_takes_a_full_snapshot(setup):
    writer, workers = setup
    base = workers.base
    workers.follow(None)
    assert workers.base == workers.generation == base + 1


def test_a_change_with_blank_nodes_takes_a_full_snapshot(setup):
    writer, workers = setup
    base = workers.base
    staged = Store()
    staged.add(Quad(NamedNode(f"{ID}actor/aula"), NamedNode("http://purl.org/dc/terms/description"), BlankNode(),
                    writer.names.partner("demo")))
    writer.write(staged, [], ADMIN, source="test", validate=False)
    assert workers.base == workers.generation == base + 1
