"""Issue 17: queries are answered while the engines' copies load (by the on-disk store, with the same access
rules), and no write waits for a copy to be built: the first private graph's public copy loads in a
thread, anonymous readers meanwhile answered by the full copy over the graphs they may read."""

from pyoxigraph import Literal, NamedNode, Quad, Store

from pic.graph.access import ANONYMOUS, User, reading_view
from pic.graph.engine.copies import EngineReplicas
from pic.graph.engine.jobs import Job, for_reader
from pic.graph.installation.bootstrap import initialise
from pic.graph.names import Names
from pic.graph.store.embedded import EmbeddedStore
from pic.graph.writes.path import Writer
from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
ADMIN = User("admin", role="admin")
MEMBER = User("ana", role="partner", org="newcomer")
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
ACTORS = f"FILTER (STRSTARTS(STR(?s), '{ID}actor/'))"
LABELS = f"SELECT ?label WHERE {{ ?s <{LABEL.value}> ?label {ACTORS} }} ORDER BY ?label"
NAMED = f"SELECT ?g ?label WHERE {{ GRAPH ?g {{ ?s <{LABEL.value}> ?label }} {ACTORS} }}"


def label(writer: Writer, actor: str, text: str, graph: NamedNode) -> None:
    staged = Store()
    staged.add(Quad(NamedNode(f"{ID}actor/{actor}"), LABEL, Literal(text), graph))
    writer.write(staged, [], ADMIN, source="test", validate=False)


def ask(workers, writer: Writer, user: User, query: str = LABELS) -> str:
    graphs = [g.value for g in writer.store.graphs()]
    return workers.run(
        for_reader(Job(query, "tsv", max_rows=100_000), reading_view(user, graphs, writer.names))
    ).body.decode()


def test_the_store_answers_while_the_copies_load_as_they_will_and_to_each_reader_what_they_may_read(tmp_path):
    writer = Writer(EmbeddedStore(tmp_path / "store"), Names(), tmp_path / "history")
    initialise(writer, demo=False)
    label(writer, "shared", "Shared", writer.names.partner("demo"))
    label(writer, "secret", "Secret", writer.names.graph("private/newcomer/main"))
    workers = EngineReplicas(writer.store, tmp_path / "snapshots", timeout=60, wait=False)
    try:
        early = {
            name: ask(workers, writer, user, query)
            for name, user, query in (
                ("anonymous", ANONYMOUS, LABELS),
                ("anonymous named", ANONYMOUS, NAMED),
                ("member", MEMBER, LABELS),
            )
        }
        assert workers.full is None, "the copies were loaded before the first query: nothing was measured"
        assert '"Shared"' in early["anonymous"] and "Secret" not in early["anonymous"] + early["anonymous named"]
        assert '"Secret"' in early["member"]
        assert workers.wait_loaded(60) and workers.copies == "ready" and workers.public is not None
        assert early == {
            name: ask(workers, writer, user, query)
            for name, user, query in (
                ("anonymous", ANONYMOUS, LABELS),
                ("anonymous named", ANONYMOUS, NAMED),
                ("member", MEMBER, LABELS),
            )
        }
    finally:
        workers.close()


def test_the_first_private_graph_does_not_wait_for_the_public_copy_and_writes_during_its_load_reach_it(tmp_path):
    writer = Writer(EmbeddedStore(tmp_path / "store"), Names(), tmp_path / "history")
    initialise(writer, demo=False)
    workers = EngineReplicas(writer.store, tmp_path / "snapshots", timeout=60)
    writer.listeners.append(workers.follow)
    try:
        assert workers.public is None  # every graph public: one copy
        label(writer, "secret", "Secret", writer.names.graph("private/newcomer/main"))
        assert workers.public is None and workers.copies == "loading", "the write waited for the public copy"
        # during the load: another private graph and a public label, each written without waiting
        label(writer, "later-secret", "Later secret", writer.names.graph("private/other/main"))
        label(writer, "later", "Later", writer.names.partner("demo"))
        meanwhile = ask(workers, writer, ANONYMOUS)
        assert '"Later"' in meanwhile and "Secret" not in meanwhile and "secret" not in meanwhile
        assert '"Secret"' in ask(workers, writer, MEMBER)
        assert workers.wait_loaded(60) and workers.public is not None
        after = ask(workers, writer, ANONYMOUS)
        assert after == meanwhile  # the public copy answers now: the writes made during its load are there
        assert "Secret" not in ask(workers, writer, ANONYMOUS, NAMED)
    finally:
        workers.close()


def test_a_private_put_returns_before_the_public_copy_and_anonymous_readers_never_see_it(tmp_path):
    graph = f"{ID}graph/private/aula/main"
    study = f"{ID}study/confidential-put"
    body = f"""@prefix pic: <https://w3id.org/pic-euralens/ontology#> .
<{study}> a pic:Study ; <http://www.w3.org/2000/01/rdf-schema#label> "Confidentielle"@fr ;
  <http://purl.org/dc/terms/title> "Confidentielle"@fr ; pic:studyStatus <{ID}study-status/planned> ;
  pic:expectedYear "2027"^^<http://www.w3.org/2001/XMLSchema#gYear> ."""
    query = {"query": f"ASK {{ <{study}> ?p ?o }}", "format": "json"}
    store = EmbeddedStore(tmp_path / "data")
    initialise(Writer(store, Names(), tmp_path / "data" / "history"), demo=False)  # not the demo: faster
    store.close()
    with app_client(tmp_path / "data", admin_token="admin-token") as client:
        queries = client.app.state.query_runner
        assert queries.public is None  # no private graph yet
        r = client.put(
            "/rdf-graphs",
            params={"graph": graph},
            content=body.encode(),
            headers={**bearer(client, "alice"), "Content-Type": "text/turtle"},
        )
        assert r.status_code == 201, r.text
        assert queries.public is None, "the PUT waited for the public copy"
        assert client.get("/sparql", params=query).json()["boolean"] is False
        assert client.get("/sparql", params=query, headers=bearer(client, "alice")).json()["boolean"] is True
        assert queries.wait_loaded(60) and queries.public is not None
        assert client.get("/sparql", params=query).json()["boolean"] is False
        health = client.get("/health", headers={"Authorization": "Bearer admin-token"}).json()
        assert health["status"] == "ok" and health["checks"]["engines"]["copies"] == "ready", health
