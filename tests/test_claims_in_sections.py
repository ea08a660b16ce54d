"""An entity page's sections are made of facts (issue 16, outside re-test findings 1, 2, 3 and 9c): what
cd62's graph says about aula's project and study — another role, another study used, another title,
another territory, that aula's actor contributed to cd62's project — is cd62's claim. It is no row of
"Rôles des acteurs", "Études utilisées", "Études utilisées dans ses projets" or "Acteurs, projets et
études qui le couvrent", lends no title to a study, and shows in "Cité par" only as "selon cd62", for
anonymous readers, cd62's members and aula's members alike."""

import html

import pytest

from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
STUDY, PROJECT = f"{ID}study/etude-aula-sections", f"{ID}project/projet-aula-sections"
Q_PROJECT, Q_STUDY = f"{ID}project/projet-cd62-sections", f"{ID}study/etat-impacts-2021"  # a demo study
Q_NODE = f"{ID}association/projet-aula-sections--cd62--pilote"
DEPARTEMENT = f"{ID}actor/departement-pas-de-calais"
TERRITORY = "territory/commune/62001"
TITLE, CLAIMED_TITLE = "Étude aula des sections", "Title cd62 gave aula's study"
# What a curator wrote in cd62's graph about aula's entities (finding's setting: Q writes about P's).
CLAIMS = f"""@prefix prov: <http://www.w3.org/ns/prov#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix pic: <https://w3id.org/pic-euralens/ontology#> .
<{PROJECT}> prov:qualifiedAssociation <{Q_NODE}> ; prov:used <{Q_STUDY}> .
<{Q_NODE}> a prov:Association ; prov:agent <{DEPARTEMENT}> ; prov:hadRole <{ID}role/pilote> .
<{STUDY}> dcterms:title "{CLAIMED_TITLE}"@en ; dcterms:spatial <{ID}{TERRITORY}> ;
  prov:wasUsedBy <{Q_PROJECT}> .
<{ID}actor/aula> prov:contributed <{Q_PROJECT}> ."""
READERS = [None, "alice", "bruno"]  # anonymous, aula's member (the owner), cd62's member (the claimant)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("claims-in-sections") / "data") as c:
        alice, bruno = bearer(c, "alice"), bearer(c, "bruno")
        for kind, who, body in (
            (
                "study",
                alice,
                {
                    "id": "etude-aula-sections",
                    "title_fr": TITLE,
                    "status": "published",
                    "year": "2026",
                    "producer": "aula",
                },
            ),
            (
                "project",
                alice,
                {
                    "id": "projet-aula-sections",
                    "title_fr": "Projet aula des sections",
                    "start": "2027-01-15",
                    "participants": "aula:pilote",
                    "studies_used": "etude-aula-sections",
                },
            ),
            (
                "project",
                bruno,
                {
                    "id": "projet-cd62-sections",
                    "title_fr": "Projet cd62 des sections",
                    "start": "2027-02-01",
                    "participants": "departement-pas-de-calais:pilote",
                },
            ),
        ):
            r = c.post(f"/api/contribute/{kind}", headers=who, json=body)
            assert r.status_code == 201, r.text
        r = c.post(
            "/rdf-graphs",
            params={"graph": f"{ID}graph/partner/cd62"},
            content=CLAIMS.encode(),
            headers={"Content-Type": "text/turtle", **bearer(c, "fanny")},
        )
        assert r.status_code in (201, 204), r.text
        yield c


def page(app, path: str, reader: str | None, **params) -> dict:
    r = app.get(f"/id/{path}", params={"format": "json", **params}, headers=bearer(app, reader) if reader else {})
    assert r.status_code == 200, r.text
    return r.json()


def rows(data: dict, section: str) -> list[dict]:
    return [row for s in data["sections"] if s["id"] == section for row in s["rows"]]


def html_section(app, path: str, reader: str | None, section: str, **params) -> str:
    text = app.get(f"/id/{path}", params=params, headers=bearer(app, reader) if reader else {}).text
    parts = text.split(f'id="{section}"')
    return html.unescape(parts[1].split("</section>")[0]) if len(parts) > 1 else ""


