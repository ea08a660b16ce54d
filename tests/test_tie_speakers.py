"""A map's tie that rests on a third organisation's word says so (issue 16, second outside re-test,
finding 8): aula's study "produced by" the museum, used by aula's project with cd62, drew a knowledge flow
from the museum to cd62 — a fact about the two on aula's word alone. Each link is allowed (an
organisation links its own entities to anyone's), so the tie stays, with whose word it is: `said_by` in
the map's exports and "selon aula" in its tooltip; a tie one of whose ends (or a curator) speaks names
nobody."""

import pytest

from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
MUSEUM, CD62, AULA = f"{ID}actor/louvre-lens", f"{ID}actor/cd62", f"{ID}actor/aula"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("tie-speakers") / "data") as c:
        r = c.post(
            "/api/contribute/actor",
            headers=bearer(c, "bruno"),
            json={"id": "cd62", "name_fr": "Département du Pas-de-Calais", "type": "collectivite"},
        )
        assert r.status_code == 201, r.text
        alice = bearer(c, "alice")
        r = c.post(
            "/api/contribute/study",
            headers=alice,
            json={
                "id": "etude-aula-musee",
                "title_fr": "Étude de l'AULA sur le musée",
                "status": "published",
                "year": "2025",
                "producer": "louvre-lens",
            },
        )
        assert r.status_code == 201, r.text
        r = c.post(
            "/api/contribute/project",
            headers=alice,
            json={
                "id": "projet-aula-cd62",
                "title_fr": "Projet de l'AULA avec le cd62",
                "start": "2025-02-01",
                "participants": "aula:pilote;cd62:partenaire",
                "studies_used": "etude-aula-musee",
            },
        )
        assert r.status_code == 201, r.text
        yield c


def ties(app, kind: str) -> dict:
    data = app.get(f"/maps/{kind}.json").json()
    return {(e["source"], e["target"]): e for e in data.get("edges", data.get("links", []))}


def test_a_tie_on_a_third_organisations_word_names_it(app):
    flows = ties(app, "knowledge-flows")
    assert flows[(MUSEUM, CD62)]["said_by"] == "aula", flows[(MUSEUM, CD62)]
    assert not flows[(MUSEUM, AULA)]["said_by"], flows[(MUSEUM, AULA)]  # aula speaks for itself
    page = app.get("/maps/knowledge-flows").text
    assert '"saidBy": "aula"' in page and '"saidBy": "selon"' in page


def test_the_demos_curated_ties_name_nobody(app):
    coop = ties(app, "cooperation")
    assert any(not e["said_by"] for e in coop.values())


def test_the_curators_are_the_deployments(app, tmp_path):
    """`PIC_CURATORS` names who speaks for every tie: with the demo's organisation among them, none of its
    invented links says "selon demo"."""
    assert any(e["said_by"] == "demo" for e in ties(app, "cooperation").values())
    with app_client(tmp_path / "data", curators="euralens,demo") as curated:
        assert not [e for e in ties(curated, "cooperation").values() if e["said_by"]]


def test_a_tie_with_an_actor_a_partner_made_up_is_the_partners_word(app):
    """Fifth outside re-test, finding 6: aula made up `actor/newthing` (its own entity), then a project of
    newthing with cd62: allowed — aula links its own entities to anyone's — but the newthing–cd62 tie was
    drawn unattributed, as if newthing spoke for itself. An actor end speaks for itself alone."""
    alice = bearer(app, "alice")
    r = app.post(
        "/api/contribute/actor", headers=alice, json={"id": "newthing", "name_fr": "New thing", "type": "association"}
    )
    assert r.status_code == 201, r.text
    r = app.post(
        "/api/contribute/project",
        headers=alice,
        json={
            "id": "projet-fantome",
            "title_fr": "PF",
            "start": "2022-01-01",
            "participants": "newthing:pilote;cd62:financeur",
        },
    )
    assert r.status_code == 201, r.text
    coop = {tuple(sorted(pair)): e for pair, e in ties(app, "cooperation").items()}
    assert coop[(CD62, f"{ID}actor/newthing")]["said_by"] == "aula", coop[(CD62, f"{ID}actor/newthing")]
    listed = app.get("/id/actor/cd62?format=json").json()["sections"]
    rows = [next(iter(row.values())) for s in listed if s["id"] == "projects" for row in s["rows"]]
    assert [c.get("said_by") for c in rows if c["iri"].endswith("/projet-fantome")] == [["aula"]], rows


def test_every_kind_of_attribution_joins_no_two_others(app):
    """Sixth outside re-test, finding 4: `pic:decidedBy` (a sub-property of `prov:wasAttributedTo`, as
    `pic:producedBy`) attributed aula's study to two other organisations."""
    for predicate in ("decidedBy", "hiddenBy", "producedBy"):
        text = (
            f"<{ID}study/s-{predicate}> <https://w3id.org/pic-euralens/ontology#{predicate}> "
            f"<{ID}actor/cci-artois> , <{ID}actor/universite-artois> ."
        )
        r = app.post(
            "/rdf-graphs",
            params={"graph": f"{ID}graph/partner/aula"},
            content=text.encode(),
            headers={"Content-Type": "text/turtle", **bearer(app, "alice")},
        )
        assert r.status_code == 403, (predicate, r.text)
