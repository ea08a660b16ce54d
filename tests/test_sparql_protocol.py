"""SPARQL 1.1 Protocol and Graph Store Protocol over HTTP, on the embedded and the remote backend."""

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import RdfFormat, parse

from pic.graph.settings import Settings
from pic.service.app import create_app
from tests.conftest import OxigraphServer

TOKEN = "test-admin-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
LENS = "https://w3id.org/pic-euralens/id/territory/commune/62498"
CODE_QUERY = f"SELECT ?code WHERE {{ <{LENS}> <http://rdf.insee.fr/def/geo#codeINSEE> ?code }}"
PRIVATE = "https://w3id.org/pic-euralens/id/graph/private/aula/draft"
SECRET = '<https://w3id.org/pic-euralens/id/test/secret> <http://www.w3.org/2000/01/rdf-schema#label> "secret"@fr .'


@pytest.fixture(scope="module", params=["embedded", "remote"])
def client(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"sparql-{request.param}")
    server = None
    if request.param == "remote":
        server = OxigraphServer(tmp / "oxigraph")
        settings = Settings(
            data_dir=tmp / "data",
            admin_token=TOKEN,
            store="remote",
            sparql_query_url=f"{server.url}/query",
            sparql_update_url=f"{server.url}/update",
            graph_store_url=f"{server.url}/store",
            query_timeout=5,
            max_rows=100,
        )
    else:
        settings = Settings(data_dir=tmp / "data", admin_token=TOKEN, query_timeout=3, max_rows=100)
    with TestClient(create_app(settings)) as c:
        c.backend = request.param
        r = c.put(
            "/rdf-graphs",
            params={"graph": PRIVATE},
            content=SECRET.encode(),
            headers={**ADMIN, "Content-Type": "application/n-triples"},
        )
        assert r.status_code == 201, r.text
        yield c
    if server:
        server.stop()


def test_get_with_json_results(client):
    r = client.get("/sparql", params={"query": CODE_QUERY})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert r.json()["results"]["bindings"][0]["code"]["value"] == "62498"


@pytest.mark.parametrize(
    "accept,check",
    [
        ("application/sparql-results+xml", lambda body: "62498" in ET.fromstring(body).itertext()),
        ("text/csv", lambda body: list(csv.reader(io.StringIO(body.decode())))[1] == ["62498"]),
        ("text/tab-separated-values", lambda body: '"62498"' in body.decode()),
    ],
)
def test_result_formats_by_accept(client, accept, check):
    r = client.get("/sparql", params={"query": CODE_QUERY}, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept.split(";")[0])
    assert check(r.content), r.content


def test_post_form_and_direct(client):
    form = client.post("/sparql", data={"query": CODE_QUERY})
    direct = client.post("/sparql", content=CODE_QUERY, headers={"Content-Type": "application/sparql-query"})
    assert form.status_code == direct.status_code == 200
    assert form.json()["results"] == direct.json()["results"]
    assert client.post("/sparql", content=CODE_QUERY, headers={"Content-Type": "text/plain"}).status_code == 415


