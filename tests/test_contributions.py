"""Partners' contributions: the JSON API and the forms, problems by field, who may change what, private
and embargoed data, the history on each page and a facilitator's revert, the import upload page."""

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode

from pic.graph.access import User, may_read
from pic.graph.audiences import default_for
from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
STUDY = {
    "id": "enquete-mobilite-lievin",
    "title_fr": "Enquête mobilité à Liévin",
    "title_en": "Mobility in Liévin",
    "abstract_fr": "Une enquête auprès des ménages de Liévin.",
    "status": "published",
    "year": "2025",
    "producer": "aula",
    "themes": "mobilite",
    "territories": "commune/62510",
}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("contrib") / "data", admin_token="admin-token") as c:
        yield c


def sign_in(client, name):
    c = TestClient(client.app)
    csrf = c.get("/login").text.split('name="csrf" value="')[1].split('"')[0]
    c.post("/login", data={"name": name, "password": f"{name}-password", "csrf": csrf})
    page = c.get("/account").text
    c.csrf = page.split('name="csrf" value="')[1].split('"')[0]
    return c


def count(client, graph_part=""):
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER CONTAINS(STR(?g), '{graph_part}') }}"
    admin = {"Accept": "text/csv", "Authorization": "Bearer admin-token"}
    r = client.get("/sparql", params={"query": q}, headers=admin)
    return int(r.text.split()[1])


def test_a_partner_creates_a_study_that_gets_a_page_search_and_history(app):
    r = app.post("/api/contribute/study", json=STUDY, headers=bearer(app, "alice"))
    assert r.status_code == 201, r.text
    assert r.headers["location"] == "/id/study/enquete-mobilite-lievin"
    assert r.json()["iri"] == f"{ID}study/enquete-mobilite-lievin"
    page = app.get(r.headers["location"]).text
    assert "Enquête mobilité à Liévin" in page and "Une enquête auprès des ménages" in page
    history = page.split('id="history"')[1]
    assert "alice" in history and "contribution : étude" in history  # the page says the change in its words
    hits = app.get("/api/search", params={"q": "enquete mobilite lievin"}).json()["hits"]
    assert hits[0]["iri"] == f"{ID}study/enquete-mobilite-lievin"
    values = app.get("/api/contribute/study/enquete-mobilite-lievin").json()
    assert values["fields"]["title_fr"] == STUDY["title_fr"] and values["fields"]["territories"] == "commune/62510"
    assert values["visibility"] == "public" and values["org"] == "aula"
    assert app.post("/api/contribute/study", json=STUDY, headers=bearer(app, "alice")).status_code == 409


def test_every_problem_comes_back_with_its_field_and_nothing_is_written(app):
    before = count(app, "partner/aula")
    bad = {
        "id": "Pas Un Id",
        "title_fr": "",
        "status": "finished",
        "year": "25",
        "producer": "nobody-here",
        "colour": "red",
    }
    r = app.post("/api/contribute/study", json=bad, headers=bearer(app, "alice"))
    assert r.status_code == 422
    fields = {p["field"] for p in r.json()["error"]["problems"]}
    assert fields == {"colour"}  # unknown fields first: nothing else is read
    del bad["colour"]
    r = app.post("/api/contribute/study", json=bad, headers=bearer(app, "alice"))
    problems = {p["field"]: p["message"] for p in r.json()["error"]["problems"]}
    assert set(problems) == {"id", "title_fr", "status", "year", "producer"}, problems
    assert "a year (2024)" in problems["year"] and "nobody-here" in problems["producer"]
    # the shapes too: a published study has an issue date, mapped back to its field
    r = app.post(
        "/api/contribute/study",
        json={"id": "sans-date", "title_fr": "Sans date", "status": "published"},
        headers=bearer(app, "alice"),
    )
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["message"]
    assert count(app, "partner/aula") == before


def test_who_may_change_what(app):
    key = "enquete-mobilite-lievin"
    changed = {**STUDY, "title_fr": "Titre de Bruno"}
    del changed["id"]
    assert app.put(f"/api/contribute/study/{key}", json=changed).status_code == 401
    r = app.put(f"/api/contribute/study/{key}", json=changed, headers=bearer(app, "bruno"))
    assert r.status_code == 403 and "aula" in r.json()["error"]["message"]
    assert app.delete(f"/api/contribute/study/{key}", headers=bearer(app, "bruno")).status_code == 403
    # the demo's studies belong to the platform's own graphs: a partner may not rewrite them
    r = app.put(
        "/api/contribute/study/livret-euralens-10",
        json={"title_fr": "X", "status": "published", "year": "2017"},
        headers=bearer(app, "alice"),
    )
    assert r.status_code == 403
    assert "Titre de Bruno" not in app.get(f"/id/study/{key}").text
    # a facilitator curates partner graphs
    changed["title_fr"] = "Enquête mobilité à Liévin (revue)"
    r = app.put(f"/api/contribute/study/{key}", json=changed, headers=bearer(app, "fanny"))
    assert r.status_code == 200, r.text
    assert "(revue)" in app.get(f"/id/study/{key}").text


