"""Issue 15, finding 5: a private entity is "not found" for those who may not read it, on every path,
writes included. For each write path, the answer (status and body) about something another organisation
keeps privately is the answer about something that does not exist at all — compared with keys of the same
shape, `secret-…` (aula's, private) and `absent-…` (nobody's), the body read with one put for the other.

Every write route of the application is in `PATHS` (or `NO_ENTITY`, with the reason): a new one fails
`test_every_write_route_is_looked_at` until someone says how it answers.
"""

import io
import json
import re

import docx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
MEDIA = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
CONTEXT = "http://www.w3.org/ns/anno.jsonld"
PUBLIC_STUDY = f"{ID}study/frequentation-habitants-louvre-lens"
CHANGE = re.compile(r"change/[0-9T]+-[0-9a-f]+")
ADMIN_CSV = {"Accept": "text/csv", "Authorization": "Bearer admin-token"}
ANNOTATION_KEY = re.compile(r"annotation(s?)/[0-9a-f]{16}")

# route (method, path) -> the test that compares its answers
PATHS = {
    ("POST", "/api/contribute/{kind}"): "test_creating_with_an_id_kept_privately_is_creating_with_a_free_one",
    ("POST", "/contribute/{kind}"): "test_creating_with_an_id_kept_privately_is_creating_with_a_free_one",
    ("PUT", "/api/contribute/{kind}/{key}"): "test_replacing_or_deleting_a_private_entity_is_an_unknown_key",
    ("DELETE", "/api/contribute/{kind}/{key}"): "test_replacing_or_deleting_a_private_entity_is_an_unknown_key",
    ("POST", "/contribute/{kind}/{key}"): "test_replacing_or_deleting_a_private_entity_is_an_unknown_key",
    ("POST", "/api/import/{kind}"): "test_the_spreadsheet_import_does_not_know_private_entities",
    ("POST", "/import"): "test_the_spreadsheet_import_does_not_know_private_entities",
    ("POST", "/api/studies/{key}/documents"): "test_a_document_for_a_private_study_is_for_no_study",
    ("POST", "/studies/{key}/documents"): "test_a_document_for_a_private_study_is_for_no_study",
    ("DELETE", "/api/studies/{key}/documents/{document_id}"): "test_a_document_for_a_private_study_is_for_no_study",
    ("PUT", "/rdf-graphs"): "test_the_graph_store_answers_alike",
    ("POST", "/rdf-graphs"): "test_the_graph_store_answers_alike, test_the_shapes_do_not_know_private_entities",
    ("DELETE", "/rdf-graphs"): "test_the_graph_store_answers_alike",
    ("POST", "/annotations/"): "test_annotating_a_private_entity_is_annotating_an_unknown_one",
    ("PUT", "/annotations/{key}"): "test_a_private_annotation_is_no_annotation",
    ("DELETE", "/annotations/{key}"): "test_a_private_annotation_is_no_annotation",
    ("POST", "/annotations/{key}/flag"): "test_a_private_annotation_is_no_annotation",
    ("POST", "/annotations/{key}/hide"): "test_a_private_annotation_is_no_annotation",
    ("POST", "/annotations/{key}/restore"): "test_a_private_annotation_is_no_annotation",
    ("POST", "/annotations/{key}/accept"): "test_a_private_annotation_is_no_annotation",
    ("POST", "/annotations/{key}/reject"): "test_a_private_annotation_is_no_annotation",
    ("POST", "/changes/{change_id}/revert"): "test_reverting_is_for_facilitators_who_read_everything",
}
NO_ENTITY = {
    ("POST", "/login"): "an account, not an entity of the graph",
    ("POST", "/logout"): "the session",
    ("POST", "/account/tokens"): "the user's own tokens",
    ("POST", "/sparql"): "a query, answered from the reader's view (service/routers/sparql.py)",
    ("POST", "/update"): "admins only, who read everything",
    ("POST", "/api/withdraw"): "the writer's own organisation's graphs only: any other graph is 403, there or not",
    ("POST", "/api/accounts/{name}/erase"): "admins only, who read everything",
}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("oracle") / "data", admin_token="admin-token") as c:
        alice = bearer(c, "alice")
        for kind, values in (
            ("actor", {"id": "secret-actor", "name_fr": "Acteur secret", "type": "association"}),
            ("study", {"id": "secret-study", "title_fr": "Étude secrète", "status": "ongoing", "year": "2026"}),
            ("study", {"id": "secret-taken", "title_fr": "Étude prise", "status": "ongoing", "year": "2026"}),
            ("actor", {"id": "secret-taken", "name_fr": "Acteur pris", "type": "association"}),
            # a project of two participants: its actors are also subjects in the inferred graph
            (
                "project",
                {
                    "id": "secret-project",
                    "title_fr": "Projet secret",
                    "start": "2025-01-15",
                    "participants": "secret-actor:pilote;aula:pilote",
                },
            ),
        ):
            r = c.post(f"/api/contribute/{kind}", json={**values, "visibility": "private"}, headers=alice)
            assert r.status_code == 201, r.text
        yield c


