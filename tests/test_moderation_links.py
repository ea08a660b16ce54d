"""Every kind of link the proposal form offers can be accepted (issue 16, outside re-test finding 9a):
accepting a `used-by` link answered 422 — its usage's qualified association had no `prov:hadRole`, which
the shapes ask of every association, and the project-role scheme had no role for a user. The kinds are
read from the code (`annotations.model.RELATIONS`, `annotations.LINK_KINDS`), so a new kind is tried too."""

import json

import pytest

from pic.graph.annotations.model import RELATIONS
from pic.graph.annotations.storage import LINK_KINDS
from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
MEDIA = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
STUDY = f"{ID}study/frequentation-habitants-louvre-lens"
# An entity of each class a link kind may name (`LINK_KINDS`), from the demo.
ENTITIES = {
    "pic:Project": f"{ID}project/parcours-autour-du-louvre-lens",
    "pic:EvaluationQuestion": f"{ID}question/creation-emplois",
    "pic:Study": f"{ID}study/diagnostic-habitat-minier-renove",
    "org:Organization": f"{ID}actor/louvre-lens",
    "foaf:Agent": f"{ID}actor/aula",
}
CASES = [(relation, kind) for relation in RELATIONS for kind in LINK_KINDS[relation]]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("moderation-links") / "data", admin_token="admin-token") as c:
        yield c


def test_every_kind_the_form_offers_is_covered():
    assert set(RELATIONS) == set(LINK_KINDS) and {k for _, k in CASES} <= set(ENTITIES), CASES


@pytest.mark.parametrize(("relation", "kind"), CASES)
def test_accepting_a_proposed_link_of_each_kind_works(app, relation, kind):
    entity = ENTITIES[kind]
    r = app.post(
        "/annotations/",
        headers={**bearer(app, "alice"), "Content-Type": MEDIA},
        content=json.dumps(
            {
                "@context": "http://www.w3.org/ns/anno.jsonld",
                "type": "Annotation",
                "motivation": "linking",
                "target": STUDY,
                "body": [
                    {"type": "TextualBody", "value": f"Lien {relation} proposé."},
                    {"type": "SpecificResource", "source": entity, "purpose": "linking", "pic:relation": relation},
                ],
            }
        ),
    )
    assert r.status_code == 201, r.text
    key = r.headers["location"].rsplit("/", 1)[-1]
    accepted = app.post(f"/annotations/{key}/accept", headers=bearer(app, "fanny"), json={})
    assert accepted.status_code == 200, (relation, kind, accepted.text)
    graph = accepted.json()["graph"]
    rows = app.get(
        "/sparql",
        headers={"Accept": "text/csv"},
        params={"query": f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
    ).text
    assert entity in rows and STUDY in rows, rows
    if relation == "used-by":  # the usage's association has its role, from the scheme
        assert f"{ID}role/utilisateur" in rows, rows
        label = app.get("/id/role/utilisateur?format=json").json()
        assert "Utilisateur" in json.dumps(label, ensure_ascii=False), label


def test_no_account_informs_another_in_the_inferred_graphs(app):
    """Tenth outside re-test, finding 4: once a facilitator accepted a `used-by` link, the public inferred
    graph said `user/fac pic:informs user/aula` — an account is no actor, and no conclusion names one."""
    ask = (
        "ASK { GRAPH ?g { ?s ?p ?o } FILTER (CONTAINS(STR(?g), '/inferred') && "
        "(CONTAINS(STR(?s), '/id/user/') || CONTAINS(STR(?o), '/id/user/'))) }"
    )
    r = app.get("/sparql", params={"query": ask}, headers={"Authorization": "Bearer admin-token"})
    assert r.status_code == 200 and r.json()["boolean"] is False, r.text