def test_private_and_embargoed_studies_stay_with_their_organisation(app):
    secret = {
        "id": "brouillon-secret",
        "title_fr": "Brouillon secret zorglub",
        "status": "ongoing",
        "year": "2027",
        "visibility": "private",
    }
    assert app.post("/api/contribute/study", json=secret, headers=bearer(app, "alice")).status_code == 201
    later = {
        "id": "etude-sous-embargo",
        "title_fr": "Étude sous embargo plouf",
        "status": "completed",
        "year": "2026",
        "visibility": "embargo",
        "embargo_until": "2099-01-01",
    }
    assert app.post("/api/contribute/study", json=later, headers=bearer(app, "alice")).status_code == 201
    past = {**later, "id": "embargo-passe", "embargo_until": "2020-01-01"}
    r = app.post("/api/contribute/study", json=past, headers=bearer(app, "alice"))
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["field"] == "embargo_until"
    for slug, word in (("brouillon-secret", "zorglub"), ("etude-sous-embargo", "plouf")):
        for who in (None, "bruno"):
            headers = bearer(app, who) if who else {}
            assert app.get(f"/id/study/{slug}", headers=headers).status_code == 404
            assert app.get(f"/id/study/{slug}.ttl", headers=headers).status_code == 404
            assert app.get("/api/search", params={"q": word}, headers=headers).json()["total"] == 0
            rows = app.get(
                "/sparql",
                params={"query": f"SELECT * WHERE {{ GRAPH ?g {{ <{ID}study/{slug}> ?p ?o }} }}"},
                headers={**headers, "Accept": "text/csv"},
            ).text
            assert len(rows.strip().splitlines()) == 1  # the header alone
            assert app.get(f"/api/contribute/study/{slug}", headers=headers).status_code == 404
        for who in ("alice", "fanny"):
            assert word in app.get(f"/id/study/{slug}", headers=bearer(app, who)).text
            assert app.get("/api/search", params={"q": word}, headers=bearer(app, who)).json()["total"] == 1
    # and in the annual report and its exports
    for path in ("/reports/2025", "/reports/2025.csv", "/reports/2025.ttl"):
        assert "zorglub" not in app.get(path).text, path
    assert "zorglub" in app.get("/reports/2025", headers=bearer(app, "alice")).text
    home = app.get("/").text
    assert "zorglub" not in home and "private/aula" not in home and "zorglub" not in app.get("/?format=json").text
    assert "zorglub" in app.get("/", headers=bearer(app, "alice")).text  # the newest planned study, for alice
    values = app.get("/api/contribute/study/etude-sous-embargo", headers=bearer(app, "alice")).json()
    assert values["visibility"] == "embargo" and values["embargo_until"] == "2099-01-01"


def test_an_embargo_ends_on_its_publication_day(app):
    names = app.app.state.settings.names
    graph = f"{ID}graph/private/aula/until-2024-06-01"
    embargo = default_for(NamedNode(graph), names)
    assert embargo is not None and embargo.now(date(2024, 6, 1)).everyone
    assert not embargo.now(date(2024, 5, 31)).everyone
    assert default_for(NamedNode(f"{ID}graph/private/aula/main"), names) is None
    anonymous = User("anonymous")
    assert not may_read(anonymous, graph, names)  # no authorization until the graph is written: its owner's
    assert not may_read(anonymous, f"{ID}graph/private/aula/until-2099-01-01", names)
    assert not may_read(anonymous, f"{ID}graph/private/aula/main", names)
    # a study whose embargo has passed is everyone's, in pages and SPARQL
    turtle = (
        f"@prefix pic: <https://w3id.org/pic-euralens/ontology#> . @prefix dcterms: <http://purl.org/dc/terms/> ."
        f'<{ID}study/publiee-apres-embargo> a pic:Study ; dcterms:title "Publiée après embargo"@fr ;'
        f' <http://www.w3.org/2000/01/rdf-schema#label> "Publiée après embargo"@fr ;'
        f" pic:studyStatus <{ID}study-status/planned> ;"
        f' pic:expectedYear "2024"^^<http://www.w3.org/2001/XMLSchema#gYear> .'
    )
    r = app.put(
        "/rdf-graphs",
        params={"graph": graph},
        content=turtle.encode(),
        headers={"Content-Type": "text/turtle", "Authorization": "Bearer admin-token"},
    )
    assert r.status_code in (201, 204), r.text
    assert may_read(anonymous, graph, names)  # the write gave the graph its authorization, lifted today
    assert "Publiée après embargo" in app.get("/id/study/publiee-apres-embargo").text


