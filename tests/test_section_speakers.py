"""An entity page's lists of what points at it say whose word each row is (issue 16, fourth outside
re-test, F8): aula's study "produced by the Louvre-Lens" was listed on the museum's page like the museum's
own studies. A link from one's own entity to another's is allowed; the other's page names who made it."""

import pytest

from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("section-speakers") / "data") as c:
        for who, study, producer in (("alice", "etude-aula-musee", "louvre-lens"), ("bruno", "etude-cd62", "cd62")):
            if who == "bruno":
                r = c.post(
                    "/api/contribute/actor",
                    headers=bearer(c, who),
                    json={"id": "cd62", "name_fr": "Département du Pas-de-Calais", "type": "collectivite"},
                )
                assert r.status_code == 201, r.text
            r = c.post(
                "/api/contribute/study",
                headers=bearer(c, who),
                json={
                    "id": study,
                    "title_fr": f"Étude {study}",
                    "status": "published",
                    "year": "2025",
                    "producer": producer,
                },
            )
            assert r.status_code == 201, r.text
        yield c


def rows(app, page: str, section: str) -> dict[str, dict]:
    found = app.get(f"/id/{page}?format=json").json()["sections"]
    first = [next(iter(row.values())) for s in found if s["id"] == section for row in s["rows"]]
    return {cell["iri"]: cell for cell in first}


def test_a_row_another_organisation_stated_names_it(app):
    listed = rows(app, "actor/louvre-lens", "studies")
    assert listed[f"{ID}study/etude-aula-musee"]["said_by"] == ["aula"], listed
    assert "selon aula" in app.get("/id/actor/louvre-lens").text
    assert "according to aula" in app.get("/id/actor/louvre-lens", params={"lang": "en"}).text


def test_a_row_the_entitys_own_organisation_stated_names_nobody(app):
    listed = rows(app, "actor/cd62", "studies")
    assert not listed[f"{ID}study/etude-cd62"].get("said_by"), listed
