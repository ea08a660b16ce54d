"""Thirteenth outside re-test: a project's start `2024-02-30` passed the form's pattern, was stored as an
ill-typed `xsd:dateTime`, and the search index's next update failed on it — every later write went
unindexed and /health said "degraded" to everyone until the project was deleted."""

from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"


def test_a_day_not_in_the_calendar_is_refused_on_its_field(tmp_path):
    with app_client(tmp_path / "data") as client:
        project = {"id": "jour-impossible", "title_fr": "Jour impossible", "participants": "aula:pilote"}
        r = client.post(
            "/api/contribute/project", headers=bearer(client, "alice"), json={**project, "start": "2024-02-30"}
        )
        assert r.status_code == 422, r.text
        assert [p["field"] for p in r.json()["error"]["problems"]] == ["start"], r.text


def test_an_ill_typed_date_leaves_the_search_index_working(tmp_path):
    """Written through the Graph Store, where no form checks it: no year facet, and later writes found."""
    with app_client(tmp_path / "data") as client:
        alice = bearer(client, "alice")
        r = client.post(
            "/rdf-graphs",
            params={"graph": f"{ID}graph/partner/aula"},
            headers={**alice, "Content-Type": "text/turtle"},
            content=(
                f"<{ID}project/jour-impossible> a <https://w3id.org/pic-euralens/ontology#Project> ; "
                f'<http://purl.org/dc/terms/title> "Jour impossible"@fr ; '
                f'<http://www.w3.org/2000/01/rdf-schema#label> "Jour impossible"@fr ; '
                f"<http://www.w3.org/ns/prov#qualifiedAssociation> <{ID}association/jour-impossible--aula--pilote> ; "
                f'<http://www.w3.org/ns/prov#startedAtTime> "2024-02-30T00:00:00"^^'
                f"<http://www.w3.org/2001/XMLSchema#dateTime> . "
                f"<{ID}association/jour-impossible--aula--pilote> a <http://www.w3.org/ns/prov#Association> ; "
                f"<http://www.w3.org/ns/prov#agent> <{ID}actor/aula> ; "
                f"<http://www.w3.org/ns/prov#hadRole> <{ID}role/pilote> ."
            ).encode(),
        )
        assert r.status_code in (201, 204), r.text
        study = {"id": "zorglubquux", "title_fr": "Zorglubquux", "status": "planned", "year": "2027"}
        r = client.post("/api/contribute/study", headers=alice, json=study)
        assert r.status_code == 201, r.text
        assert client.get("/api/search", params={"q": "zorglubquux"}).json()["total"] == 1
        assert client.get("/api/search", params={"q": "jour impossible"}).json()["total"] == 1
        assert client.get("/health").status_code == 200