@pytest.mark.parametrize(
    "accept,fmt",
    [
        ("text/turtle", RdfFormat.TURTLE),
        ("application/n-triples", RdfFormat.N_TRIPLES),
        ("application/ld+json", RdfFormat.JSON_LD),
        ("application/rdf+xml", RdfFormat.RDF_XML),
    ],
)
def test_construct_in_every_graph_format(client, accept, fmt):
    q = f"CONSTRUCT {{ <{LENS}> ?p ?o }} WHERE {{ <{LENS}> ?p ?o }}"
    r = client.get("/sparql", params={"query": q}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert len(list(parse(r.content, fmt))) > 5


def test_service_description_on_a_bare_get(client):
    r = client.get("/sparql")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    triples = list(parse(r.content, RdfFormat.TURTLE))
    assert any(t.object.value == "http://www.w3.org/ns/sparql-service-description#Service" for t in triples)


def test_a_malformed_query_gets_400_with_its_position(client):
    r = client.get("/sparql", params={"query": "SELECT ?s WHERE {\n ?s ?p }"})
    assert r.status_code == 400
    error = r.json()["error"]
    if client.backend == "embedded":
        assert error["line"] == 2 and error["column"] > 0, error


def test_an_update_sent_to_the_query_endpoint_is_refused_and_changes_nothing(client):
    update = "INSERT DATA { GRAPH <https://w3id.org/pic-euralens/id/graph/partner/x> { <urn:a> <urn:b> <urn:c> } }"
    r = client.post("/sparql", data={"query": update})
    assert r.status_code == 400 and "/update" in r.json()["error"]["message"]
    assert not client.get("/sparql", params={"query": "ASK { <urn:a> <urn:b> <urn:c> }"}).json()["boolean"]


def test_update_needs_the_admin_token(client):
    update = "INSERT DATA { GRAPH <https://w3id.org/pic-euralens/id/graph/partner/x> { <urn:a> <urn:b> <urn:c> } }"
    assert client.post("/update", data={"update": update}).status_code == 401
    assert (
        client.post("/update", data={"update": update}, headers={"Authorization": "Bearer wrong"}).status_code == 401
    )  # RFC 6750: invalid token
    if "partner-for-update" not in [u["name"] for u in client.app.state.accounts.users()]:
        client.app.state.accounts.add("partner-for-update", "partner", "x", "pw")
    partner = client.app.state.accounts.new_token("partner-for-update")
    assert (
        client.post("/update", data={"update": update}, headers={"Authorization": f"Bearer {partner}"}).status_code
        == 403
    )  # needs the admin role
    r = client.post("/update", content=update, headers={**ADMIN, "Content-Type": "application/sparql-update"})
    assert r.status_code == 204, r.text
    assert client.get("/sparql", params={"query": "ASK { <urn:a> <urn:b> <urn:c> }"}).json()["boolean"]
    # recorded like any other change, for the changed graph's readers (a public graph: everyone); the
    # text, whose WHERE could name what they may not read, for facilitators and admins only
    recorded = {"query": "ASK { ?c <http://purl.org/dc/terms/source> 'SPARQL Update' }"}
    assert client.get("/sparql", params=recorded, headers=ADMIN).json()["boolean"]
    assert client.get("/sparql", params=recorded).json()["boolean"]
    text = {"query": "ASK { ?c <http://purl.org/dc/terms/description> ?text FILTER CONTAINS(?text, 'urn:a') }"}
    assert client.get("/sparql", params=text, headers=ADMIN).json()["boolean"]
    assert not client.get("/sparql", params=text).json()["boolean"]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?l WHERE { ?s ?p ?l FILTER(STR(?l) = 'secret') }",
        f"SELECT ?l FROM <{PRIVATE}> WHERE {{ ?s ?p ?l }}",
        f"SELECT ?l FROM NAMED <{PRIVATE}> WHERE {{ GRAPH ?g {{ ?s ?p ?l }} }}",
        "SELECT ?l WHERE { GRAPH ?g { ?s ?p ?l FILTER(STR(?l) = 'secret') } }",
        f"SELECT ?l WHERE {{ GRAPH <{PRIVATE}> {{ ?s ?p ?l }} }}",
    ],
)
def test_a_private_graph_never_reaches_anonymous_users(client, query):
    anonymous = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert anonymous.status_code == 200 and "secret" not in anonymous.text
    with_param = client.get(
        "/sparql",
        params={"query": query, "default-graph-uri": PRIVATE, "named-graph-uri": PRIVATE},
        headers={"Accept": "text/csv"},
    )
    assert "secret" not in with_param.text
    admin = client.get("/sparql", params={"query": query}, headers={**ADMIN, "Accept": "text/csv"})
    assert "secret" in admin.text


def test_service_is_refused(client):
    q = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    r = client.get("/sparql", params={"query": q})
    assert r.status_code == 400 and "SERVICE" in r.json()["error"]["message"]


def test_cors_for_reads(client):
    r = client.get("/sparql", params={"query": CODE_QUERY}, headers={"Origin": "https://example.org"})
    assert r.headers.get("access-control-allow-origin") == "*"


