"""A partner's own series for an indicator takes over no figure of the annual report (issue 16, fifth
outside re-test, finding 5): aula's `aula-ds` for the unemployment rate replaced the Lens figure (12.5
instead of the demo's) and the section's source. The report reads the indicator's reference series."""

import csv
import io

from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
SERIES = f"""@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix pic: <https://w3id.org/pic-euralens/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{ID}dataset/aula-ds> a qb:DataSet , pic:IndicatorDataSet ; qb:structure pic:IndicatorStructure ;
  rdfs:label "Série : chômage (aula)"@fr ; pic:measuresIndicator <{ID}indicator/taux-chomage> ; pic:unit "%" ."""


def lens_unemployment(app) -> dict:
    rows = csv.DictReader(io.StringIO(app.get("/reports/2024.csv").text))
    return next(r for r in rows if r["indicator"].endswith("/taux-chomage") and r["territory"].endswith("/62498"))


def test_a_partners_own_series_replaces_no_figure(tmp_path):
    with app_client(tmp_path / "data") as app:
        before = lens_unemployment(app)
        alice = bearer(app, "alice")
        r = app.post(
            "/rdf-graphs",
            params={"graph": f"{ID}graph/partner/aula"},
            content=SERIES.encode(),
            headers={"Content-Type": "text/turtle", **alice},
        )
        assert r.status_code in (201, 204), r.text
        r = app.post(
            "/api/contribute/observation",
            headers=alice,
            json={"dataset": "aula-ds", "territory": "commune/62498", "year": "2024", "value": "12.5"},
        )
        assert r.status_code == 201, r.text
        after = lens_unemployment(app)
        assert (after["value"], after["dataset"]) == (before["value"], before["dataset"]), (before, after)
        assert after["dataset"] == f"{ID}dataset/taux-chomage"
        page = app.get("/reports/2024").text
        assert "aula-ds" not in page
