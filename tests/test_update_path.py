"""`/update` goes through the one write path: its exact change, checked, recorded and followed like any
other write, on the embedded and the remote backend (a real `oxigraph serve`)."""

import gzip

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, RdfFormat, Store, parse

from pic.graph.names import Names
from pic.graph.settings import Settings
from pic.graph.writes.update_change import update_change
from pic.service.app import create_app
from pic.service.sparql_guard import read
from tests.conftest import OxigraphServer, snapshot

TOKEN = "update-admin-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
ID = "https://w3id.org/pic-euralens/id/"
EX = "http://example.org/test#"
PREFIXES = f"PREFIX ex: <{EX}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
NAMES = Names()
IN_GRAPH = "SELECT ?s ?p ?o ?g WHERE { VALUES ?g { %s } GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module", params=["embedded", "remote"])
def client(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"update-{request.param}")
    server, remote = None, {}
    if request.param == "remote":
        server = OxigraphServer(tmp / "oxigraph")
        remote = {
            "store": "remote",
            "sparql_query_url": f"{server.url}/query",
            "sparql_update_url": f"{server.url}/update",
            "graph_store_url": f"{server.url}/store",
        }
    (tmp / "data").mkdir()  # (the remote backend's lifespan writes there before anything creates it)
    settings = Settings(data_dir=tmp / "data", admin_token=TOKEN, demo=False, **remote)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        c.backend = request.param
        yield c
    if server:
        server.stop()


def update(client, text: str):
    return client.post("/update", content=text.encode(), headers=ADMIN)


def graph(name: str) -> str:
    return NAMES.graph(name).value


def quads_in(store, graphs: list[str]) -> set[str]:
    rows = store.query(IN_GRAPH % " ".join(f"<{g}>" for g in graphs))
    return {f"{r['s']} {r['p']} {r['o']} {r['g']}" for r in rows}


def deltas(history) -> dict[str, set]:
    """Every delta file of the history, by name, as quads in text."""
    found = {}
    for path in history.glob("*.nq.gz"):
        with gzip.open(path, "rb") as f:
            found[path.name] = {str(q) for q in parse(f, RdfFormat.N_QUADS)}
    return found


def test_an_update_is_one_change_with_its_delta_and_its_activity(client):
    target, subject = graph("partner/upd-record"), f"{ID}test/recorded"
    quad = f'<{subject}> <http://www.w3.org/2000/01/rdf-schema#label> "Enregistré"@fr <{target}>'
    r = update(client, PREFIXES + f'INSERT DATA {{ GRAPH <{target}> {{ <{subject}> rdfs:label "Enregistré"@fr }} }}')
    assert r.status_code == 204, r.text
    store = client.app.state.writer.store
    rows = list(
        store.query(f"""PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX pic: <https://w3id.org/pic-euralens/ontology#>
        SELECT ?record ?file WHERE {{ GRAPH ?record {{ ?change <http://purl.org/dc/terms/source> "SPARQL Update" ;
          prov:wasAssociatedWith <{NAMES.user("admin").value}> ; pic:changedGraph <{target}> ;
          pic:touched <{subject}> ; pic:deltaFile ?file ; pic:addedTriples 1 }} }}""")
    )
    assert len(rows) == 1, rows
    # the public graph's audience reads its record, as for any other write to it
    assert rows[0]["record"] == NAMES.provenance
    name = rows[0]["file"].value.removeprefix("history/")
    assert deltas(client.app.state.settings.history_dir)[name] == {quad}


def test_a_failure_to_record_leaves_the_store_as_it_was(client):
    """The record is written in the change's transaction: a history that cannot be written (a file where
    its folder should be) fails the update, and its data is not in the store either."""
    history = client.app.state.settings.history_dir
    history.mkdir(parents=True, exist_ok=True)
    aside = history.with_name("history-aside")
    history.rename(aside)
    history.write_text("not a folder")
    try:
        r = update(
            client,
            f"INSERT DATA {{ GRAPH <{graph('partner/upd-fault')}> {{ <{ID}test/unrecorded> <{EX}p> <{ID}test/x> }} }}",
        )
    finally:
        history.unlink()
        aside.rename(history)
    assert r.status_code == 500, r.text
    assert not client.app.state.writer.store.query(f"ASK {{ <{ID}test/unrecorded> ?p ?o }}")


