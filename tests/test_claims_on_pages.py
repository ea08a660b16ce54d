"""Another organisation's claims stay its own in the aggregates (issue 16, item 3; an outside tester's
findings): what cd62's graph says about aula's study — another producer, another year, another theme —
is no cooperation or knowledge-flow tie, no study on the claimed producer's page, no year or theme in
the search facets; and a figure cd62 gives to another's series is named as cd62's on the territory
page and in the report's Turtle, where it is not illustrative."""

import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, Store

from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
PIC = "https://w3id.org/pic-euralens/ontology#"
STUDY = f"{ID}study/etude-aula-revendiquee"
AULA, EURALENS, COLLECTIF = f"{ID}actor/aula", f"{ID}actor/euralens", f"{ID}actor/collectif-cite-9"
TITLE = "Étude revendiquée des friches"
CLAIM = f"""@prefix pic: <{PIC}> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{STUDY}> pic:producedBy <{COLLECTIF}> ; dcterms:issued "2031"^^xsd:gYear ; dcterms:subject <{ID}theme/tourisme> ."""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("claims-on-pages") / "data", admin_token="admin-token") as c:
        alice = bearer(c, "alice")
        r = c.post(
            "/api/contribute/study",
            headers=alice,
            json={
                "id": "etude-aula-revendiquee",
                "title_fr": TITLE,
                "status": "published",
                "year": "2026",
                "producer": "aula",
                "commissioner": "euralens",
                "themes": "culture",
            },
        )
        assert r.status_code == 201, r.text
        r = c.post(
            "/api/contribute/project",
            headers=alice,
            json={
                "id": "projet-aula-friches",
                "title_fr": "Projet aula friches",
                "start": "2027-01-15",
                "participants": "aula:pilote",
                "studies_used": "etude-aula-revendiquee",
            },
        )
        assert r.status_code == 201, r.text
        # a curator's statement in cd62's graph about aula's study (older data, a correction): cd62's claim
        r = c.post(
            "/rdf-graphs",
            params={"graph": f"{ID}graph/partner/cd62"},
            content=CLAIM.encode(),
            headers={"Content-Type": "text/turtle", **bearer(c, "fanny")},
        )
        assert r.status_code in (201, 204), r.text
        claims = c.get("/id/study/etude-aula-revendiquee?format=json").json()["claims"]
        assert [x["by"] for x in claims] == ["cd62"], claims  # the page shows it as cd62's
        # a figure for the demo's (invented, illustrative) unemployment series in cd62's graph, curated by a
        # facilitator (a partner writes only its own series' figures: test_series_cells)
        csv = "dataset,territory,year,value\ntaux-chomage,epci/246200364,2031,9.4\n"
        r = c.post(
            "/api/import/observations",
            params={"org": "cd62"},
            headers=bearer(c, "fanny"),
            files={"file": ("o.csv", csv.encode())},
        )
        assert r.status_code == 200, r.text
        yield c


def ties(app, kind: str, **params) -> dict:
    data = app.get(f"/maps/{kind}.json", params=params).json()
    return {(e["source"], e["target"]): e for e in data.get("edges", data.get("links", []))}


def test_a_claimed_producer_makes_no_cooperation_tie_and_a_claimed_year_moves_none(app):
    coop = ties(app, "cooperation")
    between = {tuple(sorted(pair)): e for pair, e in coop.items()}
    assert (AULA, COLLECTIF) not in between and (COLLECTIF, AULA) not in between, between.get((AULA, COLLECTIF))
    own = between[tuple(sorted((AULA, EURALENS)))]
    assert STUDY in own["evidence"].split() and "2031" not in str(own["years"]), own
    assert not any(STUDY in e["evidence"].split() for e in ties(app, "cooperation", theme="tourisme").values())
    # the year's ties (report, changes): the study is aula's 2026 tie, not a 2031 one
    changed = app.get("/maps/cooperation/changes", params={"before": 2026, "after": 2031, "format": "json"}).json()
    assert [AULA, EURALENS] in [sorted(t) for t in changed["lost_ties"]], changed


