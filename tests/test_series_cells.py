"""A series' cells are its owner's (issue 16, outside re-test finding 7): cd62 could put its figure into
a cell (data set × territory × year) of aula's series first, and aula could then no longer publish its
own value there (409 on POST, 403 on PUT). A partner writes observations into its own organisation's
series only: into another's, the form, the API and the Graph Store answer 403 naming the series and its
owner, and the spreadsheet import reports the row; the owner's own figure then goes in."""

import pytest

from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
SERIES = f"{ID}dataset/frequentation-friches-aula"
PREFIXES = """@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix pic: <https://w3id.org/pic-euralens/ontology#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
SERIES_TTL = (
    PREFIXES
    + f"""@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<{SERIES}> a qb:DataSet , pic:IndicatorDataSet ; qb:structure pic:IndicatorStructure ;
  rdfs:label "Série : fréquentation des friches (aula)"@fr ; dcterms:publisher <{ID}actor/aula> ;
  pic:measuresIndicator <{ID}indicator/frequentation-louvre-lens> ; pic:unit "visiteurs" ."""
)
CELL = {"dataset": "frequentation-friches-aula", "territory": "commune/62498", "year": "2030"}
KEY = "frequentation-friches-aula/62498/2030"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("series-cells") / "data") as c:
        r = c.post(
            "/rdf-graphs",
            params={"graph": f"{ID}graph/partner/aula"},
            content=SERIES_TTL.encode(),
            headers={"Content-Type": "text/turtle", **bearer(c, "alice")},
        )
        assert r.status_code in (201, 204), r.text
        yield c


def refused(r, status: int = 403) -> str:
    assert r.status_code == status, r.text
    message = r.text
    assert SERIES in message and "aula" in message and "own" in message, message
    return message


def test_another_organisation_cannot_take_a_cell_of_a_series_and_the_owner_keeps_it(app):
    # cd62 tries the cell of aula's series, by every door: the API, the form's route, the import, the Graph Store
    r = app.post("/api/contribute/observation", headers=bearer(app, "bruno"), json={**CELL, "value": "1"})
    refused(r)
    r = app.post(
        "/api/contribute/observation",
        params={"dry_run": "true"},
        headers=bearer(app, "bruno"),
        json={**CELL, "value": "1"},
    )
    refused(r)
    csv = "dataset,territory,year,value\nfrequentation-friches-aula,commune/62498,2030,1\n"
    r = app.post("/api/import/observations", headers=bearer(app, "bruno"), files={"file": ("o.csv", csv.encode())})
    assert r.status_code == 422, r.text
    problems = r.json()["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [(2, "dataset")], problems
    assert SERIES in problems[0]["message"] and "aula" in problems[0]["message"], problems
    turtle = (
        PREFIXES
        + f"""<{ID}observation/cd62-dans-la-serie-aula> a qb:Observation ; qb:dataSet <{SERIES}> ;
  pic:refArea <{ID}territory/commune/62498> ; pic:refYear "2030"^^xsd:gYear ; pic:value 1.0 ."""
    )
    r = app.post(
        "/rdf-graphs",
        params={"graph": f"{ID}graph/partner/cd62"},
        content=turtle.encode(),
        headers={"Content-Type": "text/turtle", **bearer(app, "bruno")},
    )
    refused(r)
    assert app.get(f"/id/observation/{KEY}").status_code == 404, "nothing of cd62's was written"
    # aula publishes its own value for the cell, then corrects it
    r = app.post("/api/contribute/observation", headers=bearer(app, "alice"), json={**CELL, "value": "1200"})
    assert r.status_code == 201, r.text
    r = app.put(f"/api/contribute/observation/{KEY}", headers=bearer(app, "alice"), json={**CELL, "value": "1250"})
    assert r.status_code == 200, r.text
    page = app.get(f"/id/observation/{KEY}?format=json")
    assert page.status_code == 200, page.text
    values = [v["value"] for s in page.json()["statements"] if s["predicate"].endswith("#value") for v in s["values"]]
    assert values == ["1250"], page.text  # not a search of the text: a change's random key once held "1200"
    # and cd62 still may not change it
    r = app.put(f"/api/contribute/observation/{KEY}", headers=bearer(app, "bruno"), json={**CELL, "value": "2"})
    assert r.status_code == 403, r.text


def test_a_dry_run_answers_as_the_import_would(tmp_path):
    """Sixth outside re-test, finding 6: an import the write refuses (403) passed its dry run with no problem."""
    with app_client(tmp_path / "data") as app:
        rows = b"member,organization,role,since\ncollectif-cite-9,ville-de-lens,membre,\n"
        for dry in ("true", "false"):
            r = app.post(
                "/api/import/memberships",
                params={"dry_run": dry},
                headers=bearer(app, "alice"),
                files={"file": ("m.csv", rows, "text/csv")},
            )
            assert r.status_code == 403, (dry, r.text)
