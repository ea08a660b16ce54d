"""The standard mode (`PIC_UNION_DEFAULT_GRAPH=false`, issue 18) over HTTP, on both backends: a real
default graph that the Graph Store's `?default` and `/update` without GRAPH write (admins) and queries
read, beside the named graphs the reader may read; and the protocol details the W3C suites check."""

import pytest
from fastapi.testclient import TestClient

from pic.graph.settings import Settings
from pic.service.app import create_app
from tests.conftest import OxigraphServer

TOKEN = "standard-admin"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
NT = {"Content-Type": "application/n-triples"}
UPDATE = {**ADMIN, "Content-Type": "application/sparql-update"}
CSV = {"Accept": "text/csv"}
BASE = "https://w3id.org/pic-euralens/id/"
DEFAULT = f"{BASE}graph/default"
PRIVATE = f"{BASE}graph/private/aula/draft"
EX = "http://example.org/"


def settings_for(backend: str, tmp, union: bool, server=None) -> Settings:
    remote = (
        {
            "store": "remote",
            "sparql_query_url": f"{server.url}/query",
            "sparql_update_url": f"{server.url}/update",
            "graph_store_url": f"{server.url}/store",
        }
        if server
        else {}
    )
    return Settings(
        data_dir=tmp / "data", admin_token=TOKEN, demo=False, union_default_graph=union, query_timeout=5, **remote
    )


@pytest.fixture(scope="module", params=["embedded", "remote"])
def client(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"standard-{request.param}")
    server = OxigraphServer(tmp / "oxigraph") if request.param == "remote" else None
    with TestClient(create_app(settings_for(request.param, tmp, False, server))) as c:
        r = c.put(
            "/rdf-graphs",
            params={"graph": PRIVATE},
            headers={**ADMIN, **NT},
            content=f'<{EX}secret> <{EX}says> "secret" .'.encode(),
        )
        assert r.status_code == 201, r.text
        yield c
    if server:
        server.stop()


def rows(client, query: str, headers=None, **params) -> list[list[str]]:
    r = client.get("/sparql", params={"query": query, **params}, headers={**CSV, **(headers or {})})
    assert r.status_code == 200, r.text
    return [line.split(",") for line in r.text.strip().splitlines()[1:]]


def update(client, text: str, **params):
    return client.post("/update", content=text.encode(), headers=UPDATE, params=params)


