"""The map pages and their exports over HTTP: formats, filters in the query string, errors, and private
graphs that never reach a map drawn for someone who may not read them."""

import csv
import io
import re

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from pic.graph.settings import Settings
from pic.service.app import create_app

TOKEN = "maps-admin-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
ID = "https://w3id.org/pic-euralens/id/"
PRIVATE = f"{ID}graph/private/aula/draft"
SECRET = f"""
@prefix pic: <https://w3id.org/pic-euralens/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<{ID}actor/secret-partner> a org:FormalOrganization ; rdfs:label "Partenaire secret"@fr ;
    foaf:name "Partenaire secret" ; org:classification <{ID}actor-type/association> .
<{ID}project/secret-plan> a pic:Project ; rdfs:label "Projet secret"@fr ; dcterms:title "Projet secret"@fr ;
    prov:startedAtTime "2020-01-01T00:00:00"^^xsd:dateTime ; dcterms:subject <{ID}theme/culture> ;
    prov:qualifiedAssociation <{ID}association/secret-1> , <{ID}association/secret-2> .
<{ID}association/secret-1> a prov:Association ; prov:agent <{ID}actor/euralens> ; prov:hadRole <{ID}role/pilote> .
<{ID}association/secret-2> a prov:Association ; prov:agent <{ID}actor/secret-partner> ;
    prov:hadRole <{ID}role/partenaire> .
"""
KINDS = ["cooperation", "knowledge-flows", "actor-project", "citations", "actor-territory"]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("maps") / "data", admin_token=TOKEN, query_timeout=10)
    with TestClient(create_app(settings)) as c:
        r = c.put(
            "/rdf-graphs",
            params={"graph": PRIVATE},
            content=SECRET.encode(),
            headers={**ADMIN, "Content-Type": "text/turtle"},
        )
        assert r.status_code == 201, r.text
        yield c


def graph_of(client, path, **params) -> nx.Graph:
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text
    return nx.read_graphml(io.BytesIO(r.content))


@pytest.mark.parametrize("kind", KINDS)
def test_every_map_page_renders_from_this_server_only(client, kind):
    r = client.get(f"/maps/{kind}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert 'src="/vendor/vis-network.min.js"' in r.text and 'id="legend"' in r.text
    assert "cdn" not in r.text.lower() and 'src="http' not in r.text and 'href="http' not in r.text
    assert graph_of(client, f"/maps/{kind}.graphml").number_of_nodes() > 3


@pytest.mark.parametrize(
    ("ext", "media", "check"),
    [
        ("gexf", "application/gexf+xml", lambda b: nx.read_gexf(io.BytesIO(b)).number_of_edges() > 10),
        ("graphml", "application/graphml+xml", lambda b: nx.read_graphml(io.BytesIO(b)).number_of_edges() > 10),
        ("json", "application/json", lambda b: b'"edges"' in b),
        ("csv", "text/csv", lambda b: next(csv.reader(io.StringIO(b.decode())))[:3] == ["iri", "label", "label_en"]),
        ("svg", "image/svg+xml", lambda b: b"<svg" in b[:500]),
        ("png", "image/png", lambda b: b.startswith(b"\x89PNG")),
        ("html", "text/html", lambda b: b"vis.Network" in b and b'src="http' not in b),
    ],
)
def test_exports_by_suffix(client, ext, media, check):
    r = client.get(f"/maps/cooperation.{ext}", params={"theme": "culture"})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert check(r.content)


def test_filters_in_the_query_string_change_the_map(client):
    everything = graph_of(client, "/maps/cooperation.graphml")
    culture = graph_of(client, "/maps/cooperation.graphml", theme="culture")
    assert 0 < culture.number_of_edges() < everything.number_of_edges()
    ego = graph_of(client, "/maps/cooperation.graphml", ego="actor/louvre-lens")
    assert f"{ID}actor/louvre-lens" in ego and ego.number_of_nodes() < everything.number_of_nodes()
    community = client.get("/maps/cooperation", params={"colour": "community", "lang": "en"})
    assert "Community 1" in community.text and "Cooperation" in community.text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"min_weight": "0"}, "min_weight"),
        ({"from": "2020", "until": "2010"}, "until"),
        ({"colour": "rainbow"}, "colour"),
        ({"unknown": "1"}, "unknown"),
    ],
)
def test_bad_filters_get_400_with_the_field(client, params, field):
    r = client.get("/maps/cooperation", params=params)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == field