def test_projects_memberships_and_observations_through_the_api(app):
    project = {
        "id": "ateliers-mobilite",
        "title_fr": "Ateliers mobilité",
        "start": "2025-01-15",
        "participants": "aula:pilote;universite-artois:partenaire",
        "studies_used": "enquete-mobilite-lievin",
        "themes": "mobilite",
    }
    r = app.post("/api/contribute/project", json=project, headers=bearer(app, "alice"))
    assert r.status_code == 201, r.text
    page = app.get("/id/project/ateliers-mobilite").text
    roles = page.split('id="section-roles"')[1].split("</section>")[0]
    assert "Pilote" in roles and "/id/actor/universite-artois" in roles
    assert (
        "/id/project/ateliers-mobilite"
        in app.get("/id/study/enquete-mobilite-lievin").text.split('id="section-informs"')[1]
    )
    twin = app.get("/id/project/ateliers-mobilite?format=json").json()
    roles = next(s for s in twin["sections"] if s["id"] == "roles")["rows"]
    assert {(r["actor"]["page"], r["role"]["label"]) for r in roles} >= {("/id/actor/aula", "Pilote")}
    used = next(s for s in app.get("/id/actor/aula?format=json").json()["sections"] if s["id"] == "studies-used")
    assert any(r["study"]["iri"] == f"{ID}study/enquete-mobilite-lievin" for r in used["rows"])
    values = app.get("/api/contribute/project/ateliers-mobilite").json()["fields"]
    assert values["participants"] == "aula:pilote;universite-artois:partenaire"
    r = app.post(
        "/api/contribute/membership",
        json={"member": "aula", "organization": "euralens", "role": "membre", "since": "2015"},
        headers=bearer(app, "alice"),
    )
    assert r.status_code == 201, r.text
    assert "/id/actor/euralens" in app.get("/id/actor/aula").text.split('id="section-memberships"')[1]
    r = app.post(
        "/api/contribute/observation",
        json={"dataset": "x", "territory": "commune/62498", "year": "2024", "value": "12"},
        headers=bearer(app, "alice"),
    )
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["field"] == "dataset"
    assert app.delete("/api/contribute/project/ateliers-mobilite", headers=bearer(app, "alice")).status_code == 204
    assert app.get("/id/project/ateliers-mobilite").status_code == 404


