"""The inference rules conclude from facts only (issue 16, outside re-test finding 4b): what cd62's graph
says of aula's project — that collectif-cite-9 took part in it — is cd62's claim, and the public
`inferred` graph drew `pic:cooperatesWith` between aula and collectif-cite-9 from it, on cd62's word
alone. Now the rules read the owners' statements, the accepted links and the platform's only
(`graph/reasoning/inference_facts.py`), as the maps do; cd62's statements about its own project still conclude."""

import pytest

from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
PIC = "https://w3id.org/pic-euralens/ontology#"
PROV = "http://www.w3.org/ns/prov#"
AULA, COLLECTIF = f"{ID}actor/aula", f"{ID}actor/collectif-cite-9"
PROJECT = f"{ID}project/projet-aula-infere"
CLAIM = f"""@prefix prov: <{PROV}> .
<{PROJECT}> prov:qualifiedAssociation <{ID}project/projet-aula-infere-revendique-cd62> .
<{ID}project/projet-aula-infere-revendique-cd62> a prov:Association ; prov:agent <{COLLECTIF}> ;
    prov:hadRole <{ID}role/partenaire> ."""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("claims-in-inference") / "data") as c:
        for who, fields in (
            (
                "alice",
                {
                    "id": "projet-aula-infere",
                    "title_fr": "Projet aula inféré",
                    "start": "2027-01-15",
                    "participants": "aula:pilote",
                },
            ),
            (
                "bruno",
                {
                    "id": "projet-cd62-infere",
                    "title_fr": "Projet cd62 inféré",
                    "start": "2027-02-01",
                    "participants": "collectif-cite-9:partenaire",
                },
            ),
        ):
            r = c.post("/api/contribute/project", headers=bearer(c, who), json=fields)
            assert r.status_code == 201, r.text
        # a curator's statement in cd62's graph about aula's project: cd62's claim, shown as cd62's
        r = c.post(
            "/rdf-graphs",
            params={"graph": f"{ID}graph/partner/cd62"},
            content=CLAIM.encode(),
            headers={"Content-Type": "text/turtle", **bearer(c, "fanny")},
        )
        assert r.status_code in (201, 204), r.text
        assert [x["by"] for x in c.get("/id/project/projet-aula-infere?format=json").json()["claims"]] == ["cd62"]
        yield c


