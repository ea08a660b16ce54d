"""What points at an entity is said by someone (issue 16, outside re-test #3, finding 4): aula, writing
about its own study and actor in its own graph, used inverse and symmetric properties — that its study
was used by the demo's project and had the demo's study as a derivation, that its actor is an associate
of the project and contributed to the study, that its study is the same as the demo's. Each says
something of the demo's entity; "Cité par" on the demo's pages showed them as plain facts ("associé de:
AULA"). They are aula's word there: under "selon aula", in the page and its JSON `incoming_claims`. And
the predicates only the inference rules conclude (`pic:cooperatesWith`, `pic:informs`, …) are refused
in a partner's write (403), as they are in a curator's; the rules' own conclusions stay facts."""

import pytest

from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
PIC, PROV = "https://w3id.org/pic-euralens/ontology#", "http://www.w3.org/ns/prov#"
PREFIXES = f"@prefix prov: <{PROV}> . @prefix pic: <{PIC}> . @prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
PROJECT, DEMO_STUDY = f"{ID}project/emploi-jeunes-culture", f"{ID}study/emplois-induits-louvre-lens"
AULA_STUDY, AULA = f"{ID}study/aula-s1", f"{ID}actor/aula"
# The finding's write, less the derived-only statements (refused: test below).
SAID = (
    PREFIXES
    + f"""<{AULA_STUDY}> prov:wasUsedBy <{PROJECT}> ; prov:hadDerivation <{DEMO_STUDY}> ;
  owl:sameAs <{DEMO_STUDY}> .
<{AULA}> prov:contributed <{DEMO_STUDY}> ; prov:wasAssociateFor <{PROJECT}> ."""
)
DERIVED = [
    f"<{AULA}> pic:cooperatesWith <{ID}actor/louvre-lens> .",
    f"<{AULA}> pic:informs <{ID}actor/universite-artois> .",
]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("cited-by-speakers") / "data") as c:
        r = c.post(
            "/api/contribute/study",
            headers=bearer(c, "alice"),
            json={
                "id": "aula-s1",
                "title_fr": "Étude AULA s1",
                "status": "published",
                "year": "2026",
                "producer": "aula",
            },
        )
        assert r.status_code == 201, r.text
        r = post(c, "alice", "partner/aula", SAID)
        assert r.status_code in (201, 204), r.text
        yield c


def post(c, who: str, graph: str, turtle: str):
    return c.post(
        "/rdf-graphs",
        params={"graph": f"{ID}graph/{graph}"},
        content=turtle.encode(),
        headers={"Content-Type": "text/turtle", **bearer(c, who)},
    )


def cited(app, path: str, reader: str | None) -> tuple[set, set]:
    """(facts, {(speaker, predicate, value)}) of the page's "Cité par", as its JSON twin gives them."""
    r = app.get(f"/id/{path}", params={"format": "json"}, headers=bearer(app, reader) if reader else {})
    assert r.status_code == 200, r.text
    data = r.json()
    facts = {(g["predicate"], v["value"]) for g in data["incoming"] for v in g["values"]}
    said = {
        (c["by"], g["predicate"], v["value"])
        for c in data["incoming_claims"]
        for g in c["statements"]
        for v in g["values"]
    }
    return facts, said


@pytest.mark.parametrize("reader", [None, "alice", "bruno"])
def test_inverse_and_symmetric_statements_pointing_at_anothers_entity_are_their_speakers(app, reader):
    facts, said = cited(app, "project/emploi-jeunes-culture", reader)
    assert not {AULA, AULA_STUDY} & {v for _, v in facts}, facts
    assert {("aula", f"{PROV}wasUsedBy", AULA_STUDY), ("aula", f"{PROV}wasAssociateFor", AULA)} <= said, said
    facts, said = cited(app, "study/emplois-induits-louvre-lens", reader)
    assert not {AULA, AULA_STUDY} & {v for _, v in facts}, facts
    assert {
        ("aula", f"{PROV}hadDerivation", AULA_STUDY),
        ("aula", f"{PROV}contributed", AULA),
        ("aula", "http://www.w3.org/2002/07/owl#sameAs", AULA_STUDY),
    } <= said, said
    page = app.get("/id/project/emploi-jeunes-culture", headers=bearer(app, reader) if reader else {}).text
    incoming = page.split('id="incoming"')[1].split("</section>")[0]
    rows = [row for row in incoming.split("<tr")[1:] if "/id/actor/aula" in row or "/id/study/aula-s1" in row]
    assert len(rows) == 2 and all('data-by="aula"' in row and "selon aula" in row for row in rows), incoming


def test_the_demos_own_statements_and_the_rules_conclusions_stay_facts(app):
    """The demo's graphs say the CA de Lens-Liévin's actor is associated with projects (role nodes), and
    the rules conclude who cooperates where the curators' graph (`partner/euralens`) gives the project:
    facts on its page, no "selon". (The museum's projects are the demo's invention: its cooperation is
    no conclusion, and the maps say "selon demo".)"""
    facts, said = cited(app, "actor/ca-lens-lievin", None)
    assert any(p == f"{PIC}cooperatesWith" for p, _ in facts), facts
    assert not said, said


@pytest.mark.parametrize("statement", DERIVED)
@pytest.mark.parametrize("who, graph", [("alice", "partner/aula"), ("fanny", "partner/aula")])
def test_a_derived_only_predicate_is_refused_in_a_write(app, statement, who, graph):
    r = post(app, who, graph, PREFIXES + statement)
    assert r.status_code == 403, r.text
    assert "concluded by the inference rules" in r.text, r.text
    ask = f"PREFIX pic: <{PIC}> ASK {{ GRAPH <{ID}graph/{graph}> {{ {statement.rstrip(' .')} }} }}"
    assert not app.get("/sparql", params={"query": ask}, headers=bearer(app, "fanny")).json()["boolean"]
    facts, said = cited(app, "actor/louvre-lens", None)
    assert not any(by == "aula" for by, _, _ in said), said