def same(secret, absent, *, secret_key: str, absent_key: str) -> None:
    """Status and body equal, once the secret key is read as the absent one (and change ids ignored)."""

    def body(r, key):
        text = r.text.replace(key, "KEY")
        return CHANGE.sub("change/ID", ANNOTATION_KEY.sub(r"annotation\1/ID", text))

    assert (secret.status_code, body(secret, secret_key)) == (absent.status_code, body(absent, absent_key)), (
        f"private: {secret.status_code} {secret.text[:400]}\nabsent: {absent.status_code} {absent.text[:400]}"
    )


def sign_in(client, name) -> TestClient:
    c = TestClient(client.app)
    csrf = c.get("/login").text.split('name="csrf" value="')[1].split('"')[0]
    c.post("/login", data={"name": name, "password": f"{name}-password", "csrf": csrf})
    c.csrf = c.get("/account").text.split('name="csrf" value="')[1].split('"')[0]
    return c


def graphs_of(client, iri: str) -> set[str]:
    """The user graphs that describe `iri` (not the inferred and provenance graphs)."""
    q = (
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} "
        f'FILTER (!REGEX(STR(?g), "/(inferred|provenance)$")) }}'
    )
    r = client.get("/sparql", params={"query": q}, headers=ADMIN_CSV)
    return set(r.text.split()[1:])


def statements(client, iri: str, graph: str) -> set[str]:
    q = f"SELECT ?p ?o WHERE {{ GRAPH <{graph}> {{ <{iri}> ?p ?o }} }}"
    r = client.get("/sparql", params={"query": q}, headers=ADMIN_CSV)
    return set(r.text.splitlines()[1:])


def test_every_write_route_is_looked_at(app):
    routes = {
        (method.upper(), path)
        for path, item in app.get("/openapi.json").json()["paths"].items()
        for method in item
        if method in ("post", "put", "patch", "delete")
    }
    assert routes - set(PATHS) - set(NO_ENTITY) == set(), "say how each new write route answers about a private entity"
    assert set(PATHS) <= routes and set(NO_ENTITY) <= routes, "a route listed here is gone"


