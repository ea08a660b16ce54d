"""The query workers' replicas follow the store write by write (deltas, inferences included) and give
the same answers as a replica loaded from a full snapshot; large or unknown changes take a snapshot."""

import re

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Store, serialize

from pic.graph.access import ANONYMOUS, User, reading_view
from pic.graph.bootstrap import initialise
from pic.graph.embedded_store import EmbeddedStore
from pic.graph.names import Names
from pic.graph.query_workers import Job, QueryWorkers, for_reader
from pic.graph.replicas import Replicas
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


def test_an_answer_larger_than_the_pipe_comes_whole_through_the_event_loop(setup):
    """The service awaits the workers on uvicorn's loop (uvloop), which makes the pipe non-blocking."""
    import uvloop

    _, workers = setup
    job = Job(EVERYTHING, "tsv", max_rows=10_000_000)
    expected = workers.run(job).body
    assert len(expected) > 1_000_000  # far past a pipe's 64 KB buffer

    async def twice():
        return [(await workers.run_async(job)).body for _ in range(2)]

    assert uvloop.run(twice()) == [expected, expected]


def labels_seen(workers, job: Job) -> set[str]:
    body = workers.run(job).body.decode()
    return {line.split("\t")[1] for line in body.splitlines()[1:]}


LABELS = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }"


def test_anonymous_readers_are_answered_from_a_replica_without_the_graphs_they_may_not_read(setup):
    """The public replica: the same answers as naming the readable graphs, and a private graph written
    after the replicas loaded never reaches it, whatever the query says."""
    writer, workers = setup
    names = writer.names
    secret, shared = NamedNode(f"{ID}actor/secret"), NamedNode(f"{ID}actor/shared")
    label = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    staged = Store()
    staged.add(Quad(secret, label, Literal("Secret"), names.graph("private/newcomer/main")))
    staged.add(Quad(shared, label, Literal("Shared"), names.partner("demo")))
    writer.write(staged, [], ADMIN, source="test", validate=False)
    graphs = [g.value for g in writer.store.graphs()]
    anonymous = for_reader(Job(LABELS, "tsv"), reading_view(ANONYMOUS, graphs, names))
    assert anonymous.public
    listed = Job(LABELS, "tsv", default_graph=anonymous.default_graph, named_graphs=anonymous.named_graphs)
    seen = labels_seen(workers, anonymous)
    assert seen == labels_seen(workers, listed)
    assert '"Shared"' in seen and '"Secret"' not in seen
    everywhere = for_reader(Job("SELECT ?g ?label WHERE { GRAPH ?g { ?s ?p ?label } }", "tsv"),
                            reading_view(ANONYMOUS, graphs, names))
    assert "Secret" not in workers.run(everywhere).body.decode()
    member = for_reader(Job(LABELS, "tsv"), reading_view(User("ana", role="partner", org="newcomer"), graphs, names))
    assert not member.public and '"Secret"' in labels_seen(workers, member)
    assert for_reader(Job(LABELS, "tsv"), reading_view(ADMIN, graphs, names)).default_graph is None


def test_an_embargoed_graph_joins_the_public_replica_on_its_day(tmp_path, monkeypatch):
    import datetime

    from pic.graph import access

    names = Names()
    embargoed = names.graph("private/demo/until-2030-01-01")
    quad = Quad(NamedNode(f"{ID}study/later"), NamedNode("http://purl.org/dc/terms/title"), Literal("Later"),
                embargoed)
    public = Quad(NamedNode(f"{ID}study/now"), NamedNode("http://purl.org/dc/terms/title"), Literal("Now"),
                  names.partner("demo"))
    for path, quads in (("1.nq", [public]), ("2.added.nq", [quad])):  # a snapshot, then a delta
        with (tmp_path / path).open("wb") as f:
            serialize(quads, f, RdfFormat.N_QUADS)
    replicas = Replicas(names)
    replicas.catch_up(1, 1, tmp_path)
    assert replicas.for_anonymous() is replicas.full  # every graph is public: no second copy
    replicas.catch_up(1, 2, tmp_path)
    assert set(replicas.full) == {public, quad} and set(replicas.for_anonymous()) == {public}

    class Later(datetime.date):
        @classmethod
        def today(cls):
            return cls(2030, 1, 1)

    looked_at = []
    monkeypatch.setattr(Replicas, "_is_public", lambda self, graph: looked_at.append(graph) or False)
    replicas.for_anonymous()
    assert looked_at == []  # the same day: the excluded graphs are not looked at on every query
    monkeypatch.undo()
    monkeypatch.setattr(access, "date", Later)
    assert set(replicas.for_anonymous()) == {public, quad}


def test_readers_views_are_kept_until_the_next_write(setup):
    from pic.service.state import GraphNames

    writer, _ = setup
    graphs = GraphNames(writer.store, writer.names)
    before = graphs.view(ANONYMOUS)
    assert graphs.view(ANONYMOUS) is before  # no second pass over the names
    staged = Store()
    staged.add(Quad(NamedNode(f"{ID}actor/secret"), NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                    Literal("Secret"), writer.names.graph("private/newcomer/main")))
    writer.write(staged, [], ADMIN, source="test", validate=False)
    graphs.refresh()  # what the write path's listener does
    after = graphs.view(ANONYMOUS)
    private = writer.names.graph("private/newcomer/main").value
    assert after.public and private not in after.readable and private in graphs.names
    assert graphs.view(User("ana", role="partner", org="newcomer")).readable is None  # every graph: the union


def test_a_worker_loads_its_replicas_as_it_starts_and_a_missing_snapshot_is_an_error(tmp_path, monkeypatch):
    """A worker is ready before its first job (started with the service, or replacing one stopped at the
    time limit); a job whose snapshot is gone gets an error, never the answer of an empty replica."""
    import multiprocessing
    import threading

    from pic.graph import query_workers

    with (tmp_path / "1.nq").open("wb") as f:
        serialize([Quad(NamedNode(f"{ID}study/s"), NamedNode(f"{PROV}value"), Literal("x"),
                        Names().partner("demo"))], f, RdfFormat.N_QUADS)
    loaded = threading.Event()
    catch_up = Replicas.catch_up

    def recorded(self, base, wanted, folder):
        catch_up(self, base, wanted, folder)
        loaded.set()

    monkeypatch.setattr(Replicas, "catch_up", recorded)
    parent, child = multiprocessing.Pipe()
    worker = threading.Thread(target=query_workers._worker, args=(child, str(tmp_path), Names().base, (1, 1)))
    worker.start()
    try:
        assert loaded.wait(30), "the worker waited for a job before loading"
        parent.send(((1, 1), Job("ASK { ?s ?p 'x' }")))
        status, answer = parent.recv()
        assert status == "ok" and b"true" in answer.body
        parent.send(((5, 5), Job("ASK { ?s ?p 'x' }")))  # snapshot 5 does not exist
        status, message = parent.recv()
        assert status == "error" and "FileNotFoundError" in message
        parent.send(((1, 1), Job("ASK { ?s ?p 'x' }")))  # and the replica is not left half-loaded
        assert parent.recv()[1].body.count(b"true") == 1
    finally:
        parent.send(None)
        worker.join(10)
