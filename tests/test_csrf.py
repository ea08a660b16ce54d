"""Every state-changing request authenticated by the session cookie carries the session's CSRF token
(issue 16, finding 6): a browser sends the cookie whichever site made it send the request. The APIs
take it in the `X-CSRF-Token` header, the forms in their `csrf` field; requests with a bearer token need
none. `/api/import/{kind}` and `/api/studies/{key}/documents` took the cookie alone."""

import pytest
from fastapi.testclient import TestClient

from tests.conftest import PARTNERS, app_client, bearer, word_file
from tests.test_write_limits import SAMPLES, marked, write_routes

ID = "https://w3id.org/pic-euralens/id/"
STUDY = {"id": "etude-jeton", "title_fr": "Étude du jeton", "status": "ongoing", "year": "2026"}
ROWS = b"id,title_fr,status,year\netude-importee-jeton,Etude importee,planned,2026\n"
UNGUARDED: dict[tuple[str, str], str] = {}  # every session write needs the token
NOT_SESSION_WRITES = {
    ("POST", "/sparql"): "a query",
    ("POST", "/login"): "signing in, guarded by the login page's own token (tests/test_accounts.py)",
}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("csrf") / "data", [*PARTNERS[:1], ("ada", "admin", None)]) as c:
        r = c.post("/api/contribute/study", headers=bearer(c, "alice"), json=STUDY)
        assert r.status_code == 201, r.text
        yield c


def signed_in(app, name: str) -> TestClient:
    """A browser signed in through the login form: the session cookie, and `csrf`, its token."""
    c = TestClient(app.app)
    csrf = c.get("/login").text.split('name="csrf" value="')[1].split('"')[0]
    assert (
        c.post(
            "/login", data={"name": name, "password": f"{name}-password", "csrf": csrf}, follow_redirects=False
        ).status_code
        == 303
    )
    c.csrf = c.get("/account").text.split('name="csrf" value="')[1].split('"')[0]
    return c


def refused(r) -> bool:
    return r.status_code == 403 and r.json()["error"].get("field") == "csrf"


def test_the_import_api_with_a_session_needs_the_token(app):
    c = signed_in(app, "alice")
    send = dict(params={"dry_run": "true"}, files={"file": ("rows.csv", ROWS)})
    assert refused(c.post("/api/import/studies", **send))
    assert refused(c.post("/api/import/studies", headers={"X-CSRF-Token": "wrong"}, **send))
    r = c.post("/api/import/studies", headers={"X-CSRF-Token": c.csrf}, **send)
    assert r.status_code == 200 and r.json()["problems"] == [], r.text
    r = app.post("/api/import/studies", headers=bearer(app, "alice"), **send)
    assert r.status_code == 200, r.text  # a bearer token needs no CSRF token


def test_the_document_api_with_a_session_needs_the_token(app):
    c = signed_in(app, "alice")
    url = "/api/studies/etude-jeton/documents"
    assert refused(c.post(url, files={"file": ("a.docx", word_file("Premier essai."))}))
    r = c.post(url, files={"file": ("b.docx", word_file("Avec le jeton."))}, headers={"X-CSRF-Token": c.csrf})
    assert r.status_code == 201, r.text
    assert "b.docx" in app.get("/id/study/etude-jeton").text and "a.docx" not in app.get("/id/study/etude-jeton").text


def test_the_contribution_api_with_a_session_needs_the_token(app):
    c = signed_in(app, "alice")
    study = {**STUDY, "id": "etude-jeton-api"}
    token = {"X-CSRF-Token": c.csrf}
    assert refused(c.post("/api/contribute/study", json=study))
    assert c.post("/api/contribute/study", json=study, headers=token).status_code == 201
    changed = {**study, "title_fr": "Étude du jeton, revue"}
    assert refused(c.put("/api/contribute/study/etude-jeton-api", json=changed))
    assert c.put("/api/contribute/study/etude-jeton-api", json=changed, headers=token).status_code == 200
    assert refused(c.delete("/api/contribute/study/etude-jeton-api"))
    assert c.delete("/api/contribute/study/etude-jeton-api", headers=token).status_code == 204


def body(kind: str) -> dict:
    if kind == "multipart":
        return {"files": {"file": ("rows.csv", ROWS)}, "data": {"kind": "studies"}}
    if kind in ("json", "annotation"):
        return {"json": {}}
    return {"data": {"field": "value"}}


@pytest.mark.parametrize("method, route", marked([r for r in write_routes() if r not in NOT_SESSION_WRITES], UNGUARDED))
def test_every_write_with_the_session_cookie_alone_is_refused(app, method, route):
    """An admin's session (who may do anything) without the token: only the token is missing."""
    c = signed_in(app, "ada")
    target, kind, _ = SAMPLES[(method, route)]
    r = c.request(method, target, **body(kind))
    assert refused(r), f"{method} {target}: {r.status_code} {r.text[:200]}"
