"""A published draft's page tells who published it and when (issue 16, outside re-test #3, finding 6):
publishing leaves a public change record (`history.public_record`: who, when, which public graph and
entity), but the page's "Historique" asked for the door and the triple counts every private record has,
and said "Aucun changement enregistré" to anonymous readers. It shows the public record — who, when —
and nothing of the draft: no door, no counts, no draft title. The organisation's members, who read its
full record too, see the change once, with its door and counts."""

import pytest

from tests.conftest import app_client, bearer

DRAFT, TITLE = "brouillon-historique-cd62", "Brouillon confidentiel du cd62"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("published-history") / "data") as c:
        bruno = bearer(c, "bruno")
        r = c.post(
            "/api/contribute/study",
            headers=bruno,
            json={"id": DRAFT, "title_fr": TITLE, "status": "planned", "year": "2027", "visibility": "private"},
        )
        assert r.status_code == 201, r.text
        fields = c.get(f"/api/contribute/study/{DRAFT}", headers=bruno).json()["fields"]
        r = c.put(
            f"/api/contribute/study/{DRAFT}",
            headers=bruno,
            json={
                **{k: v for k, v in fields.items() if v},
                "title_fr": "Étude publiée du cd62",
                "visibility": "public",
            },
        )
        assert r.status_code == 200, r.text
        yield c


def history(app, reader: str | None) -> list[str]:
    """The rows of the page's "Historique" table."""
    r = app.get(f"/id/study/{DRAFT}", headers=bearer(app, reader) if reader else {})
    assert r.status_code == 200, r.text
    section = r.text.split('id="history"')[1].split("</section>")[0]
    assert "Aucun changement enregistré" not in section, section
    return section.split('<tr data-change="')[1:]


def test_anonymous_readers_see_who_published_a_draft_and_when(app):
    rows = history(app, None)
    assert len(rows) == 1, rows
    cells = rows[0].split("<td>")
    assert cells[1][:4].isdigit() and cells[2].startswith("bruno"), rows[0]
    for secret in (TITLE, "form", "(+", "−"):
        assert secret not in rows[0], (secret, rows[0])


def test_the_organisations_members_see_the_change_once_with_its_door_and_counts(app):
    rows = history(app, "bruno")
    public = history(app, None)[0].split('"')[0]
    mine = [row for row in rows if row.startswith(public)]
    assert len(mine) == 1 and "(+" in mine[0], rows
    assert len(rows) == 2, rows  # the draft's creation, and its publication