def test_a_theme_no_entity_is_named_gets_422_with_the_field(client):
    """A theme is asked by its name (issue 21, 1): a word that names none is said beside the field."""
    r = client.get("/maps/cooperation", params={"theme": "a b"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "theme", r.text


def test_unknown_kind_format_and_ego_get_404(client):
    assert client.get("/maps/nothing").status_code == 404
    assert client.get("/maps/cooperation.doc").status_code == 404
    r = client.get("/maps/cooperation", params={"ego": "https://w3id.org/pic-euralens/id/actor/nobody"})
    assert r.status_code == 404 and r.json()["error"]["field"] == "ego"
    r = client.get("/maps/cooperation", params={"ego": "actor/nobody"})  # no entity there: read as a name
    assert r.status_code == 422 and r.json()["error"]["field"] == "ego"


def test_what_changed_page_and_its_json_twin(client):
    data = client.get("/maps/cooperation/changes", params={"before": 2012, "after": 2024, "format": "json"}).json()
    assert data["new_ties"] and all(len(t) == 2 for t in data["new_ties"])
    page = client.get("/maps/cooperation/changes", params={"before": 2012, "after": 2024})
    assert page.status_code == 200 and 'id="new-ties"' in page.text


def test_a_private_graph_never_reaches_an_anonymous_map(client):
    secret = f"{ID}actor/secret-partner"
    for ext in ("graphml", "csv", "json"):
        anonymous = client.get(f"/maps/cooperation.{ext}")
        assert "secret" not in anonymous.text.lower()
        admin = client.get(f"/maps/cooperation.{ext}", headers=ADMIN)
        assert secret in admin.text
    page = client.get("/maps/actor-project")
    assert "Projet secret" not in page.text and "Partenaire secret" not in page.text
    assert "Partenaire secret" in client.get("/maps/actor-project", headers=ADMIN).text
    assert "secret" not in client.get("/maps/cooperation/changes", params={"format": "json"}).text.lower()


def test_the_map_script_comes_from_the_installed_pyvis(client):
    r = client.get("/vendor/vis-network.min.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert b"vis-network" in r.content[:2000] or len(r.content) > 100_000
    assert client.get("/maps/static/map.js").status_code == 200
    assert client.get("/maps/static/other.js").status_code == 404


PAYLOAD = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def test_user_text_is_escaped_on_the_map_page_and_in_its_data(client):
    turtle = SECRET.replace("Partenaire secret", PAYLOAD.replace("'", "\\'")).replace("Projet secret", PAYLOAD)
    graph = f"{ID}graph/partner/xss"
    r = client.put(
        "/rdf-graphs",
        params={"graph": graph},
        content=turtle.replace("secret-", "xss-").encode(),
        headers={**ADMIN, "Content-Type": "text/turtle"},
    )
    assert r.status_code == 201, r.text
    for path in ("/maps/actor-project", "/maps/cooperation", "/maps/cooperation/changes?before=2012&after=2024"):
        page = client.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page, path
    page = client.get("/maps/actor-project").text
    assert "&lt;script&gt;alert" in page  # shown as text in the table
    assert "\\u003cscript\\u003ealert" in page  # and inert in the map's JSON
    assert client.delete("/rdf-graphs", params={"graph": graph}, headers=ADMIN).status_code == 204


def test_a_relation_the_map_has_not_is_said_and_its_relations_are_named(client):
    """Outside re-test of issue 21: `relation=zzz` drew an empty map (200); the relation menu showed
    `project`, `usage` on French pages."""
    for lang, words in (("fr", "n'est pas une relation"), ("en", "is not a relation")):
        r = client.get("/maps/cooperation", params={"relation": "zzz", "lang": lang})
        assert r.status_code == 422 and r.json()["error"]["field"] == "relation", r.text
        assert words in r.json()["error"]["message"]
    assert client.get("/maps/cooperation.json", params={"relation": "project"}).json()["edges"]
    assert client.get("/maps/actor-project.json", params={"relation": "pilote"}).json()["edges"]
    by_name = client.get("/maps/actor-project.json", params={"relation": "Pilote"})  # its name (second re-test, N2)
    assert (
        by_name.status_code == 200
        and by_name.json() == client.get("/maps/actor-project.json", params={"relation": "pilote"}).json()
    )
    assert client.get("/maps/cooperation.json", params={"relation": "projet commun"}).status_code == 200
    page = client.get("/maps/cooperation", params={"lang": "fr"}).text
    menu = page[page.index('<select name="relation">') :].split("</select>")[0]
    assert '<option value="project">projet commun</option>' in menu, menu


@pytest.mark.parametrize(("lang", "point"), [("fr", ","), ("en", ".")])
def test_a_maps_metrics_are_written_as_its_language_writes_numbers(client, lang, point):
    """Outside re-test of issue 21, M6: `0.7333` on the French page; the sort reads each cell's own value."""
    page = client.get("/maps/cooperation", params={"lang": lang}).text
    cells = re.findall(r'<td data-value="([0-9.e-]+)">([^<]+)</td>', page)
    assert len(cells) > 10
    for value, shown in cells:
        assert shown == f"{float(value):.4f}".replace(".", point), (value, shown)


def test_an_actor_type_is_taken_by_its_name(client):
    """Second outside re-test of issue 21, N9: `actor_type=Établissement culturel` was 'not an IRI'."""
    by_short = client.get("/maps/cooperation.json", params={"actor_type": "culture"})
    assert by_short.status_code == 200 and by_short.json()["nodes"]
    for name in ("Établissement culturel", "établissement culturel"):
        assert client.get("/maps/cooperation.json", params={"actor_type": name}).json() == by_short.json()
    r = client.get("/maps/cooperation.json", params={"actor_type": "Zzqx Wvut", "lang": "fr"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "actor_type" and "type d'acteur" in r.text


@pytest.mark.parametrize(("lang", "words"), [("fr", "aucune entité"), ("en", "no actor")])
def test_a_wrong_name_on_a_map_page_is_said_beside_its_filters(client, lang, words):
    """Second outside re-test of issue 21, N7: an unknown name replaced the map by an error page, and the
    reader's other filters were lost."""
    params = {"ego": "Zzqx Wvut", "theme": "culture", "lang": lang}
    r = client.get("/maps/cooperation", params=params, headers={"Accept": "text/html"})
    assert r.status_code == 422 and 'id="filters-problem"' in r.text, r.text[:1000]
    said = r.text[r.text.index('id="filters-problem"') :].split("</p>")[0]
    assert words in said and 'data-field="ego"' in said
    assert "selected>" in r.text.split('name="theme"')[1].split("</select>")[0]  # the theme kept
    assert 'id="map-data"' in r.text and '"nodes": [{' in r.text  # the map of the other filters
    api = client.get("/maps/cooperation", params=params)  # an API client still gets the JSON error
    assert api.status_code == 422 and api.json()["error"]["field"] == "ego"
