"""An entity's history says in whose graphs each change was written (issue 16, fourth outside re-test,
F9): a facilitator's edit of aula's study and aula's own edit looked alike; the history named who, not
whose data the change was."""

import re

from tests.conftest import app_client, bearer


def test_each_change_names_the_organisations_whose_graphs_it_wrote(tmp_path):
    with app_client(tmp_path / "data") as app:
        study = {"title_fr": "Étude de l'AULA", "status": "published", "year": "2025"}
        r = app.post("/api/contribute/study", headers=bearer(app, "alice"), json={"id": "etude-aula", **study})
        assert r.status_code == 201, r.text
        r = app.put(
            "/api/contribute/study/etude-aula",
            headers=bearer(app, "fanny"),
            json={**study, "title_fr": "Étude de l'AULA (revue)"},
        )
        assert r.status_code == 200, r.text
        page = app.get("/id/study/etude-aula").text
        rows = re.findall(
            r'<tr data-change="[^"]+"><td>[^<]*</td><td>([^<]*)</td><td class="history-in" '
            r'data-in="([^"]*)"',
            page,
        )
        assert sorted(rows) == [("alice", "aula"), ("fanny", "aula")], rows
        assert "Dans les graphes de" in page
