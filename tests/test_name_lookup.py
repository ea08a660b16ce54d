"""Names typed where an entity is asked for, looked up by the server (issue 21, 1), against what the outside
re-test tried: a partner naming an entity of theirs like a public one does not take the name from everyone;
two entities of one name are told apart by their identifiers; a field of 20,000 names is refused at once; a
short form is read as one only where an entity is; "name:role" without a role says so; the page's
language throughout."""

import html
import re

import pytest

from tests.conftest import app_client, bearer, signed_in

USERS = [("alice", "partner", "aula"), ("bruno", "partner", "cd62")]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("name-lookup") / "data", users=USERS) as c:
        yield c


def actor(app, who: str, key: str, name: str):
    body = {"id": key, "name_fr": name, "type": "association", "territory": "commune/62498"}
    r = app.post("/api/contribute/actor", json=body, headers=bearer(app, who))
    assert r.status_code == 201, r.text


def ego(app, name: str, lang: str = "fr"):
    return app.get("/maps/cooperation.json", params={"ego": name, "lang": lang})


def test_a_partners_namesake_does_not_take_a_curated_name_from_everyone(app):
    before = ego(app, "Musée du Louvre-Lens").json()
    actor(app, "bruno", "faux-musee", "Musée du Louvre-Lens")
    after = ego(app, "Musée du Louvre-Lens")
    assert after.status_code == 200 and after.json() == before  # still the museum's network
    r = app.get("/api/queries/actor-projects-and-roles", params={"actor": "Musée du Louvre-Lens"})
    assert r.status_code == 200 and "louvre-lens-construction" in r.text


def test_two_namesakes_nobody_curates_are_told_apart_by_their_identifiers(app):
    actor(app, "alice", "collectif-terrils", "Collectif des terrils")
    actor(app, "bruno", "collectif-terrils-62", "Collectif des terrils")
    for lang, words in (("fr", "plusieurs"), ("en", "several")):
        r = ego(app, "Collectif des terrils", lang)
        assert r.status_code == 422 and r.json()["error"]["field"] == "ego"
        message = r.json()["error"]["message"]
        assert words in message and "actor/collectif-terrils)" in message and "actor/collectif-terrils-62)" in message


def test_a_field_of_too_many_names_is_refused_at_once(app):
    body = {"id": "trop-de-noms", "title_fr": "Trop", "status": "planned", "year": "2027"}
    body["producer"] = ";".join(f"Acteur {i}" for i in range(20_000))
    r = app.post("/api/contribute/study", json=body, headers=bearer(app, "alice"))
    assert r.status_code == 422
    assert any(p["field"] == "producer" and "100" in p["message"] for p in r.json()["error"]["problems"]), r.text


def test_a_short_form_is_one_only_where_an_entity_is_else_a_name(app):
    assert ego(app, "atemis").status_code == 200  # ATEMIS's short form
    assert ego(app, "actor/atemis").json() == ego(app, "atemis").json()
    r = ego(app, "zz-nobody")
    assert r.status_code == 422 and "zz-nobody" in r.json()["error"]["message"]


def test_a_participant_without_a_role_is_told_how_to_write_it(app):
    body = {"id": "sans-role", "title_fr": "Sans rôle", "start": "2026-01-01", "participants": "Euralens"}
    for lang, words in (("fr", "deux-points"), ("en", "colon")):
        r = app.post(f"/api/contribute/project?lang={lang}", json=body, headers=bearer(app, "alice"))
        assert r.status_code == 422
        said = [p["message"] for p in r.json()["error"]["problems"] if p["field"] == "participants"]
        assert said and words in said[0], r.text


def test_a_maps_theme_is_taken_by_its_name_and_an_unknown_one_is_said(app):
    """Outside re-test of issue 21: `theme=zzqx` drew an empty map (200), as if nobody worked on it."""
    by_slug = app.get("/maps/cooperation.json", params={"theme": "culture"})
    assert by_slug.status_code == 200 and by_slug.json()["nodes"]
    assert app.get("/maps/cooperation.json", params={"theme": "Culture"}).json() == by_slug.json()
    for lang, words in (("fr", "aucun"), ("en", "no")):
        r = app.get("/maps/cooperation.json", params={"theme": "zzqx", "lang": lang})
        assert r.status_code == 422 and r.json()["error"]["field"] == "theme", r.text
        assert words in r.json()["error"]["message"]