def test_creating_with_an_id_kept_privately_is_creating_with_a_free_one(app):
    """Deliberate: the id is free for bruno — his study goes into his own graph, aula's stays as it was."""
    bruno = bearer(app, "bruno")
    before = statements(app, f"{ID}study/secret-taken", f"{ID}graph/private/aula/main")
    answers = {
        key: app.post(
            "/api/contribute/study",
            headers=bruno,
            json={"id": key, "title_fr": "Étude de Bruno", "status": "ongoing", "year": "2026"},
        )
        for key in ("secret-taken", "absent-taken")
    }
    same(answers["secret-taken"], answers["absent-taken"], secret_key="secret-taken", absent_key="absent-taken")
    assert answers["secret-taken"].status_code == 201
    assert graphs_of(app, f"{ID}study/secret-taken") == {f"{ID}graph/private/aula/main", f"{ID}graph/partner/cd62"}
    values = app.get("/api/contribute/study/secret-taken", headers=bruno).json()
    assert values["org"] == "cd62" and values["fields"]["title_fr"] == "Étude de Bruno"
    assert statements(app, f"{ID}study/secret-taken", f"{ID}graph/private/aula/main") == before
    # the forms too
    c = sign_in(app, "bruno")
    forms = {
        key: c.post(
            "/contribute/actor",
            data={"csrf": c.csrf, "id": key, "name_fr": "Acteur de Bruno", "type": "association"},
            follow_redirects=False,
        )
        for key in ("secret-taken", "absent-taken")
    }
    same(forms["secret-taken"], forms["absent-taken"], secret_key="secret-taken", absent_key="absent-taken")
    assert forms["secret-taken"].status_code == 303


def test_replacing_or_deleting_a_private_entity_is_an_unknown_key(app):
    bruno = bearer(app, "bruno")
    fields = {"title_fr": "Projet repris", "start": "2025-01-15"}
    for method in ("put", "delete"):
        answers = {
            key: app.request(
                method.upper(),
                f"/api/contribute/project/{key}",
                headers=bruno,
                **({"json": fields} if method == "put" else {}),
            )
            for key in ("secret-project", "absent-project")
        }
        same(
            answers["secret-project"],
            answers["absent-project"],
            secret_key="secret-project",
            absent_key="absent-project",
        )
        assert answers["secret-project"].status_code == 404, method
    c = sign_in(app, "bruno")
    for extra in ({}, {"delete": "1"}):
        forms = {
            key: c.post(f"/contribute/project/{key}", data={"csrf": c.csrf, **fields, **extra})
            for key in ("secret-project", "absent-project")
        }
        same(forms["secret-project"], forms["absent-project"], secret_key="secret-project", absent_key="absent-project")
        assert forms["secret-project"].status_code == 404
    assert graphs_of(app, f"{ID}project/secret-project") == {f"{ID}graph/private/aula/main"}
    assert "Projet secret" in app.get("/id/project/secret-project", headers=bearer(app, "alice")).text


@pytest.mark.parametrize(
    "kind, field, secret, absent",
    [
        ("study", "builds_on", "secret-study", "absent-study"),
        ("study", "producer", "secret-actor", "absent-actor"),  # private, and a subject in the inferred graph
        ("project", "studies_used", "secret-study", "absent-study"),
        ("project", "participants", "secret-actor:pilote", "absent-actor:pilote"),
    ],
)
def test_references_to_private_entities_are_unknown(app, kind, field, secret, absent):
    values = (
        {"id": "reference-check", "title_fr": "Référence", "status": "ongoing", "year": "2026"}
        if kind == "study"
        else {"id": "reference-check", "title_fr": "Référence", "start": "2025-01-15", "participants": "aula:pilote"}
    )
    answers = {
        ref: app.post(
            f"/api/contribute/{kind}", headers=bearer(app, "bruno"), json={**values, field: ref, "dry_run": "true"}
        )
        for ref in (secret, absent)
    }
    same(answers[secret], answers[absent], secret_key=secret.split(":")[0], absent_key=absent.split(":")[0])
    assert answers[secret].status_code == 422
    # aula refers to its own, from a private entry (a public one would show it to everyone: 422 "not public")
    own = {**values, field: secret, "dry_run": "true"}
    r = app.post(f"/api/contribute/{kind}", headers=bearer(app, "alice"), json={**own, "visibility": "private"})
    assert r.status_code == 200, r.text
    r = app.post(f"/api/contribute/{kind}", headers=bearer(app, "alice"), json=own)
    assert r.status_code == 422 and "not public" in r.text, r.text