def concluded(app, s: str, p: str, o: str) -> bool:
    r = app.get(
        "/sparql",
        params={"query": f"ASK {{ GRAPH <{ID}graph/inferred> {{ <{s}> <{p}> <{o}> }} }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.status_code == 200, r.text
    return r.json()["boolean"]


def test_a_claimed_participant_makes_no_public_conclusion(app):
    assert not concluded(app, AULA, f"{PIC}cooperatesWith", COLLECTIF)
    assert not concluded(app, COLLECTIF, f"{PIC}cooperatesWith", AULA)
    assert not concluded(app, PROJECT, f"{PROV}wasAssociatedWith", COLLECTIF)
    # the owner's own statements conclude, and so do cd62's about its own project
    assert concluded(app, PROJECT, f"{PROV}wasAssociatedWith", AULA)
    assert concluded(app, f"{ID}project/projet-cd62-infere", f"{PROV}wasAssociatedWith", COLLECTIF)


def test_typing_an_entity_another_graph_described_first_takes_its_conclusions_back(app):
    """Whose an entity is changes with a typing (a write the rules do not otherwise read): cd62 wrote of
    `project/sans-type` before anyone typed it (a fact then: nobody else describes it); once aula types
    it, cd62's statement is a claim, and its conclusion goes."""
    project = f"{ID}project/sans-type"
    said = (
        f"<{project}> <{PROV}qualifiedAssociation> <{project}-cd62> . <{project}-cd62> a <{PROV}Association> ;"
        f" <{PROV}agent> <{COLLECTIF}> ; <{PROV}hadRole> <{ID}role/partenaire> ."
    )
    r = app.post(
        "/rdf-graphs",
        params={"graph": f"{ID}graph/partner/cd62"},
        content=said.encode(),
        headers={"Content-Type": "text/turtle", **bearer(app, "bruno")},
    )
    assert r.status_code in (201, 204), r.text
    assert concluded(app, project, f"{PROV}wasAssociatedWith", COLLECTIF)
    typed = (
        f'<{project}> a <{PIC}Project> ; <http://www.w3.org/2000/01/rdf-schema#label> "Typé par aula"@fr ;'
        ' <http://purl.org/dc/terms/title> "Typé par aula"@fr ;'
        f' <{PROV}startedAtTime> "2027-03-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> ;'
        f" <{PROV}qualifiedAssociation> <{project}-aula> . <{project}-aula> a <{PROV}Association> ;"
        f" <{PROV}agent> <{AULA}> ; <{PROV}hadRole> <{ID}role/pilote> ."
    )
    r = app.post(
        "/rdf-graphs",
        params={"graph": f"{ID}graph/partner/aula"},
        content=typed.encode(),
        headers={"Content-Type": "text/turtle", **bearer(app, "fanny")},
    )
    assert r.status_code in (201, 204), r.text
    assert not concluded(app, project, f"{PROV}wasAssociatedWith", COLLECTIF)
    assert concluded(app, project, f"{PROV}wasAssociatedWith", AULA)


def test_a_third_organisations_word_makes_no_public_tie_between_two_others(app):
    """Eighth outside re-test, finding 1: aula's own study "produced by" louvre-lens, used by aula's own
    project with cci-artois, made `louvre-lens pic:informs cci-artois` a public conclusion shown on
    louvre-lens's page as its fact. The tie rests on neither end's word: no inferred graph states it (the
    maps show it, "selon aula"). Made of the ends' own words, a tie is still concluded."""
    museum, cci, lab = f"{ID}actor/louvre-lens", f"{ID}actor/cci-artois", f"{ID}actor/universite-artois"
    for kind, fields in (
        (
            "study",
            {"id": "aula-s1", "title_fr": "Étude S1", "status": "published", "year": "2024", "producer": "louvre-lens"},
        ),
        (
            "project",
            {
                "id": "aula-p2",
                "title_fr": "Projet P2",
                "start": "2023-01-01",
                "participants": "cci-artois:partenaire",
                "studies_used": "aula-s1",
            },
        ),
        (
            "study",
            {
                "id": "aula-s2",
                "title_fr": "Étude S2",
                "status": "published",
                "year": "2024",
                "producer": "universite-artois",
                "builds_on": "aula-s1",
            },
        ),
    ):
        r = app.post(f"/api/contribute/{kind}", headers=bearer(app, "alice"), json=fields)
        assert r.status_code == 201, r.text
    for p in ("informs", "informsTransitively"):
        assert not concluded(app, museum, f"{PIC}{p}", cci), p
    for p in ("informs", "informsViaDerivation"):
        assert not concluded(app, museum, f"{PIC}{p}", lab), p
    anywhere = app.get("/sparql", params={"query": f"ASK {{ GRAPH ?g {{ <{museum}> <{PIC}informs> <{cci}> }} }}"})
    assert anywhere.json()["boolean"] is False, "no graph a reader reads states it"
    # aula's own project with aula in it: a tie of aula's, on aula's word
    r = app.post(
        "/api/contribute/project",
        headers=bearer(app, "alice"),
        json={
            "id": "aula-p4",
            "title_fr": "Projet P4",
            "start": "2023-01-01",
            "participants": "aula:pilote;cci-artois:partenaire",
            "studies_used": "aula-s1",
        },
    )
    assert r.status_code == 201, r.text
    assert concluded(app, f"{ID}actor/aula", f"{PIC}cooperatesWith", cci)
    assert concluded(app, cci, f"{PIC}cooperatesWith", f"{ID}actor/aula")


def test_every_entity_a_tie_rests_on_is_an_ends_or_the_curators_word(app):
    """Ninth outside re-test, finding 1: one of the two entities being an end's or the curators' was
    enough. (A) the curators' INSEE study used by aula's project with the sous-préfecture made INSEE inform
    the sous-préfecture; (B) aula's own study, produced by aula, used by cd62's project with the Mission
    Bassin Minier made aula inform the mission — each on a third organisation's word. The maps keep both,
    "selon aula" and "selon cd62"."""
    insee, prefecture = f"{ID}actor/insee-hauts-de-france", f"{ID}actor/sous-prefecture-lens"
    mission = f"{ID}actor/mission-bassin-minier"
    for who, kind, fields in (
        (
            "alice",
            "project",
            {
                "id": "a9-pr2",
                "title_fr": "Projet A9",
                "start": "2024-01-01",
                "participants": "sous-prefecture-lens:partenaire",
                "studies_used": "insee-analyses-hdf-137",
            },
        ),
        (
            "alice",
            "study",
            {"id": "a9-own", "title_fr": "Étude d'aula", "status": "published", "year": "2024", "producer": "aula"},
        ),
        (
            "bruno",
            "project",
            {
                "id": "cd-pr1",
                "title_fr": "Projet du cd62",
                "start": "2024-01-01",
                "participants": "mission-bassin-minier:partenaire",
                "studies_used": "a9-own",
            },
        ),
    ):
        r = app.post(f"/api/contribute/{kind}", headers=bearer(app, who), json=fields)
        assert r.status_code == 201, r.text
    assert not concluded(app, insee, f"{PIC}informs", prefecture)
    assert not concluded(app, AULA, f"{PIC}informs", mission)
    edges = app.get("/maps/knowledge-flows.json").json()
    said = {(e["source"], e["target"]): e["said_by"] for e in edges.get("edges", edges.get("links", []))}
    assert said[(insee, prefecture)] == "aula" and "cd62" in said[(AULA, mission)].split(), said


def test_a_chain_of_flows_rests_on_its_two_ends_word(app):
    """Tenth outside re-test, finding 3: aula's study co-signed by cd62, used by aula's project with the
    museum, made `cd62 pic:informsTransitively louvre-lens` public — two hops each on the word of one of
    their ends (aula), the chain on aula's word alone, a third organisation's to cd62 and the museum. Each
    hop of a chain now rests on the chain's two ends' word (or the curators', or nobody's): the hops stay,
    the chain does not."""
    cd62, museum = f"{ID}actor/cd62", f"{ID}actor/louvre-lens"
    study = f"{ID}study/aula-cosignee"
    r = app.post(
        "/api/contribute/study",
        headers=bearer(app, "alice"),
        json={
            "id": "aula-cosignee",
            "title_fr": "Étude cosignée",
            "status": "published",
            "year": "2024",
            "producer": "aula",
        },
    )
    assert r.status_code == 201, r.text
    r = app.post(
        "/rdf-graphs",
        params={"graph": f"{ID}graph/partner/aula"},
        content=f"<{study}> <{PROV}wasAttributedTo> <{cd62}> .".encode(),
        headers={"Content-Type": "text/turtle", **bearer(app, "alice")},
    )
    assert r.status_code in (201, 204), r.text
    r = app.post(
        "/api/contribute/project",
        headers=bearer(app, "alice"),
        json={
            "id": "aula-chaine",
            "title_fr": "Projet chaîne",
            "start": "2024-01-01",
            "participants": "aula:pilote;louvre-lens:partenaire",
            "studies_used": "aula-cosignee",
        },
    )
    assert r.status_code == 201, r.text
    assert concluded(app, cd62, f"{PIC}informs", AULA), "a hop on an end's word"
    assert concluded(app, AULA, f"{PIC}informs", museum), "a hop on an end's word"
    assert concluded(app, cd62, f"{PIC}informsTransitively", AULA)
    assert not concluded(app, cd62, f"{PIC}informs", museum)
    assert not concluded(app, cd62, f"{PIC}informsTransitively", museum), "the chain rests on aula's word"