def test_search_finds_a_label_inserted_by_update_without_a_rebuild(client):
    index = client.app.state.search.path
    inode = index.stat().st_ino
    subject = f"{ID}test/searchable-{client.backend}"
    r = update(
        client,
        PREFIXES + f"INSERT DATA {{ GRAPH <{graph('partner/upd-search')}> {{ <{subject}> "
        f'rdfs:label "Zéphyrine Quennehen"@fr }} }}',
    )
    assert r.status_code == 204, r.text
    hits = client.get("/api/search", params={"q": "zephyrine quennehen"}).json()["hits"]
    assert [h["iri"] for h in hits] == [subject], hits
    assert index.stat().st_ino == inode  # re-indexed by the delta: the index file was not rebuilt


def test_the_query_copy_follows_an_update_by_its_delta(client):
    """Embedded: the same engine process answers (no snapshot loaded). Remote: the engine is the store, and
    the answer comes from it at once."""
    queries = client.app.state.query_runner
    if client.backend == "embedded":
        queries.wait_loaded()  # the copies load in the background after the start
    engine = getattr(queries, "full", None)
    subject = f"{ID}test/followed"
    r = update(
        client,
        f"INSERT {{ GRAPH <{graph('partner/upd-copy')}> {{ <{subject}> <{EX}seen> ?now }} }} "
        "WHERE { BIND (NOW() AS ?now) }",
    )
    assert r.status_code == 204, r.text
    assert client.get("/sparql", params={"query": f"ASK {{ <{subject}> <{EX}seen> ?t }}"}).json()["boolean"]
    assert getattr(queries, "full", None) is engine  # the same engine process: no snapshot was loaded
    assert (engine is None) == (client.backend == "remote")


SEED = """INSERT DATA {{ GRAPH <{a}> {{ <{s}> ex:p <{o}> ; ex:n 1 ; rdfs:label "a"@fr . <{o}> ex:p <{t}> . }}
GRAPH <{b}> {{ <{s}> ex:q "b" . <{u}> ex:p <{s}> . }} }}"""
CASES = {
    "delete-insert-where": "DELETE {{ GRAPH <{a}> {{ ?s ex:p ?o }} }} INSERT {{ GRAPH <{b}> {{ ?o ex:back ?s }} }} "
    "WHERE {{ GRAPH <{a}> {{ ?s ex:p ?o }} }}",
    "with": "WITH <{a}> DELETE {{ ?s ex:n ?n }} INSERT {{ ?s ex:n ?m }} WHERE {{ ?s ex:n ?n BIND (?n + 1 AS ?m) }}",
    "delete-where-any-graph": "DELETE WHERE {{ GRAPH ?g {{ <{s}> ?p ?o }} }}",
    "path": "INSERT {{ GRAPH <{b}> {{ ?x ex:reaches ?y }} }} WHERE {{ GRAPH <{a}> {{ ?x ex:p+ ?y }} }}",
    "drop": "DROP GRAPH <{a}>",
    "clear": "CLEAR GRAPH <{b}>",
    "copy": "COPY <{a}> TO <{b}>",
    "move": "MOVE <{a}> TO <{c}>",
    "add": "ADD <{b}> TO <{a}>",
    # the first operation's PREFIX holds for the second one's USING
    "operations-in-order": 'INSERT DATA {{ GRAPH <{a}> {{ <{s}> ex:extra "x" }} }} ; '
    "INSERT {{ GRAPH <{b}> {{ ?s ex:copied ?o }} }} USING g:{short}a WHERE {{ ?s ex:extra ?o }}",
}


@pytest.mark.parametrize("case", CASES)
def test_an_update_changes_the_store_as_the_engine_would_and_records_that(client, case):
    short = f"upd-{case}-"
    a, b, c = graph(f"partner/{short}a"), graph(f"partner/{short}b"), graph(f"partner/{short}c")
    terms = {"a": a, "b": b, "c": c, "short": short, **{k: f"{ID}test/{case}-{k}" for k in "sotu"}}
    prefixes = PREFIXES + f"PREFIX g: <{graph('partner/')}> "
    assert update(client, prefixes + SEED.format(**terms)).status_code == 204
    store, history = client.app.state.writer.store, client.app.state.settings.history_dir
    before = quads_in(store, [a, b, c])
    engine = Store()
    engine.load("\n".join(f"{q} ." for q in before).encode(), RdfFormat.N_QUADS)
    text = prefixes + CASES[case].format(**terms)
    engine.update(text)
    expected = {f"{q.subject} {q.predicate} {q.object} {q.graph_name}" for q in engine}
    files = set(deltas(history))
    r = update(client, text)
    assert r.status_code == 204, r.text
    assert quads_in(store, [a, b, c]) == expected
    new = {name: quads for name, quads in deltas(history).items() if name not in files}
    added = set().union(*(q for n, q in new.items() if ".added." in n))
    removed = set().union(*(q for n, q in new.items() if ".removed." in n))
    assert {q.removesuffix(" .") for q in added} == expected - before
    assert {q.removesuffix(" .") for q in removed} == before - expected