def test_a_spreadsheet_names_its_references_as_the_forms_do(app):
    """Issue 21, 1: a partner's sheet says "Agence d'urbanisme de l'Artois", not `aula`; a name that is no
    entity's is said at its row and column, once, in the asked language; short names still work."""
    sheet = (
        "id,title_fr,status,year,producer,themes,territories\n"
        "etude-nommee,Étude nommée,planned,2027,Agence d'urbanisme de l'Artois;atemis,Culture,Lens\n"
        "etude-courte,Étude courte,planned,2027,aula,culture,commune/62498\n"
    )
    headers = bearer(app, "alice")
    r = app.post(
        "/api/import/studies?dry_run=true", files={"file": ("s.csv", sheet.encode(), "text/csv")}, headers=headers
    )
    assert r.status_code == 200 and r.json()["problems"] == [], r.text
    r = app.post("/api/import/studies", files={"file": ("s.csv", sheet.encode(), "text/csv")}, headers=headers)
    assert r.status_code == 200, r.text
    page = app.get("/id/study/etude-nommee", params={"format": "json"}).json()
    shown = str(page)
    assert "actor/aula" in shown and "theme/culture" in shown and "commune/62498" in shown
    wrong = sheet.replace("Agence d'urbanisme de l'Artois", "Zzqx Wvut").replace("etude-", "autre-")
    r = app.post(
        "/api/import/studies",
        files={"file": ("s.csv", wrong.encode(), "text/csv")},
        headers={**headers, "Accept-Language": "fr"},
    )
    assert r.status_code == 422, r.text
    problems = r.json()["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [(2, "producer")], problems
    assert "Zzqx Wvut" in problems[0]["message"] and "aucun" in problems[0]["message"]


def test_an_audience_is_named_as_the_user_knows_it(app):
    """Issue 21, 1: "share with" took identifiers only (`aula, cd62`)."""
    body = {"id": "partagee-par-nom", "title_fr": "Partagée par nom", "status": "planned", "year": "2027"}
    shared = {"visibility": "organisations", "shared_with": "Agence d'urbanisme de l'Artois, cd62"}
    r = app.post("/api/contribute/study", json={**body, **shared}, headers=bearer(app, "bruno"))
    assert r.status_code == 201, r.text
    saved = app.get("/api/contribute/study/partagee-par-nom", headers=bearer(app, "bruno")).json()
    assert saved["visibility"] == "organisations" and saved["shared_with"] == "aula", saved  # cd62's own
    browser = signed_in(app, "bruno")  # the form and the page name whom it is shared with (second re-test, N5)
    form = browser.get("/contribute/study/partagee-par-nom?lang=fr").text
    assert 'name="shared_with" value="Agence d&#39;urbanisme de l&#39;Artois"' in form
    page = browser.get("/id/study/partagee-par-nom?lang=fr", headers={"Accept": "text/html"}).text
    audience = page[page.index('id="audience"') :].split("</p>")[0]
    assert "urbanisme" in audience and "aula" not in audience, audience
    assert (
        browser.post(
            "/contribute/study/partagee-par-nom?lang=fr",
            data={
                **body,
                "id": "partagee-par-nom",
                "visibility": "organisations",
                "csrf": browser.csrf,
                "shared_with": "Agence d'urbanisme de l'Artois",
            },
            follow_redirects=False,
        ).status_code
        == 303
    )  # saved unchanged
    wrong = {**body, "id": "partagee-mal", "visibility": "organisations", "shared_with": "Zzqx Wvut"}
    r = app.post("/api/contribute/study?lang=fr", json=wrong, headers=bearer(app, "bruno"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "shared_with", r.text
    assert "aucun" in r.json()["error"]["message"]


def test_participants_are_named_with_their_roles(app):
    """Outside re-test of issue 21, H1: a participant's role was its notation only (`pilote`)."""
    body = {"id": "roles-nommes", "title_fr": "Rôles nommés", "start": "2025-01-01"}
    named = "Musée du Louvre-Lens:Pilote ; Agence d'urbanisme de l'Artois:Maitre d\u2019ouvrage; atemis:partenaire"
    r = app.post("/api/contribute/project", json={**body, "participants": named}, headers=bearer(app, "alice"))
    assert r.status_code == 201, r.text
    saved = app.get("/api/contribute/project/roles-nommes", headers=bearer(app, "alice")).json()["fields"]
    assert sorted(saved["participants"].split(";")) == [
        "atemis:partenaire",
        "aula:maitre-ouvrage",
        "louvre-lens:pilote",
    ], saved
    for lang, words in (("fr", "aucun rôle"), ("en", "no role")):
        wrong = {**body, "id": "roles-faux", "participants": "Musée du Louvre-Lens:chef"}
        r = app.post(f"/api/contribute/project?lang={lang}", json=wrong, headers=bearer(app, "alice"))
        assert r.status_code == 422 and words in r.text and "Pilote" in r.text or "Lead" in r.text, r.text
        assert "louvre-lens" not in r.json()["error"]["message"] and "https://" not in r.text


def test_a_name_holding_a_semicolon_is_still_one_reference(app):
    """Outside re-test of issue 21, H2: a study titled "A ; B" could not be referenced, and a form that
    named it could not be saved unchanged."""
    base = {"id": "base-point-virgule", "title_fr": "Étude de base ; avec point-virgule", "status": "planned"}
    r = app.post("/api/contribute/study", json={**base, "year": "2027"}, headers=bearer(app, "alice"))
    assert r.status_code == 201, r.text
    derived = {"id": "derivee-point-virgule", "title_fr": "Dérivée", "status": "planned", "year": "2027"}
    r = app.post(
        "/api/contribute/study", json={**derived, "builds_on": "study/base-point-virgule"}, headers=bearer(app, "alice")
    )
    assert r.status_code == 201, r.text  # `study/x`, a short form with its kind, as the pages write it
    browser = signed_in(app, "alice")
    form = browser.get("/contribute/study/derivee-point-virgule").text
    shown = form.split('name="builds_on" value="')[1].split('"')[0]
    assert shown == "base-point-virgule", shown  # its identifier, where its name would read as two
    fields = dict(re.findall(r'<input id="field-\w+" name="(\w+)" value="([^"]*)"', form))
    fields = {k: html.unescape(v) for k, v in fields.items() if v}
    r = browser.post(
        "/contribute/study/derivee-point-virgule",
        data={**fields, "status": "planned", "csrf": browser.csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:3000]


def test_a_working_group_named_where_an_actor_is_asked_is_said_without_its_iri(app):
    """Second outside re-test of issue 21, N8: a working group chosen as a membership's organisation was
    refused as "'https://…/group/…' is not a short name of actor"."""
    body = {"member": "aula", "organization": "https://w3id.org/pic-euralens/id/group/habitat-cadre-de-vie"}
    r = app.post("/api/contribute/membership?lang=fr", json={**body, "role": "membre"}, headers=bearer(app, "alice"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "organization", r.text
    assert "https://" not in r.json()["error"]["message"] and "n'est pas de type" in r.json()["error"]["message"]