def test_the_graph_store_default_graph_is_the_queries_default_graph(client):
    r = client.put("/rdf-graphs?default", headers={**ADMIN, **NT}, content=f"<{EX}a> <{EX}p> <{EX}b> .".encode())
    assert r.status_code in (201, 204), r.text
    assert rows(client, "SELECT ?s WHERE { ?s ?p ?o }") == [[f"{EX}a"]]  # anonymous, no GRAPH
    graphs = [g for (g,) in rows(client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", ADMIN)]
    assert DEFAULT not in graphs and PRIVATE in graphs  # the default graph is not a named graph of the dataset
    got = client.get("/rdf-graphs?default", headers={"Accept": "application/n-triples"})
    assert got.status_code == 200 and f"<{EX}b>" in got.text
    assert client.delete("/rdf-graphs?default", headers=ADMIN).status_code == 204
    assert rows(client, "SELECT ?s WHERE { ?s ?p ?o }") == []
    assert client.get("/rdf-graphs?default").status_code == 200  # it always exists, if empty


def test_only_admins_write_the_default_graph(client):
    assert client.put("/rdf-graphs?default", headers=NT, content=b"").status_code == 401
    assert (
        client.put(
            "/rdf-graphs", params={"default": "", "graph": f"{EX}g"}, headers={**ADMIN, **NT}, content=b""
        ).status_code
        == 400
    )  # one graph at a time


def test_private_graphs_stay_out_of_an_anonymous_dataset(client):
    query = "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert ["secret"] not in rows(client, query)
    assert ["secret"] in rows(client, query, ADMIN)


def test_an_update_without_graph_writes_the_default_graph(client):
    assert update(client, f"INSERT DATA {{ <{EX}u> <{EX}p> 1 }}").status_code == 204
    assert rows(client, f"SELECT ?o WHERE {{ <{EX}u> <{EX}p> ?o }}") == [["1"]]
    r = update(client, f"INSERT DATA {{ GRAPH <{DEFAULT}> {{ <{EX}u> <{EX}p> 2 }} }}")
    assert r.status_code == 400 and "without GRAPH" in r.text
    assert update(client, "CLEAR DEFAULT").status_code == 204
    assert rows(client, f"SELECT ?o WHERE {{ <{EX}u> <{EX}p> ?o }}") == []


def test_drop_all_drops_what_the_admin_may_write_and_keeps_the_platform_graphs(client):
    assert (
        update(client, f"INSERT DATA {{ GRAPH <{EX}g1> {{ <{EX}x> <{EX}p> 1 }} <{EX}y> <{EX}p> 2 }}").status_code == 204
    )
    assert update(client, "DROP ALL").status_code == 204
    graphs = {g for (g,) in rows(client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", ADMIN)}
    assert f"{EX}g1" not in graphs and PRIVATE not in graphs
    assert f"{BASE}graph/provenance" not in graphs  # the records are not in the dataset's named graphs…
    prov = f"{BASE}graph/provenance"  # …but they stay, and FROM NAMED / named-graph-uri name them
    assert rows(client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", ADMIN, **{"named-graph-uri": prov}) == [
        [prov]
    ]
    assert rows(client, "SELECT * WHERE { ?s ?p ?o }") == []
    r = client.put(
        "/rdf-graphs",
        params={"graph": PRIVATE},
        headers={**ADMIN, **NT},
        content=f'<{EX}secret> <{EX}says> "secret" .'.encode(),
    )
    assert r.status_code == 201, r.text  # (for the other tests of the module)


def test_using_graph_uri_is_the_where_clauses_default_graph(client):
    assert update(client, f"INSERT DATA {{ GRAPH <{EX}src> {{ <{EX}d> a <{EX}Doc> }} }}").status_code == 204
    text = f"INSERT {{ GRAPH <{EX}out> {{ ?s a <{EX}Seen> }} }} WHERE {{ ?s a <{EX}Doc> }}"
    assert update(client, text, **{"using-graph-uri": f"{EX}src"}).status_code == 204
    assert (
        client.get(
            "/sparql",
            params={"query": f"ASK {{ GRAPH <{EX}out> {{ <{EX}d> a <{EX}Seen> }} }}"},
            headers={"Accept": "application/sparql-results+json"},
        ).json()["boolean"]
        is True
    )
    conflict = update(
        client, f"WITH <{EX}src> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}", **{"using-named-graph-uri": f"{EX}src"}
    )
    assert conflict.status_code == 400 and "USING or WITH" in conflict.text


def test_load_silent_changes_nothing_and_load_is_refused(client):
    assert update(client, f"LOAD SILENT <{EX}remote.ttl> INTO GRAPH <{EX}g>").status_code == 204
    assert update(client, f"LOAD <{EX}remote.ttl>").status_code == 400


def test_one_query_or_update_per_request(client):
    q = "ASK {}"
    assert client.get("/sparql", params=[("query", q), ("query", q)]).status_code == 400
    assert client.get("/sparql", params={"update": "CLEAR DEFAULT"}).status_code == 400
    form = client.post("/update", data={"update": ["CLEAR DEFAULT", "CLEAR DEFAULT"]}, headers=ADMIN)
    assert form.status_code == 400


def test_relative_iris_in_an_update_resolve_against_the_endpoint(client):
    assert (
        update(
            client, "INSERT DATA { GRAPH <http://example.org/rel> { <thing> <http://example.org/p> 1 } }"
        ).status_code
        == 204
    )
    (subject,) = rows(client, "SELECT ?s WHERE { GRAPH <http://example.org/rel> { ?s ?p ?o } }")[0]
    assert subject.endswith("/thing") and subject.startswith("http")


def test_a_post_without_graph_creates_one_and_its_url_names_it(client):
    r = client.post("/rdf-graphs", headers={**ADMIN, **NT}, content=f"<{EX}n> <{EX}p> <{EX}o> .".encode())
    assert r.status_code == 201, r.text
    location = r.headers["location"]
    got = client.get(location, headers={"Accept": "application/n-triples"})
    assert got.status_code == 200 and f"<{EX}n>" in got.text
    assert (
        client.put(
            "/rdf-graphs/people/1.ttl", headers={**ADMIN, **NT}, content=f"<{EX}m> <{EX}p> <{EX}o> .".encode()
        ).status_code
        == 201
    )
    assert f"<{EX}m>" in client.get("/rdf-graphs/people/1.ttl", headers={"Accept": "application/n-triples"}).text
    assert client.delete("/rdf-graphs/people/1.ttl", headers=ADMIN).status_code == 204
    assert client.get("/rdf-graphs/people/1.ttl").status_code == 404


def multipart(parts: dict[str, tuple[str, str]]) -> tuple[bytes, dict]:
    """A multipart/form-data body of RDF documents: {name: (media type, text)}."""
    boundary = "a6fe4cd636164618814be9f8d3d1a0de"
    body = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
        f"Content-Type: {media}\r\n\r\n{text}\r\n"
        for name, (media, text) in parts.items()
    )
    return f"{body}--{boundary}--\r\n".encode(), {**ADMIN, "Content-Type": f"multipart/form-data; boundary={boundary}"}


def test_a_multipart_post_adds_every_part_and_a_bad_part_adds_nothing(client):
    graph = f"{EX}multipart"
    body, headers = multipart(
        {
            "a.ttl": ("text/turtle; charset=utf-8", f'<{EX}p1> <{EX}name> "Doe" .'),
            "b.nt": ("application/n-triples", f'<{EX}p1> <{EX}given> "Jane" .'),
        }
    )
    assert client.post("/rdf-graphs", params={"graph": graph}, content=body, headers=headers).status_code == 201
    got = client.get("/rdf-graphs", params={"graph": graph}, headers={"Accept": "application/n-triples"}).text
    assert '"Doe"' in got and '"Jane"' in got
    body, headers = multipart(
        {"ok.ttl": ("text/turtle", f'<{EX}p1> <{EX}more> "x" .'), "bad.ttl": ("text/turtle", f"<{EX}p1> <{EX}broken> ")}
    )
    r = client.post("/rdf-graphs", params={"graph": graph}, content=body, headers=headers)
    assert r.status_code == 400 and "bad.ttl" in r.text, r.text
    body, headers = multipart({"c.csv": ("text/csv", "a,b")})
    r = client.post("/rdf-graphs", params={"graph": graph}, content=body, headers=headers)
    assert r.status_code == 415 and "c.csv" in r.text, r.text
    got = client.get("/rdf-graphs", params={"graph": graph}, headers={"Accept": "application/n-triples"}).text
    assert '"x"' not in got and '"Doe"' in got


def test_a_multipart_post_cut_before_its_closing_boundary_is_a_400_not_a_204(client):
    """Fourteenth outside re-test: a body whose last line was `--zz` instead of `--zz--` answered 204 and
    wrote nothing; the client was told its data was saved."""
    graph = f"{EX}multipart-cut"
    body, headers = multipart({"a.ttl": ("text/turtle", f'<{EX}p2> <{EX}name> "Cut" .')})
    cut = body.removesuffix(b"--\r\n")
    r = client.post("/rdf-graphs", params={"graph": graph}, content=cut, headers=headers)
    if r.status_code < 300:  # whatever the parser made of it, it is written
        got = client.get("/rdf-graphs", params={"graph": graph}, headers={"Accept": "application/n-triples"})
        assert '"Cut"' in got.text, (r.status_code, got.text)
    else:
        assert r.status_code == 400 and "closing boundary" in r.json()["error"]["message"], r.text


def test_the_service_description_says_which_dataset(client, tmp_path):
    standard = client.get("/sparql").text
    assert "UnionDefaultGraph" not in standard and DEFAULT in standard
    with TestClient(create_app(settings_for("embedded", tmp_path, True))) as union_client:
        union = union_client.get("/sparql").text
        assert "sd:UnionDefaultGraph" in union
        r = union_client.put("/rdf-graphs?default", headers={**ADMIN, **NT}, content=b"")
        assert r.status_code == 400 and "PIC_UNION_DEFAULT_GRAPH" in r.text


# -- what an outside tester found in the first version (each failed then) ------------------------------
def test_using_graph_uri_is_an_iri_never_text_pasted_into_the_update(client):
    injected = (
        f"{EX}a> WHERE {{ }} ; INSERT DATA {{ <{EX}inj> <{EX}p> 1 }} ; INSERT {{ <{EX}q> <{EX}p> 1 }} USING <{EX}b"
    )
    r = update(
        client, f"INSERT {{ GRAPH <{EX}ug> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}", **{"using-graph-uri": injected}
    )
    assert r.status_code == 400 and "not an IRI" in r.text
    assert (
        rows(client, f"SELECT * WHERE {{ {{ <{EX}inj> ?p ?o }} UNION {{ GRAPH ?g {{ <{EX}inj> ?p ?o }} }} }}", ADMIN)
        == []
    )


def test_delete_where_takes_the_protocols_graph_too(client):
    assert (
        update(
            client,
            f"INSERT DATA {{ <{EX}keep> <{EX}p> 1 . <{EX}v> <{EX}p> 1 . GRAPH <{EX}vis> {{ <{EX}v> <{EX}p> 1 }} }}",
        ).status_code
        == 204
    )
    assert update(client, "DELETE WHERE { ?s ?p ?o }", **{"using-graph-uri": f"{EX}vis"}).status_code == 204
    assert rows(client, "SELECT ?s WHERE { ?s ?p ?o }") == [[f"{EX}keep"]]  # only what matched in <vis>
    assert update(client, "CLEAR DEFAULT ; DROP GRAPH <http://example.org/vis>").status_code == 204


def test_relative_iris_in_a_query_resolve_against_the_endpoint(client):
    (iri,) = rows(client, "SELECT ?x WHERE { BIND (<foo> AS ?x) }")[0]
    assert iri == "http://testserver/foo"  # the endpoint's URL, not the engine's address


def test_percent_encoded_dot_segments_are_refused_in_graph_names(client):
    name = f"{BASE}graph/partner/aula/%2E%2E/%2E%2E/provenance"
    r = client.put(
        "/rdf-graphs", params={"graph": name}, headers={**ADMIN, **NT}, content=f"<{BASE}study/x> <{EX}p> 1 .".encode()
    )
    assert r.status_code == 400, r.text
    assert client.put("/rdf-graphs/a/%2E%2E/b", headers={**ADMIN, **NT}, content=b"").status_code in (400, 404)


def test_the_text_is_in_the_body_or_in_the_url_never_both(client):
    assert (
        client.post(
            "/update", params={"update": "CLEAR DEFAULT"}, data={"update": "CLEAR DEFAULT"}, headers=ADMIN
        ).status_code
        == 400
    )
    assert client.post("/sparql", data={"query": "ASK {}", "update": "CLEAR DEFAULT"}).status_code == 400
    assert (
        client.post(
            "/sparql",
            params={"query": "ASK {}"},
            content=b"ASK {}",
            headers={"Content-Type": "application/sparql-query"},
        ).status_code
        == 400
    )


def test_percent_encoded_bytes_that_are_not_utf8_are_refused(client):
    form = client.post(
        "/update",
        content=b"update=INSERT+DATA+%7B+%3Curn%3Aa%3E+%3Curn%3Ab%3E+%22caf%E9%22+%7D",
        headers={**ADMIN, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 400 and "UTF-8" in form.text
    assert client.get("/sparql?query=ASK%20%7B%20FILTER(%22%E9%22)%20%7D").status_code == 400
    bom = client.post(
        "/sparql",
        content="\ufeffASK {}".encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    assert bom.status_code == 200, bom.text


def test_the_service_description_claims_no_federation_it_refuses_and_speaks_rdf_formats(client):
    assert "BasicFederatedQuery" not in client.get("/sparql").text  # SERVICE is off (empty allowlist)
    r = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    assert "sparql-service-description" in r.text


def test_relative_iris_in_a_graph_store_body_resolve_against_the_graph(client):
    r = client.put("/rdf-graphs/rel.ttl", headers={**ADMIN, "Content-Type": "text/turtle"}, content=b'<s> <p> "x" .')
    assert r.status_code == 201, r.text
    (subject,) = rows(client, "SELECT ?s WHERE { GRAPH <http://testserver/rdf-graphs/rel.ttl> { ?s ?p ?o } }")[0]
    assert subject == "http://testserver/rdf-graphs/s"


def test_in_the_union_mode_an_update_may_not_use_the_default_graph(tmp_path):
    with TestClient(create_app(settings_for("embedded", tmp_path, True))) as union:
        for text in (
            "DELETE WHERE { ?s ?p ?o }",
            "DROP DEFAULT",
            "CLEAR DEFAULT",
            f"COPY DEFAULT TO <{EX}z>",
            f"DELETE DATA {{ <{EX}d> <{EX}p> 1 }}",
            f"INSERT {{ GRAPH <{EX}g> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}",
        ):
            r = union.post("/update", content=text.encode(), headers=UPDATE)
            assert r.status_code == 400 and "union" in r.text, (text, r.text)
        assert (
            union.post(
                "/update", content=f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}d> <{EX}p> 1 }} }}".encode(), headers=UPDATE
            ).status_code
            == 204
        )


def test_json_ld_is_one_graphs_content_and_a_named_graph_in_it_is_refused(client):
    """The Graph Store said it takes JSON-LD and answered 415 to it (pyoxigraph counts JSON-LD among the
    dataset formats); a JSON-LD body that names a graph of its own is refused, not dropped (third outside
    re-test: 204, nothing written)."""
    graph, ld = f"{EX}json-ld", {**ADMIN, "Content-Type": "application/ld+json"}
    plain = f'{{"@id": "{EX}a", "{EX}p": "plain"}}'.encode()
    assert client.put("/rdf-graphs", params={"graph": graph}, content=plain, headers=ld).status_code == 201
    got = client.get("/rdf-graphs", params={"graph": graph}, headers={"Accept": "application/n-triples"}).text
    assert '"plain"' in got, got
    named = f'{{"@id": "{EX}elsewhere", "@graph": [{{"@id": "{EX}a", "{EX}p": "named"}}]}}'.encode()
    r = client.post("/rdf-graphs", params={"graph": graph}, content=named, headers=ld)
    assert r.status_code == 400 and f"{EX}elsewhere" in r.text, r.text
    assert (
        '"named"'
        not in client.get("/rdf-graphs", params={"graph": graph}, headers={"Accept": "application/n-triples"}).text
    )


def test_removing_some_blank_node_statements_is_refused_and_the_whole_graph_may_go(client):
    """As the README says: a change is applied as the statements it removes and adds, and no update can
    name a blank node, so removing some of a graph's blank-node statements is refused (400, nothing
    removed); dropping the graph removes them all."""
    graph = f"{EX}blank-nodes"
    inserted = update(client, f'INSERT DATA {{ GRAPH <{graph}> {{ _:a <{EX}p> "1" . _:b <{EX}p> "2" }} }}')
    assert inserted.status_code == 204, inserted.text
    r = update(client, f'DELETE WHERE {{ GRAPH <{graph}> {{ ?b <{EX}p> "1" }} }}')
    assert r.status_code == 400 and "blank nodes" in r.json()["error"]["message"], r.text
    assert len(rows(client, f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", ADMIN)) == 2
    assert update(client, f"DROP GRAPH <{graph}>").status_code == 204
    assert rows(client, f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", ADMIN) == []
