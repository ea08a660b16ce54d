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