def test_a_claimed_producer_sends_no_knowledge_flow(app):
    flows = ties(app, "knowledge-flows")
    assert (COLLECTIF, AULA) not in flows, flows.get((COLLECTIF, AULA))
    assert STUDY in flows[(EURALENS, AULA)]["evidence"].split()


def test_the_claimed_producers_page_lists_no_study_and_the_owners_has_its_year(app):
    def studies(actor: str) -> list[dict]:
        page = app.get(f"/id/actor/{actor}?format=json").json()
        return [r for s in page["sections"] if s["id"] == "studies" for r in s["rows"] if r["study"]["iri"] == STUDY]

    assert studies("collectif-cite-9") == []
    assert [r["year"] for r in studies("aula")] == ["2026"], studies("aula")
    section = app.get("/id/actor/collectif-cite-9").text.split('id="section-studies"')
    assert len(section) == 1 or TITLE not in section[1].split("</section>")[0]


def test_the_search_facets_count_the_owners_year_and_theme_only(app):
    found = app.get("/api/search", params={"q": TITLE}).json()
    assert found["hits"][0]["iri"] == STUDY, found
    assert found["facets"]["year"].get("2031") is None and found["facets"]["year"]["2026"] >= 1, found["facets"]
    assert f"{ID}theme/tourisme" not in found["facets"].get("theme", {}), found["facets"]
    assert f"{ID}theme/culture" in found["facets"]["theme"]
    for facet, value in (("year", "2031"), ("theme", f"{ID}theme/tourisme")):
        assert app.get("/api/search", params={"q": TITLE, facet: value}).json()["total"] == 0, (facet, value)
    assert app.get("/api/search", params={"q": TITLE, "year": "2026"}).json()["total"] == 1


def test_a_partners_figure_is_named_as_theirs_on_the_territory_page(app):
    page = app.get("/id/territory/epci/246200364?format=json").json()
    rows = [r for s in page["sections"] if s["id"] == "key-indicators" for r in s["rows"]]
    chomage = [r for r in rows if r["indicator"]["iri"] == f"{ID}indicator/taux-chomage"]
    assert [(r["year"], r.get("value_given_by")) for r in chomage] == [("2031", "cd62")], chomage
    assert all("value_given_by" not in r for r in rows if r not in chomage)
    assert "chiffre donné par cd62" in app.get("/id/territory/epci/246200364").text
    assert "figure given by cd62" in app.get("/id/territory/epci/246200364?lang=en").text


def test_the_report_turtle_says_who_gave_a_figure_and_keeps_it_out_of_the_illustrative(app):
    turtle = Store()
    turtle.load(app.get("/reports/2031.ttl").content, RdfFormat.TURTLE)
    observation = NamedNode(f"{ID}observation/taux-chomage/246200364/2031")
    given = list(turtle.quads_for_pattern(observation, NamedNode("http://www.w3.org/ns/prov#wasAttributedTo"), None))
    assert [q.object for q in given] == [NamedNode(f"{ID}actor/cd62")], given
    illustrative = NamedNode(f"{PIC}illustrative")
    assert not list(turtle.quads_for_pattern(observation, illustrative, None))
    # the demo's own figures keep their (invented) series' mark, and name no giver
    demo = Store()
    demo.load(app.get("/reports/2024.ttl").content, RdfFormat.TURTLE)
    figures = {q.subject for q in demo.quads_for_pattern(None, NamedNode(f"{PIC}value"), None)}
    assert figures and all(list(demo.quads_for_pattern(o, illustrative, Literal(True))) for o in figures)
    assert not list(demo.quads_for_pattern(None, NamedNode("http://www.w3.org/ns/prov#wasAttributedTo"), None))