def activities(store) -> int:
    rows = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?c <http://purl.org/dc/terms/source> ?source } }")
    return int(next(iter(rows))["n"].value)


@pytest.mark.parametrize(
    "text,status",
    [
        # the shapes: a study needs a label, a title and a status
        (
            f"INSERT {{ GRAPH <{graph('partner/upd-refused')}> "
            f"{{ ?s a <https://w3id.org/pic-euralens/ontology#Study> }} }} "
            f"WHERE {{ BIND (<{ID}study/untitled> AS ?s) }}",
            422,
        ),
        # derived graphs are the write path's, API-owned graphs their API's, whoever asks
        (f"INSERT DATA {{ GRAPH <{graph('inferred')}> {{ <{ID}test/forged> <{EX}p> <{ID}test/x> }} }}", 403),
        ("DELETE WHERE { GRAPH ?g { ?change <http://purl.org/dc/terms/source> ?source } }", 403),
        (f"INSERT DATA {{ GRAPH <{graph('annotations/aula')}> {{ <{ID}test/note> <{EX}p> <{ID}test/x> }} }}", 403),
        # every statement lives in a named graph here
        (f"INSERT DATA {{ <{ID}test/nowhere> <{EX}p> <{ID}test/x> }}", 400),
        # a change cannot name a blank node to remove it: only its whole graph goes (see below)
        (f"DELETE WHERE {{ GRAPH <{graph('partner/upd-blank')}> {{ ?n <{EX}blank> ?x }} }}", 400),
    ],
)
def test_a_refused_update_changes_nothing(client, text, status):
    # something recorded already, for the update that deletes records to find; a blank node to remove
    update(client, f"INSERT DATA {{ GRAPH <{graph('partner/upd-refused')}> {{ <{ID}test/r> <{EX}p> 1 }} }}")
    if not client.app.state.writer.store.query(f"ASK {{ ?n <{EX}blank> ?x }}"):
        blank = (
            f"INSERT DATA {{ GRAPH <{graph('partner/upd-blank')}> {{ _:n <{EX}blank> <{ID}test/x> . "
            f"<{ID}test/y> <{EX}p> 1 }} }}"
        )
        assert update(client, blank).status_code == 204
    store = client.app.state.writer.store
    was = snapshot(store)
    r = update(client, text)
    assert r.status_code == status, r.text
    assert "\n" not in r.json()["error"]["message"]
    assert snapshot(store) == was


def test_a_graph_with_blank_nodes_is_dropped_replaced_and_deleted_whole(client):
    """DELETE DATA cannot name a blank node; a DROP (or the Graph Store's PUT and DELETE) of the whole
    graph can, and is recorded like any change (W3C update test insert-05a; it was a 400, and a 500 on
    the Graph Store)."""
    store, target = client.app.state.writer.store, NamedNode(graph("partner/upd-blank-whole"))
    fill = f"INSERT DATA {{ GRAPH {target} {{ _:a <{EX}blank> _:b . _:b <{EX}p> 1 }} }}"
    assert update(client, fill).status_code == 204
    count = activities(store)
    assert update(client, f"DROP GRAPH {target}").status_code == 204
    assert store.count(target) == 0 and activities(store) == count + 1
    for method in ("PUT", "DELETE"):
        assert update(client, fill).status_code == 204
        body = f"<{ID}test/z> <{EX}p> 2 ." if method == "PUT" else None
        r = client.request(
            method,
            "/rdf-graphs",
            params={"graph": target.value},
            content=body,
            headers={**ADMIN, "Content-Type": "text/turtle"},
        )
        assert r.status_code in (200, 201, 204), (method, r.text)
        assert store.count(target) == (1 if method == "PUT" else 0), method


