"""An entity's history says what each change did in the reader's words (outside re-test of issue 21: it
said "contribution: project https://w3id.org/…"): the door in the page's language, the entity by its name,
on its page and on the page its deletion left; the record itself keeps its source as written."""

import re

import pytest

from tests.conftest import app_client, bearer, signed_in

USERS = [("alice", "partner", "aula")]
BROWSER = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("history-words") / "data", users=USERS) as c:
        yield c


def history_text(html: str) -> str:
    section = html[html.index('<section id="history">') :].split("</section>")[0]
    return " ".join(re.sub(r"<[^>]+>", " ", section).split())


def test_the_history_names_the_door_and_the_entity(app):
    body = {"id": "histoire-lisible", "title_fr": "Une histoire lisible", "status": "planned", "year": "2027"}
    r = app.post("/api/contribute/study", json=body, headers=bearer(app, "alice"))
    assert r.status_code == 201, r.text
    for lang, words in (("fr", "contribution : étude « Une histoire lisible »"), ("en", "contribution: study")):
        text = history_text(app.get(f"/id/study/histoire-lisible?lang={lang}", headers=BROWSER).text)
        assert words in text and "https://" not in text, text
        assert ("urbanisme de l" in text or "urban planning" in text) and " aula " not in f" {text} ", text
    r = app.delete("/api/contribute/study/histoire-lisible", headers=bearer(app, "alice"))
    assert r.status_code in (200, 204), r.text
    gone = app.get("/id/study/histoire-lisible?lang=fr", headers=BROWSER)
    assert gone.status_code == 404
    text = history_text(gone.text)
    assert "suppression : étude" in text and "https://" not in text, text
    record = app.post(
        "/sparql",
        data={"query": "SELECT ?s WHERE { GRAPH ?g { ?c <http://purl.org/dc/terms/source> ?s } }"},
        headers={"Accept": "application/sparql-results+json", **bearer(app, "alice")},
    )
    sources = {b["s"]["value"] for b in record.json()["results"]["bindings"]}
    assert "contribution: study https://w3id.org/pic-euralens/id/study/histoire-lisible" in sources


def test_the_contribute_page_and_an_edit_form_name_what_they_list(app):
    """Outside re-test of issue 21, M5: memberships listed by their key (`aula--…`), English names on the
    French page, the organisation by its identifier."""
    body = {"member": "aula", "organization": "euralens", "role": "membre"}
    r = app.post("/api/contribute/membership", json=body, headers=bearer(app, "alice"))
    assert r.status_code in (200, 201), r.text
    browser = signed_in(app, "alice")
    listed = browser.get("/contribute?lang=fr").text
    mine = listed[listed.index('id="mine"') :].split("</table>")[0]
    assert "--" not in re.sub(r'href="[^"]*"', "", mine), mine
    assert "Agence d&#39;urbanisme de l&#39;Artois" in listed
    form = browser.get("/contribute/membership/aula--euralens?lang=fr").text
    title = form[form.index("<h1>") : form.index("</h1>")]
    assert "aula--euralens" not in title and "Agence" in title, title


def test_the_account_page_names_the_role_and_the_organisation(app):
    """Second outside re-test of issue 21, N11: /account showed "partner — aula"."""
    who = signed_in(app, "alice").get("/account?lang=fr").text
    line = who[who.index('id="who"') :].split("</p>")[0]
    assert "partenaire" in line and "urbanisme de l" in line and "aula" not in line.replace("alice", ""), line