def test_graph_store_read_write_delete(client):
    g = "https://w3id.org/pic-euralens/id/graph/partner/gsp"
    doc = (
        "<https://w3id.org/pic-euralens/id/actor/gsp> a <http://www.w3.org/ns/org#FormalOrganization> ; "
        '<http://www.w3.org/2000/01/rdf-schema#label> "GSP"@fr ; <http://xmlns.com/foaf/0.1/name> "GSP" .'
    )
    headers = {**ADMIN, "Content-Type": "text/turtle"}
    assert client.put("/rdf-graphs", params={"graph": g}, content=doc).status_code == 401
    assert client.put("/rdf-graphs", params={"graph": g}, content=doc, headers=headers).status_code == 201
    got = client.get("/rdf-graphs", params={"graph": g}, headers={"Accept": "application/n-triples"})
    assert got.status_code == 200 and len(got.text.strip().splitlines()) == 3
    assert client.head("/rdf-graphs", params={"graph": g}).status_code == 200
    bad = client.post("/rdf-graphs", params={"graph": g}, content=b"<a> <b> .\n<c> <d> <e> .", headers=headers)
    assert bad.status_code == 400 and bad.json()["error"]["line"] == 1
    second_name = b'<https://w3id.org/pic-euralens/id/actor/gsp> <http://xmlns.com/foaf/0.1/name> "Other" .'
    invalid = client.post("/rdf-graphs", params={"graph": g}, headers=headers, content=second_name)
    assert invalid.status_code == 422 and invalid.json()["error"]["problems"]
    assert client.put("/rdf-graphs", params={"graph": g}, content=doc, headers=headers).status_code == 204
    assert client.delete("/rdf-graphs", params={"graph": g}, headers=ADMIN).status_code == 204
    assert client.get("/rdf-graphs", params={"graph": g}).status_code == 404
    assert client.get("/rdf-graphs", params={"graph": PRIVATE}).status_code == 404


def test_saved_queries_api(client):
    listing = client.get("/api/queries").json()
    assert len(listing) >= 20 and all(q["title"]["fr"] and q["title"]["en"] for q in listing)
    r = client.get("/api/queries/actors-of-territory", params={"territory": LENS})
    assert r.status_code == 200, r.text
    assert all(b["where"]["value"] == LENS for b in r.json()["results"]["bindings"])
    csv_answer = client.get("/api/queries/population-by-epci", params={"format": "csv"})
    assert csv_answer.headers["content-type"].startswith("text/csv") and "246200364" in csv_answer.text
    bad = client.get("/api/queries/actors-of-territory", params={"territory": "x> } ; DROP ALL ; <y"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "territory"  # no territory has this name
    assert client.get("/api/queries/actors-of-territory", params={"nope": "1"}).status_code == 400
    unknown = client.get("/api/queries/no-such-query")
    assert unknown.status_code == 404 and "GET /api/queries" in unknown.json()["error"]["message"]
    assert client.post("/api/queries/actors-of-territory").status_code == 405
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/api/queries/actors-of-territory"]["get"]
    assert "territory" in {p["name"] for p in operation["parameters"]}


def test_results_past_the_row_limit_are_cut_on_both_backends(client):
    q = "SELECT ?o WHERE { ?o a <http://purl.org/linked-data/cube#Observation> }"
    r = client.get("/sparql", params={"query": q}, headers={"Accept": "text/csv"})
    assert r.status_code == 200
    assert len(r.text.strip().splitlines()) == 1 + 100
    assert r.headers["X-PIC-Truncated"] == "true"


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "load<http://127.0.0.1:9/x>",
        "INSERT DATA { <urn:a> <urn:b> 1 } ; LOAD SILENT <urn:x> ; LOAD <urn:y>",
    ],
)
def test_load_is_refused_even_for_admins(client, update):
    r = client.post("/update", data={"update": update}, headers=ADMIN)
    assert r.status_code == 400 and "LOAD" in r.json()["error"]["message"]


def test_load_silent_fetches_nothing_and_succeeds_as_the_spec_says(client):
    """Nothing leaves the machine: a silent LOAD is a fetch that failed, which SILENT makes a success."""
    r = client.post("/update", data={"update": "LOAD SILENT <http://127.0.0.1:9/x> INTO GRAPH <urn:g>"}, headers=ADMIN)
    assert r.status_code == 204, r.text