def test_an_update_that_changes_nothing_records_nothing(client):
    store, history = client.app.state.writer.store, client.app.state.settings.history_dir
    target = graph("partner/upd-nothing")
    assert update(client, f"INSERT DATA {{ GRAPH <{target}> {{ <{ID}test/same> <{EX}p> 1 }} }}").status_code == 204
    count, files = activities(store), sorted(history.iterdir())
    for text in (
        f"INSERT DATA {{ GRAPH <{target}> {{ <{ID}test/same> <{EX}p> 1 }} }}",
        f"DELETE DATA {{ GRAPH <{target}> {{ <{ID}test/absent> <{EX}p> 1 }} }}",
        f"DELETE WHERE {{ GRAPH <{target}> {{ <{ID}test/absent> ?p ?o }} }}",
        "DROP SILENT GRAPH <urn:x-no-such-graph>",
    ):
        assert update(client, text).status_code == 204, text
    assert activities(store) == count
    assert sorted(history.iterdir()) == files


TRIG = f"""@prefix ex: <{EX}> .
<{graph("partner/t1")}> {{ ex:a ex:p ex:b . ex:b ex:p ex:c . ex:a ex:label "A"@fr . ex:a a ex:C . }}
<{graph("partner/t2")}> {{ ex:a ex:q "2" . ex:d ex:p ex:a . ex:e ex:r 5 . }}
<{graph("partner/t3")}> {{ ex:x ex:p ex:y . }}
"""
TRICKY = [  # what a parse could read too narrowly: graph names, zero-length paths, later operations
    "INSERT { GRAPH <%(t1)s> { ?s ex:reach ?o } } WHERE { GRAPH <%(t1)s> { ?s ex:p* ?o } }",
    "INSERT { GRAPH <%(t1)s> { ?s ex:other ?o } } WHERE { GRAPH <%(t1)s> { ?s !ex:p ?o } }",
    "INSERT { GRAPH <%(t3)s> { ?g ex:seen true } } WHERE { GRAPH ?g { OPTIONAL { ?s ex:absent ?o } } }",
    "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { VALUES ?g { <%(t3)s> } GRAPH ?g { ?s ?p ?o } }",
    "INSERT { GRAPH <%(t3)s> { ex:count ex:n ?n } } WHERE { SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } }",
    "INSERT { GRAPH <%(t3)s> { ?s ex:lone true } } WHERE { GRAPH <%(t1)s> { ?s a ex:C } "
    'FILTER NOT EXISTS { GRAPH <%(t2)s> { ?s ex:q "3" } } MINUS { GRAPH <%(t2)s> { ?s ex:r ?v } } }',
    "INSERT DATA { GRAPH <%(t1)s> { ex:k ex:p ex:l } } ; DELETE WHERE { GRAPH <%(t1)s> { ex:k ?p ?o } } ; "
    "INSERT { GRAPH <%(t3)s> { ?s ?p ?o } } WHERE { GRAPH <%(t1)s> { ?s ex:p ?o BIND (ex:p AS ?p) } }",
    "BASE <%(base)s> INSERT DATA { GRAPH <partner/t3> { <rel> <p> <o> } }",
    "PREFIX g: <%(base)s> DELETE WHERE { GRAPH g:partner\\/t2 { ?s ex:r ?o } }",
    "INSERT { GRAPH <%(t1)s> { ?s ex:node [ ex:v ?o ] } } WHERE { GRAPH <%(t1)s> { ?s ex:p ?o } }",
]


@pytest.mark.parametrize("text", TRICKY)
def test_the_change_is_what_the_engine_does(store, text):
    def canonical(quads):  # blank nodes get new labels in each store: counted, not compared
        named = {str(q) for q in quads if "_:" not in str(q)}
        return named, len(quads) - len(named)

    store.update(f"INSERT DATA {{ {_trig_as_update(TRIG)} }}")
    before = set(store.quads())
    text = f"PREFIX ex: <{EX}> " + text % {
        "t1": graph("partner/t1"),
        "t2": graph("partner/t2"),
        "t3": graph("partner/t3"),
        "base": graph(""),
    }
    engine = Store()
    engine.extend(before)
    engine.update(text)
    scope = read(text).scope
    added, removed = update_change(store, text, scope.reads, scope.writes, scope.graph_names)
    assert canonical((before - set(removed)) | set(added)) == canonical(list(engine))


def _trig_as_update(trig: str) -> str:
    quads = parse(trig.encode(), RdfFormat.TRIG)
    return " ".join(f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in quads)
