"""Dereferenceable IRIs: content negotiation for every kind of entity and for the ontology (parsed back
and compared with the store), the JSON twin, real 404s, private graphs, and the pages in Chromium."""

import html

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, RdfFormat, Variable, parse

from pic.graph.settings import Settings
from pic.graph.store.interface import bind
from pic.service.app import create_app
from tests.browser import offline_page

ID = "https://w3id.org/pic-euralens/id/"
TOKEN = "ld-admin"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
ENTITIES = {
    "actor": "actor/louvre-lens",
    "project": "project/observatoire-habitat-minier",
    "study": "study/etat-impacts-2021",
    "indicator": "indicator/taux-chomage",
    "territory": "territory/epci/246200364",
    "theme": "theme/culture",
    "group": "group/impacts-louvre-lens",
    "question": "question/creation-emplois",
    "observation": "observation/taux-chomage/246200364/2024",
}
FORMATS = {
    "text/turtle": RdfFormat.TURTLE,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
}
PRIVATE = f"{ID}graph/private/aula/draft"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("ld") / "data", admin_token=TOKEN)
    with TestClient(create_app(settings)) as c:
        secret = f'<{ID}study/secret-draft> <http://www.w3.org/2000/01/rdf-schema#label> "Brouillon secret"@fr .'
        r = c.put(
            "/rdf-graphs",
            params={"graph": PRIVATE},
            content=secret.encode(),
            headers={**ADMIN, "Content-Type": "application/n-triples"},
        )
        assert r.status_code == 201, r.text
        yield c


def in_store(client, iri: str) -> set[str]:
    store = client.app.state.writer.store
    text = bind("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {Variable("s"): NamedNode(iri)})
    return {str(t) for t in store.query(text)}


@pytest.mark.parametrize("kind", sorted(ENTITIES))
@pytest.mark.parametrize("media", sorted(FORMATS))
def test_content_negotiation_gives_the_stores_statements(client, kind, media):
    path = ENTITIES[kind]
    r = client.get(f"/id/{path}", headers={"Accept": media})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert "Accept" in r.headers["vary"]
    got = {str(q.triple) for q in parse(r.content, FORMATS[media], base_iri=ID + path)}
    # the facts (the demo's invented links about euralens's entities are the demo's claims: not merged),
    # and every statement, each in the graph that said it, in the dataset (tests/test_claims_in_exports.py)
    trig = client.get(f"/id/{path}.trig")
    said = {str(q.triple) for q in parse(trig.content, RdfFormat.TRIG, base_iri=ID + path)}
    assert got and got <= said == in_store(client, ID + path)


@pytest.mark.parametrize(
    ("suffix", "media"),
    [
        (".ttl", "text/turtle"),
        (".jsonld", "application/ld+json"),
        (".nt", "application/n-triples"),
        (".rdf", "application/rdf+xml"),
    ],
)
def test_suffixes_choose_the_format(client, suffix, media):
    r = client.get(f"/id/{ENTITIES['actor']}{suffix}")
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)


@pytest.mark.parametrize("kind", sorted(ENTITIES))
def test_the_html_page_and_its_json_twin(client, kind):
    page = client.get(f"/id/{ENTITIES[kind]}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    twin = client.get(f"/id/{ENTITIES[kind]}", headers={"Accept": "application/json"}).json()
    assert twin["kind"] == kind and twin["iri"] == ID + ENTITIES[kind]
    assert html.unescape(page.text).count(twin["label"]) >= 1 and twin["statements"]


def test_unknown_iris_are_real_404s(client):
    page = client.get("/id/actor/nobody", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "text/html" in page.headers["content-type"] and "404" in page.text
    assert client.get("/id/actor/nobody", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/id/actor/nobody.jsonld").json()["error"]["status"] == 404


def test_the_ontology_is_served_with_its_documentation(client):
    store = client.app.state.writer.store
    graph = client.app.state.settings.names.ontology
    expected = {str(t) for t in store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")}
    r = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and "Accept" in r.headers["vary"]
    got = {str(q.triple) for q in parse(r.content, RdfFormat.TURTLE)}

    def ground(triples):  # blank node labels differ between serialisations
        return {t for t in triples if "_:" not in t}

    assert len(got) == len(expected) and ground(got) == ground(expected)
    assert any("cooperatesWith" in t for t in got)
    assert ground({str(q.triple) for q in parse(client.get("/ontology.jsonld").content, RdfFormat.JSON_LD)}) == ground(
        got
    )
    page = client.get("/ontology", headers={"Accept": "text/html"}).text
    assert 'id="cooperatesWith"' in page and "coopère avec" in page.lower()
    assert "cooperates with" in client.get("/ontology?lang=en").text.lower()


def test_a_private_entity_is_not_found_by_those_who_may_not_read_it(client):
    path = "/id/study/secret-draft"
    assert client.get(path).status_code == 404
    assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 404
    assert "Brouillon secret" in client.get(path, headers=ADMIN).text


def test_entity_pages_render_offline_with_links_chart_and_mini_network(live_server):
    with offline_page(live_server) as (page, blocked):
        page.goto(f"{live_server}/id/actor/louvre-lens")
        assert "Musée du Louvre-Lens" in page.inner_text("h1")
        assert page.locator(".entity-picture svg").count() == 1  # the ego network
        page.locator('#statements a[href^="/id/territory/"]').first.click()
        page.wait_for_load_state()
        assert "/id/territory/" in page.url and page.locator("#incoming a").count() > 0
        page.goto(f"{live_server}/id/indicator/taux-chomage?lang=en")
        assert page.locator(".entity-picture svg").count() == 1  # the series chart
        assert "Hauts-de-France" in page.inner_text(".entity-picture")
        page.goto(f"{live_server}/id/study/etat-impacts-2021")
        assert page.locator('#statements a[href^="/id/"]').count() > 0
        assert page.locator("#section-built-on-by a").count() > 0  # its successor, the other way round
        page.goto(f"{live_server}/id/study/frequentation-habitants-louvre-lens?lang=fr")  # English was remembered
        assert "1 500 foyers" in page.inner_text(".abstract")
        with page.expect_download() as download:
            page.locator('#section-documents a[href$="/file"]').click()
        assert download.value.suggested_filename.endswith("-fictif.pdf")
        # a demo project (the demo's invented roles on euralens's projects are the demo's claims)
        page.goto(f"{live_server}/id/project/emploi-jeunes-culture")
        roles = page.inner_text("#section-roles")
        assert "Pilote" in roles and "Musée du Louvre-Lens" in roles
        page.goto(f"{live_server}/id/territory/commune/62498")
        assert "Pas-de-Calais" in page.inner_text("#section-within")
        assert page.locator("#section-key-indicators tbody tr").count() > 0
        page.locator("#section-covering a").first.click()
        page.wait_for_load_state()
        assert "/id/" in page.url and page.locator("h1").count() == 1
        assert blocked == [], blocked
