"""What one partner's write must not do to everyone else's pages (issue 16, fourth outside re-test):
a blank node pointing at an entity made its page answer 500 for every reader (F1); an embargo graph
named with an impossible date made maps, reports and pages answer 500 (F2); a blank-node observation
took a cell of another organisation's series (F3)."""

import pytest

from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
PREFIXES = """@base <https://w3id.org/pic-euralens/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix qb: <http://purl.org/linked-data/cube#> . @prefix pic: <https://w3id.org/pic-euralens/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix org: <http://www.w3.org/ns/org#> .
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("hostile") / "data") as c:
        yield c


def write(app, method: str, graph: str, body: str, who: str = "alice"):
    return app.request(
        method,
        "/rdf-graphs",
        params={"graph": f"{ID}graph/{graph}"},
        content=(PREFIXES + body).encode(),
        headers={"Content-Type": "text/turtle", **bearer(app, who)},
    )


def test_a_blank_node_pointing_at_an_entity_leaves_its_page_up(app):
    r = write(
        app,
        "POST",
        "partner/aula",
        "[] rdfs:seeAlso <actor/ville-de-lens> .\n"
        "<actor/aula> rdfs:seeAlso [ rdfs:seeAlso <study/cahier-label-2015> ] .",
    )
    assert r.status_code in (201, 204, 400, 403), r.text
    r = write(
        app,
        "POST",
        "partner/aula",
        "<project/louvre-lens-construction> prov:qualifiedAssociation "
        "[ prov:agent <actor/aula> ; prov:hadRole <role/partenaire> ] .",
        "fanny",
    )
    assert r.status_code in (201, 204), r.text  # a curator's role node without a name
    for path in ("actor/ville-de-lens", "study/cahier-label-2015", "project/louvre-lens-construction", "actor/aula"):
        for who in (None, "alice", "fanny"):
            headers = bearer(app, who) if who else {}
            assert app.get(f"/id/{path}", headers=headers).status_code == 200, (path, who)
            assert app.get(f"/id/{path}", params={"format": "json"}, headers=headers).status_code == 200


@pytest.mark.parametrize("day", ["2026-02-30", "2026-13-45", "0001-01-01", "99999-01-01"])
def test_an_embargo_graph_needs_a_real_day(app, day):
    body = '<actor/aula> rdfs:label "AULA"@fr .'
    r = write(app, "PUT", f"private/aula/until-{day}", body)
    assert r.status_code == 400 and "until-" in r.json()["error"]["message"], r.text
    for path in ("/maps/cooperation", "/reports/2024", "/id/actor/louvre-lens"):
        assert app.get(path).status_code == 200, path


def test_an_observation_is_named(app):
    body = (
        "[] a qb:Observation ; qb:dataSet <dataset/frequentation-louvre-lens> ; "
        'pic:refArea <territory/commune/62498> ; pic:refYear "2031"^^xsd:gYear ; pic:value "1"^^xsd:decimal .'
    )
    r = write(app, "POST", "partner/aula", body)
    assert r.status_code in (400, 403), r.text
    r = write(app, "POST", "private/aula/draft", body)
    assert r.status_code in (400, 403), r.text