@pytest.mark.parametrize("reader", READERS)
def test_a_projects_sections_list_its_owners_roles_and_studies_only(app, reader):
    """Finding 1: cd62's role node and the study cd62 says aula's project used are no rows of the
    project's sections; the statement table has them as cd62's."""
    data = page(app, "project/projet-aula-sections", reader)
    assert [r["actor"]["iri"] for r in rows(data, "roles")] == [f"{ID}actor/aula"], rows(data, "roles")
    assert [r["study"]["iri"] for r in rows(data, "studies-used")] == [STUDY], rows(data, "studies-used")
    said = {v["value"] for c in data["claims"] if c["by"] == "cd62" for g in c["statements"] for v in g["values"]}
    assert {Q_NODE, Q_STUDY} <= said, data["claims"]
    section = html_section(app, "project/projet-aula-sections", reader, "section-roles")
    assert section and "departement-pas-de-calais" not in section, section


@pytest.mark.parametrize("reader", READERS)
def test_a_study_on_an_actors_page_keeps_its_owners_title(app, reader):
    """Finding 2: "Études utilisées dans ses projets" names aula's study by aula's title, not by the
    English title cd62 wrote for it (on the English page too), and lists no study on cd62's word."""
    for lang in ("en", "fr"):
        used = rows(page(app, "actor/aula", reader, lang=lang), "studies-used")
        ours = [r for r in used if r["project"]["iri"] == PROJECT]
        assert [(r["study"]["iri"], r["study"]["label"]) for r in ours] == [(STUDY, TITLE)], ours
        assert CLAIMED_TITLE not in html_section(app, "actor/aula", reader, "section-studies-used", lang=lang)
    # the claimant's title stays on the study's page as cd62's, never its name
    study = page(app, "study/etude-aula-sections", reader, lang="en")
    assert study["label"] == TITLE and CLAIMED_TITLE in str(study["claims"]), study["label"]


@pytest.mark.parametrize("reader", READERS)
def test_a_territory_lists_no_study_on_a_claimed_spatial_coverage(app, reader):
    """Finding 3: cd62 saying aula's study covers a commune puts it in no "covering" row there."""
    covering = [r["item"]["iri"] for r in rows(page(app, TERRITORY, reader), "covering")]
    assert STUDY not in covering, covering
    assert TITLE not in html_section(app, TERRITORY, reader, "section-covering")


@pytest.mark.parametrize("reader", READERS)
def test_statements_pointing_at_a_page_from_anothers_entity_say_whose_they_are(app, reader):
    """Finding 9c: that aula's actor contributed to cd62's project and that aula's study was used by it
    are cd62's claims about aula's entities: "Cité par" shows them as cd62's ("selon cd62"), as the
    statement table does, never as plain facts."""
    data = page(app, "project/projet-cd62-sections", reader)
    plain = {v["value"] for g in data["incoming"] for v in g["values"]}
    assert not {STUDY, f"{ID}actor/aula"} & plain, data["incoming"]
    said = {
        (c["by"], g["predicate"], v["value"])
        for c in data["incoming_claims"]
        for g in c["statements"]
        for v in g["values"]
    }
    assert said == {
        ("cd62", "http://www.w3.org/ns/prov#wasUsedBy", STUDY),
        ("cd62", "http://www.w3.org/ns/prov#contributed", f"{ID}actor/aula"),
    }, said
    text = app.get("/id/project/projet-cd62-sections", headers=bearer(app, reader) if reader else {}).text
    incoming = text.split('id="incoming"')[1].split("</section>")[0]
    claimed = [row for row in incoming.split("<tr")[1:] if "etude-aula-sections" in row or "actor/aula" in row]
    assert len(claimed) == 2 and all('data-by="cd62"' in row and "selon cd62" in row for row in claimed), incoming


@pytest.mark.parametrize("reader", READERS)
def test_the_statement_tables_name_a_linked_entity_as_its_owner_does(app, reader):
    """Finding 2 in the statement tables (third re-test): aula's project says it used aula's study; the
    link is labelled with aula's title, never the English title cd62 gave the study, in the facts and in
    "Cité par" alike."""
    data = page(app, "project/projet-aula-sections", reader, lang="en")
    labels = {v["value"]: v["label"] for group in data["statements"] for v in group["values"] if v["type"] == "iri"}
    assert labels.get(STUDY) == TITLE, labels
    cited = page(app, "actor/aula", reader, lang="en")
    shown = [v["label"] for group in cited["incoming"] for v in group["values"]]
    assert CLAIMED_TITLE not in shown, shown
