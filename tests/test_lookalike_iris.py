"""An entity's IRI has one spelling (issue 16, third outside re-test, finding 5): aula typed
`study/emplois-induits-louvre-lens#frag`, `…?x=1`, `…/`, `study/emplois%2Dinduits-louvre-lens` and
`study/aula-s1%2F..%2Femplois-induits-louvre-lens` as its own studies. Each was a separate search hit
under aula's title, and `%2D` and `#frag` opened the demo's page. Under the base, an entity's IRI is a
path of plain segments (400 for any other spelling, on every write path); the platform's own spaces
(an annotation's `#body-1`) keep theirs, written only by their APIs."""

import pytest

from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
GRAPH = f"{ID}graph/partner/aula"
REAL = "study/emplois-induits-louvre-lens"
SPELLINGS = [
    f"{REAL}#frag",
    f"{REAL}?x=1",
    f"{REAL}/",
    "study/emplois%2Dinduits-louvre-lens",
    "study/aula-s1%2F..%2Femplois-induits-louvre-lens",
    "study//emplois-induits-louvre-lens",
    "study/emplois+induits",
    "study/étude-aula",
    f"{REAL}.html",
    f"{REAL}.ttl",
    f"{REAL}.",
    f"{REAL}.graphs.jsonld",
]
OTHER_SPELLINGS = [
    f"https://W3ID.ORG/pic-euralens/id/{REAL}",
    f"https://w3id.org:443/pic-euralens/id/{REAL}",
    f"https://w3id.org/pic-euralens//id/{REAL}",
]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("lookalike") / "data") as c:
        yield c


def post(app, body: str, who: str = "alice"):
    return app.post(
        "/rdf-graphs",
        params={"graph": GRAPH},
        content=body.encode(),
        headers={"Content-Type": "application/n-triples", **bearer(app, who)},
    )


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_look_alike_of_an_entitys_iri_is_refused(app, spelling):
    typed = (
        f"<{ID}{spelling}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        f"<https://w3id.org/pic-euralens/ontology#Study> .\n"
    )
    r = post(app, typed)
    assert r.status_code == 400 and "plain segments" in r.json()["error"]["message"], r.text
    linked = f"<{ID}actor/aula> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{ID}{spelling}> .\n"
    assert post(app, linked).status_code == 400  # as an object too
    hits = app.get("/api/search", params={"q": "emplois induits"}).json()
    assert not any(h["iri"] != f"{ID}{REAL}" and "emplois-induits" in h["iri"] for h in hits.get("results", []))


def test_plain_iris_and_the_platforms_own_spaces_still_pass(app):
    r = post(app, f"<{ID}actor/aula> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{ID}study/aula-s1.v2_final~x> .\n")
    assert r.status_code in (201, 204), r.text
    ask = f"ASK {{ <{ID}annotation/demo-1#body-1> ?p ?o }}"  # the demo's annotation parts loaded
    r = app.get("/sparql", params={"query": ask}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.json()["boolean"] is True, r.text


@pytest.mark.parametrize("iri", OTHER_SPELLINGS)
def test_another_spelling_of_the_base_is_refused(app, iri):
    """Fourth outside re-test, F7: IRIs equal to the base's under URI normalisation were typed as aula's
    studies and listed in search under the museum's name."""
    typed = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/pic-euralens/ontology#Study>"
    r = post(app, f"<{iri}> {typed} .\n")
    assert r.status_code == 400 and "another spelling" in r.json()["error"]["message"], r.text