@pytest.mark.parametrize(
    "predicate, secret, absent",
    [
        ("https://w3id.org/pic-euralens/ontology#producedBy", "actor/secret-actor", "actor/absent-actor"),
        ("http://www.w3.org/ns/prov#wasDerivedFrom", "study/secret-study", "study/absent-study"),
    ],
)
def test_the_shapes_do_not_know_private_entities(app, predicate, secret, absent):
    """The SHACL class checks of a Graph Store write look the referred entity's class up in what the writer
    may read: an outside test learnt that a private actor existed, and that it was an actor."""

    def write(ref: str, n: int):
        turtle = (
            f"<{ID}study/shape-check-{n}> a <https://w3id.org/pic-euralens/ontology#Study> ; "
            f'<http://purl.org/dc/terms/title> "x"@fr ; <http://www.w3.org/2000/01/rdf-schema#label> "x"@fr ; '
            f"<https://w3id.org/pic-euralens/ontology#studyStatus> <{ID}study-status/planned> ; "
            "<https://w3id.org/pic-euralens/ontology#expectedYear> "
            '"2027"^^<http://www.w3.org/2001/XMLSchema#gYear> ; '
            f"<{predicate}> <{ID}{ref}> ."
        )
        return app.post(
            "/rdf-graphs",
            params={"graph": f"{ID}graph/partner/cd62"},
            content=turtle.encode(),
            headers={**bearer(app, "bruno"), "Content-Type": "text/turtle"},
        )

    secret_answer, absent_answer = write(secret, 1), write(absent, 1)  # refused: nothing is written
    same(secret_answer, absent_answer, secret_key=secret.split("/")[1], absent_key=absent.split("/")[1])
    assert secret_answer.status_code == 422, secret_answer.text


def test_the_spreadsheet_import_does_not_know_private_entities(app):
    sheet = "id,title_fr,status,year,producer,builds_on\nimport-check,Import,ongoing,2026,{actor},{study}\n"
    answers = {
        which: app.post(
            "/api/import/studies",
            params={"dry_run": "true"},
            headers=bearer(app, "bruno"),
            files={"file": ("s.csv", sheet.format(actor=f"{which}-actor", study=f"{which}-study"))},
        )
        for which in ("secret", "absent")
    }
    same(answers["secret"], answers["absent"], secret_key="secret-", absent_key="absent-")
    assert answers["secret"].status_code == 422
    assert {p["column"] for p in answers["secret"].json()["problems"]} == {"producer", "builds_on"}
    c = sign_in(app, "bruno")
    pages = {
        which: c.post(
            "/import",
            data={"csrf": c.csrf, "kind": "studies", "dry_run": "1"},
            files={"file": ("s.csv", sheet.format(actor=f"{which}-actor", study=f"{which}-study"))},
        )
        for which in ("secret", "absent")
    }
    same(pages["secret"], pages["absent"], secret_key="secret-", absent_key="absent-")
    assert pages["secret"].status_code == 422


