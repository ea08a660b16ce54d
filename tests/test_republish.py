"""A withdrawn study republished takes nothing over (issue 16, fifth outside re-test, finding 2): aula
published `race-5`, made it private; cd62, to whom the id then looked free, published its own `race-5`;
aula's republishing made it aula's again for everyone — cd62's title gone from search and its lists."""

from tests.conftest import app_client, bearer

STUDY = {"id": "race-5", "status": "planned", "year": "2026"}


def test_republishing_a_withdrawn_study_another_has_published_since_is_refused(tmp_path):
    with app_client(tmp_path / "data") as app:
        alice, bruno = bearer(app, "alice"), bearer(app, "bruno")
        aula = {**STUDY, "title_fr": "Race5 AULA"}
        assert app.post("/api/contribute/study", headers=alice, json=aula).status_code == 201
        r = app.put("/api/contribute/study/race-5", headers=alice, json={**aula, "visibility": "private"})
        assert r.status_code == 200, r.text
        r = app.post("/api/contribute/study", headers=bruno, json={**STUDY, "title_fr": "Race5 CD62"})
        assert r.status_code == 201, r.text
        r = app.put("/api/contribute/study/race-5", headers=alice, json={**aula, "visibility": "public"})
        assert r.status_code == 403, r.text
        assert "published by cd62" in r.json()["error"]["message"]
        hits = app.get("/api/search", params={"q": "race5"}).json()["hits"]
        assert [h["title"] for h in hits] == ["Race5 CD62"], hits
        # aula's private draft stays aula's to edit
        r = app.put("/api/contribute/study/race-5", headers=alice, json={**aula, "title_fr": "Race5 AULA revu"})
        assert r.status_code == 200, r.text


def test_undoing_a_delete_gives_back_nothing_another_organisation_has_published_since(tmp_path):
    """Fifth outside re-test, finding 4: aula deleted its study `race-1`, cd62 published its own `race-1`,
    and a facilitator's revert of aula's delete gave the study back to aula (cd62's became a claim)."""
    with app_client(tmp_path / "data", admin_token="t") as app:
        alice, bruno = bearer(app, "alice"), bearer(app, "bruno")
        assert (
            app.post(
                "/api/contribute/study", headers=alice, json={**STUDY, "id": "race-1", "title_fr": "Race AULA"}
            ).status_code
            == 201
        )
        assert app.delete("/api/contribute/study/race-1", headers=alice).status_code == 204
        page = app.get("/id/study/race-1")
        assert page.status_code == 404
        ask = (
            "SELECT ?c WHERE { GRAPH ?g { ?c <http://purl.org/dc/terms/source> ?source "
            'FILTER (CONTAINS(?source, "delete study")) } }'
        )
        rows = app.get(
            "/sparql",
            params={"query": ask},
            headers={"Authorization": "Bearer t", "Accept": "application/sparql-results+json"},
        )
        deleted = rows.json()["results"]["bindings"][0]["c"]["value"].rsplit("/", 1)[-1]
        assert (
            app.post(
                "/api/contribute/study", headers=bruno, json={**STUDY, "id": "race-1", "title_fr": "Race CD62"}
            ).status_code
            == 201
        )
        r = app.post(f"/changes/{deleted}/revert", headers=bearer(app, "fanny"))
        assert r.status_code == 409 and "aula" in r.json()["error"]["message"], r.text
        assert app.get("/id/study/race-1?format=json").json()["label"] == "Race CD62"


def test_a_private_draft_of_a_series_takes_no_public_cell_of_anothers(tmp_path):
    """Sixth outside re-test, finding 1: aula's private draft of series `ds-q`, cd62's published `ds-q`;
    aula's public cell `observation/ds-q/62498/2025` became the public figure of cd62's series."""
    series = (
        "<{ID}dataset/ds-q> a <http://purl.org/linked-data/cube#DataSet> , <{PIC}IndicatorDataSet> ; "
        "<http://purl.org/linked-data/cube#structure> <{PIC}IndicatorStructure> ; "
        '<http://www.w3.org/2000/01/rdf-schema#label> "S"@fr ; <{PIC}unit> "v" ; '
        "<{PIC}measuresIndicator> <{ID}indicator/frequentation-louvre-lens> ."
    )
    cell = (
        "<{ID}observation/ds-q/62498/2025> a <http://purl.org/linked-data/cube#Observation> ; "
        "<http://purl.org/linked-data/cube#dataSet> <{ID}dataset/ds-q> ; "
        "<{PIC}refArea> <{ID}territory/commune/62498> ; "
        '<{PIC}refYear> "2025"^^<http://www.w3.org/2001/XMLSchema#gYear> ; <{PIC}value> 1.0 .'
    )
    ids = {"ID": "https://w3id.org/pic-euralens/id/", "PIC": "https://w3id.org/pic-euralens/ontology#"}
    with app_client(tmp_path / "data") as app:

        def post(who, graph, text):
            return app.post(
                "/rdf-graphs",
                params={"graph": f"{ids['ID']}graph/{graph}"},
                content=text.format(**ids).encode(),
                headers={"Content-Type": "text/turtle", **bearer(app, who)},
            )

        assert post("alice", "private/aula/main", series).status_code in (201, 204)
        assert post("bruno", "partner/cd62", series).status_code in (201, 204)
        r = post("alice", "partner/aula", cell)
        assert r.status_code == 403 and "belongs to cd62" in r.text, r.text
        r = post("alice", "private/aula/until-2099-01-01", cell)  # public on its day: judged as public
        assert r.status_code == 403 and "belongs to cd62" in r.text, r.text
        assert post("alice", "private/aula/main", cell).status_code in (201, 204)  # its draft's own cell