def test_the_form_shows_problems_next_to_their_field_then_saves(app):
    c = sign_in(app, "alice")
    form = c.get("/contribute/actor")
    assert form.status_code == 200 and 'name="name_fr"' in form.text and "Association" in form.text
    r = c.post(
        "/contribute/actor",
        data={
            "csrf": c.csrf,
            "id": "collectif-terrils",
            "name_fr": "",
            "type": "association",
            "territory": "commune/99999",
        },
    )
    assert r.status_code == 422
    assert re.search(r'id="field-name_fr"[^>]*aria-invalid="true"', r.text)
    assert 'id="field-name_fr-problem"' in r.text and 'id="field-territory-problem"' in r.text
    assert 'value="collectif-terrils"' in r.text  # what was typed is kept
    assert c.post("/contribute/actor", data={"id": "x", "name_fr": "X", "type": "association"}).status_code == 403
    r = c.post(
        "/contribute/actor",
        data={
            "csrf": c.csrf,
            "id": "collectif-terrils",
            "name_fr": "Collectif des terrils",
            "type": "association",
            "territory": "commune/62498",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/id/actor/collectif-terrils?saved=1"
    page = c.get("/id/actor/collectif-terrils").text
    assert 'id="edit-link"' in page
    assert 'id="edit-link"' not in app.get("/id/actor/collectif-terrils").text  # anonymous
    edit = c.get("/contribute/actor/collectif-terrils").text
    assert 'value="Collectif des terrils"' in edit
    assert "collectif-terrils" in c.get("/contribute").text


def test_a_facilitator_reverts_a_change_from_the_history(app):
    c = sign_in(app, "alice")
    c.post("/contribute/actor/collectif-terrils", data={"csrf": c.csrf, "name_fr": "Nom erroné", "type": "association"})
    page = app.get("/id/actor/collectif-terrils").text
    assert "Nom erroné" in page
    # the search index follows each write (only the entities it touched are re-indexed)
    assert [h["iri"] for h in app.get("/api/search", params={"q": "nom errone"}).json()["hits"]] == [
        f"{ID}actor/collectif-terrils"
    ]
    change = re.search(r'data-change="([^"]+)"', page).group(1)
    assert "/revert" not in page  # anonymous readers see the history, not the button
    assert c.post(f"/changes/{change}/revert", data={"csrf": c.csrf}).status_code == 403  # a partner
    f = sign_in(app, "fanny")
    page = f.get("/id/actor/collectif-terrils").text
    assert f'action="/changes/{change}/revert"' in page
    r = f.post(
        f"/changes/{change}/revert",
        data={"csrf": f.csrf, "back": "/id/actor/collectif-terrils"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = app.get("/id/actor/collectif-terrils").text
    assert "Collectif des terrils" in page and "Nom erroné" not in page
    assert app.get("/api/search", params={"q": "nom errone"}).json()["total"] == 0
    assert app.get("/api/search", params={"q": "collectif terrils"}).json()["hits"][0]["exact"] is False
    assert "changement annulé" in page.split('id="history"')[1] and "fanny" in page.split('id="history"')[1]
    assert f.post(f"/changes/{change}/revert", data={"csrf": f.csrf}).status_code == 409
    assert f.post("/changes/nope/revert", data={"csrf": f.csrf}).status_code == 404


def test_the_import_page_shows_each_problem_on_its_row(app):
    c = sign_in(app, "alice")
    assert 'enctype="multipart/form-data"' in c.get("/import").text
    before = count(app, "partner/aula")
    bad = (
        "id,name_fr,type,territory\n"
        "bon-acteur,Bon acteur,association,commune/62498\n"
        "Mauvais Id,,association,commune/62498\n"
        "autre,Autre,sorte-inconnue,commune/62498\n"
    )
    r = c.post("/import", data={"csrf": c.csrf, "kind": "actors"}, files={"file": ("a.csv", bad, "text/csv")})
    assert r.status_code == 422
    assert 'data-row="3"' in r.text and 'data-row="4"' in r.text and 'data-row="2"' not in r.text
    assert "sorte-inconnue" in r.text.split('data-row="4"')[1].split("</tr>")[0]
    assert count(app, "partner/aula") == before
    good = (
        "id,name_fr,type\nacteur-importe-1,Acteur importé 1,association\n"
        "acteur-importe-2,Acteur importé 2,association\n"
    )
    r = c.post("/import", data={"csrf": c.csrf, "kind": "actors"}, files={"file": ("a.csv", good, "text/csv")})
    assert r.status_code == 200 and 'id="import-summary"' in r.text
    history = app.get("/id/actor/acteur-importe-1").text.split('id="history"')[1]
    assert history.count("data-change=") == 1 and "import de tableur" in history and "alice" in history
    assert (
        'data-change="' + re.search(r'data-change="([^"]+)"', history).group(1)
        in app.get("/id/actor/acteur-importe-2").text
    )


def test_a_study_signed_by_two_producers_goes_through_the_form_and_back(app):
    """Outside re-test (low): a study co-produced by aula and the university could not be entered through
    the form — one producer only. The field takes several, as `themes` does, and gives them back."""
    study = {**STUDY, "id": "etude-cosignee-univ", "producer": "aula;universite-artois"}
    r = app.post("/api/contribute/study", json=study, headers=bearer(app, "alice"))
    assert r.status_code == 201, r.text
    values = app.get("/api/contribute/study/etude-cosignee-univ").json()["fields"]
    assert sorted(values["producer"].split(";")) == ["aula", "universite-artois"], values
    page = app.get("/id/study/etude-cosignee-univ?format=json").json()
    producers = [v["value"] for s in page["statements"] if s["predicate"].endswith("#producedBy") for v in s["values"]]
    assert sorted(producers) == [f"{ID}actor/aula", f"{ID}actor/universite-artois"], page


def test_a_public_row_names_no_study_the_public_cannot_read(app):
    """Outside re-test (low): a public project could name its organisation's private study (`studies_used`),
    and the study's name — its IRI, its words — showed on public pages and in SPARQL before the study was
    published. A form or import row going to a public graph names only what everyone may read; a private
    project still may."""
    secret = {"id": "brouillon-fermeture", "title_fr": "Brouillon", "status": "ongoing", "year": "2027"}
    r = app.post("/api/contribute/study", json={**secret, "visibility": "private"}, headers=bearer(app, "alice"))
    assert r.status_code == 201, r.text
    project = {
        "id": "projet-public-x",
        "title_fr": "Projet public",
        "start": "2024-01-01",
        "participants": "aula:pilote",
    }
    r = app.post(
        "/api/contribute/project", json={**project, "studies_used": "brouillon-fermeture"}, headers=bearer(app, "alice")
    )
    assert r.status_code == 422, r.text
    problem = r.json()["error"]["problems"][0]
    assert problem["field"] == "studies_used" and "not public" in problem["message"], problem
    assert app.get("/id/project/projet-public-x").status_code == 404
    rows = (
        b"id,title_fr,start,participants,studies_used\n"
        + b"projet-public-y,Projet Y,2024-01-01,aula:pilote,brouillon-fermeture\n"
    )
    r = app.post("/api/import/projects", headers=bearer(app, "alice"), files={"file": ("p.csv", rows, "text/csv")})
    assert r.status_code == 422, r.text
    assert [(p["row"], p["column"]) for p in r.json()["problems"]] == [(2, "studies_used")], r.text
    r = app.post(
        "/api/contribute/project",
        json={**project, "id": "projet-prive-x", "studies_used": "brouillon-fermeture", "visibility": "private"},
        headers=bearer(app, "alice"),
    )
    assert r.status_code == 201, r.text


def test_a_json_list_or_object_as_a_field_is_refused_and_a_number_is_its_text(app):
    """Issue 16, 6a: `{"title_fr": ["a", "b"]}` was stored as the text "['a', 'b']"."""
    for value in (["a", "b"], {"fr": "a"}, True):
        study = {**STUDY, "id": "enquete-liste", "title_fr": value}
        r = app.post("/api/contribute/study", json=study, headers=bearer(app, "alice"))
        assert r.status_code == 422, (value, r.text)
        assert r.json()["error"]["problems"] == [{"field": "title_fr", "message": "a text is expected"}], r.text
    for meta in ({"visibility": ["private"]}, {"org": ["aula"]}, {"embargo_until": {"day": 1}}):
        r = app.post(
            "/api/contribute/study", json={**STUDY, "id": "enquete-liste", **meta}, headers=bearer(app, "alice")
        )
        assert r.status_code == 422 and r.json()["error"]["problems"][0]["field"] == next(iter(meta)), r.text
    assert app.get("/api/contribute/study/enquete-liste").status_code == 404
    r = app.post(
        "/api/contribute/study",
        json={**STUDY, "id": "enquete-nombre", "year": 2024, "dry_run": True},
        headers=bearer(app, "alice"),
    )
    assert r.status_code == 200 and r.json() == {"dry_run": True, "problems": []}, r.text


def test_an_embargo_day_without_the_embargo_is_refused(app):
    """Issue 16, 6b: `embargo_until` without `"visibility": "embargo"` published the study at once."""
    later = date(date.today().year + 2, 1, 1).isoformat()
    for visibility in ({}, {"visibility": "public"}, {"visibility": "private"}):
        study = {**STUDY, "id": "enquete-embargo-seul", "embargo_until": later, **visibility}
        r = app.post("/api/contribute/study", json=study, headers=bearer(app, "alice"))
        assert r.status_code == 422, r.text
        assert [p["field"] for p in r.json()["error"]["problems"]] == ["embargo_until"], r.text
    assert app.get("/api/contribute/study/enquete-embargo-seul").status_code == 404
    study = {**STUDY, "id": "enquete-embargo-seul", "embargo_until": later, "visibility": "embargo", "dry_run": "true"}
    assert app.post("/api/contribute/study", json=study, headers=bearer(app, "alice")).status_code == 200


def test_a_partner_naming_another_organisation_is_refused(app):
    """Issue 16, 6c: bruno (cd62) sending `"org": "aula"` was written to cd62 without a word."""
    study = {**STUDY, "id": "enquete-autre-org", "org": "aula"}
    r = app.post("/api/contribute/study", json=study, headers=bearer(app, "bruno"))
    assert r.status_code == 403, r.text
    assert r.json()["error"]["problems"][0]["field"] == "org" and "own organisation" in r.text
    assert app.get("/api/contribute/study/enquete-autre-org").status_code == 404
    own = {**study, "org": "cd62", "dry_run": "true"}
    assert app.post("/api/contribute/study", json=own, headers=bearer(app, "bruno")).status_code == 200
    named = {**study, "dry_run": "true"}  # a facilitator names the organisation
    assert app.post("/api/contribute/study", json=named, headers=bearer(app, "fanny")).status_code == 200