def test_a_document_for_a_private_study_is_for_no_study(app):
    document = docx.Document()
    document.add_paragraph("Le compte rendu confidentiel de l'étude.")
    out = io.BytesIO()
    document.save(out)
    data = out.getvalue()
    answers = {
        key: app.post(
            f"/api/studies/{key}/documents", headers=bearer(app, "bruno"), files={"file": ("rapport.docx", data)}
        )
        for key in ("secret-study", "absent-study")
    }
    same(answers["secret-study"], answers["absent-study"], secret_key="secret-study", absent_key="absent-study")
    assert answers["secret-study"].status_code == 404
    c = sign_in(app, "bruno")
    forms = {
        key: c.post(f"/studies/{key}/documents", data={"csrf": c.csrf}, files={"file": ("rapport.docx", data)})
        for key in ("secret-study", "absent-study")
    }
    same(forms["secret-study"], forms["absent-study"], secret_key="secret-study", absent_key="absent-study")
    # the document aula attaches to its private study: its file and text are nobody else's
    r = app.post(
        "/api/studies/secret-study/documents", headers=bearer(app, "alice"), files={"file": ("rapport.docx", data)}
    )
    assert r.status_code == 201, r.text
    secret_id = r.json()["document"].rsplit("/", 1)[-1]
    absent_id = "0" * len(secret_id)
    for part in ("file", "text"):
        answers = {
            key: app.get(f"/id/document/{key}/{part}", headers=bearer(app, "bruno")) for key in (secret_id, absent_id)
        }
        same(answers[secret_id], answers[absent_id], secret_key=secret_id, absent_key=absent_id)
        assert answers[secret_id].status_code == 404
    # removing it: no document, as on a study that does not exist (bruno may write nothing of aula's)
    answers = {
        key: app.delete(f"/api/studies/{key}/documents/{secret_id}", headers=bearer(app, "bruno"))
        for key in ("secret-study", "absent-study")
    }
    same(answers["secret-study"], answers["absent-study"], secret_key="secret-study", absent_key="absent-study")
    assert answers["secret-study"].status_code == 404


@pytest.mark.parametrize("body", [b"", b"<urn:x:s> <urn:x:p> <urn:x:o> ."])
def test_the_graph_store_answers_alike(app, body):
    """Reading: no graph (404). Writing another organisation's private graph: refused (403) from the IRI
    alone, before its existence or the body is looked at — even an empty body."""
    bruno = {**bearer(app, "bruno"), "Content-Type": "text/turtle"}
    secret, absent = f"{ID}graph/private/aula/main", f"{ID}graph/private/aula/absent"
    for method in ("GET", "HEAD", "PUT", "POST", "DELETE"):
        answers = {
            g: app.request(
                method,
                "/rdf-graphs",
                params={"graph": g},
                headers=bruno,
                **({"content": body} if method in ("PUT", "POST") else {}),
            )
            for g in (secret, absent)
        }
        same(answers[secret], answers[absent], secret_key=secret, absent_key=absent)
        assert answers[secret].status_code == (404 if method in ("GET", "HEAD") else 403), method
    assert graphs_of(app, f"{ID}study/secret-study") >= {secret}
    assert app.get("/rdf-graphs", params={"graph": secret}, headers=bearer(app, "alice")).status_code == 200


def annotation(target, **extra) -> bytes:
    return json.dumps(
        {
            "@context": CONTEXT,
            "type": "Annotation",
            "motivation": "commenting",
            "body": {"type": "TextualBody", "value": "Une remarque."},
            "target": target,
            **extra,
        }
    ).encode()


def test_annotating_a_private_entity_is_annotating_an_unknown_one(app):
    bruno = {**bearer(app, "bruno"), "Content-Type": MEDIA}
    r = app.post(
        "/annotations/",
        content=annotation(PUBLIC_STUDY, **{"pic:visibility": "private"}),
        headers={**bearer(app, "alice"), "Content-Type": MEDIA},
    )
    assert r.status_code == 201, r.text
    private_note = r.json()["canonical"]
    cases = {
        "target": lambda what: annotation(f"{ID}study/{what}-study"),
        "quote": lambda what: annotation(
            {"source": f"{ID}study/{what}-study", "selector": {"type": "TextQuoteSelector", "exact": "secrète"}}
        ),
        "link": lambda what: json.dumps(
            {
                "@context": [CONTEXT, {"pic": "https://w3id.org/pic-euralens/ontology#"}],
                "type": "Annotation",
                "motivation": "linking",
                "target": PUBLIC_STUDY,
                "body": {"type": "SpecificResource", "source": f"{ID}study/{what}-study", "pic:relation": "builds-on"},
            }
        ).encode(),
        "reply": lambda what: json.dumps(
            {
                "@context": CONTEXT,
                "type": "Annotation",
                "motivation": "replying",
                "body": {"type": "TextualBody", "value": "D'accord."},
                "target": private_note if what == "secret" else f"{ID}annotation/{'0' * 16}",
            }
        ).encode(),
    }
    for name, make in cases.items():
        answers = {what: app.post("/annotations/", content=make(what), headers=bruno) for what in ("secret", "absent")}
        same(answers["secret"], answers["absent"], secret_key="secret-", absent_key="absent-")
        assert answers["secret"].status_code == 400, name


def test_a_private_annotation_is_no_annotation(app):
    r = app.post(
        "/annotations/",
        content=annotation(PUBLIC_STUDY, **{"pic:visibility": "private"}),
        headers={**bearer(app, "alice"), "Content-Type": MEDIA},
    )
    assert r.status_code == 201, r.text
    secret, absent = r.json()["canonical"].rsplit("/", 1)[-1], "0" * 16
    bruno = {**bearer(app, "bruno"), "Content-Type": MEDIA, "If-Match": "*"}
    requests = [
        ("GET", "", None),
        ("HEAD", "", None),
        ("PUT", "", annotation(PUBLIC_STUDY)),
        ("DELETE", "", None),
        ("POST", "/flag", json.dumps({"reason": "hors sujet"}).encode()),
    ]
    requests += [
        ("POST", f"/{action}", json.dumps({"reason": "x"}).encode())
        for action in ("hide", "restore", "accept", "reject")
    ]
    for method, suffix, content in requests:
        answers = {
            key: app.request(
                method,
                f"/annotations/{key}{suffix}",
                content=content,
                headers={**bruno, "Content-Type": "application/json"} if suffix else bruno,
            )
            for key in (secret, absent)
        }
        same(answers[secret], answers[absent], secret_key=secret, absent_key=absent)
        assert answers[secret].status_code in (403, 404), (method, suffix)
    assert app.get(f"/annotations/{secret}", headers=bearer(app, "alice")).status_code == 200


def test_reverting_is_for_facilitators_who_read_everything(app):
    r = app.post(
        "/api/contribute/actor",
        headers=bearer(app, "alice"),
        json={"id": "secret-reverted", "name_fr": "Acteur secret", "type": "association", "visibility": "private"},
    )
    assert r.status_code == 201, r.text
    secret = r.json()["change"].rsplit("/", 1)[-1]
    absent = re.sub(r"-[0-9a-f]+$", "-00000000", secret)
    answers = {key: app.post(f"/changes/{key}/revert", headers=bearer(app, "bruno")) for key in (secret, absent)}
    same(answers[secret], answers[absent], secret_key=secret, absent_key=absent)
    assert answers[secret].status_code == 403


def test_an_annotation_about_a_private_entity_stays_private(app):
    """An outside test made a public annotation of aula's own private study: anyone could then read the
    study's IRI (and could have read quoted passages). Shared beyond its organisation, an annotation may only
    be about what everyone may read."""
    alice = {**bearer(app, "alice"), "Content-Type": MEDIA}
    for visibility in ("public", "group"):
        extra = {"pic:visibility": visibility}
        if visibility == "group":
            extra["pic:group"] = f"{ID}group/culture"
        r = app.post("/annotations/", content=annotation(f"{ID}study/secret-study", **extra), headers=alice)
        assert r.status_code in ((422,) if visibility == "public" else (403, 422)), (visibility, r.text)
    r = app.post(
        "/annotations/", content=annotation(f"{ID}study/secret-study", **{"pic:visibility": "private"}), headers=alice
    )
    assert r.status_code == 201, r.text
    r = app.post("/annotations/", content=annotation(PUBLIC_STUDY), headers=alice)
    assert r.status_code == 201, r.text
