"""Accounts and roles: browser sign-in with a session cookie (flags, CSRF), API tokens stored hashed,
partners writing only their organisation's graphs, private data read only by those who may, and no
secret ever in the RDF store."""

import pytest
from fastapi.testclient import TestClient

from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
NT = {"Content-Type": "application/n-triples"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("accounts") / "data") as c:
        yield c


def sign_in(client, name, password, base_url="http://testserver"):
    c = TestClient(client.app, base_url=base_url)
    form = c.get("/login")
    csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
    return c, c.post("/login", data={"name": name, "password": password, "csrf": csrf}, follow_redirects=False)


def test_sign_in_sets_a_protected_session_cookie(app):
    c, r = sign_in(app, "alice", "alice-password")
    assert r.status_code == 303 and r.headers["location"] == "/account"
    cookie = r.headers["set-cookie"].lower()
    assert "pic_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert c.get("/api/me").json() == {"name": "alice", "role": "partner", "org": "aula"}
    assert "alice" in c.get("/account").text
    _, over_https = sign_in(app, "alice", "alice-password", base_url="https://testserver")
    assert "secure" in over_https.headers["set-cookie"].lower()


def test_a_wrong_password_or_a_missing_csrf_token_signs_nobody_in(app):
    c, r = sign_in(app, "alice", "wrong")
    assert r.status_code == 401 and "pic_session" not in r.headers.get("set-cookie", "")
    assert c.get("/api/me").json()["role"] == "anonymous"
    forged = TestClient(app.app).post("/login", data={"name": "alice", "password": "alice-password"})
    assert forged.status_code == 403 and forged.json()["error"]["field"] == "csrf"


def test_forms_need_the_sessions_csrf_token(app):
    c, _ = sign_in(app, "alice", "alice-password")
    assert c.post("/account/tokens", data={"label": "x"}).status_code == 403
    page = c.get("/account").text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    made = c.post("/account/tokens", data={"label": "notebook", "csrf": csrf})
    token = made.text.split('id="new-token">')[1].split("<")[0]
    assert TestClient(app.app).get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()["name"] == "alice"
    assert c.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert c.get("/api/me").json()["role"] == "anonymous"


def test_tokens_are_stored_hashed_and_bad_tokens_refused(app):
    stored = app.app.state.accounts.path.read_bytes()
    assert all(token.encode() not in stored for token in app.tokens.values())
    assert b"alice-password" not in stored
    r = app.get("/api/me", headers={"Authorization": "Bearer pic_not-a-token"})
    assert r.status_code == 401


def test_partners_write_only_their_own_graphs(app):
    mine, theirs = f"{ID}graph/partner/aula", f"{ID}graph/partner/cd62"
    doc = f'<{ID}actor/jardins-aula> {LABEL} "Jardins partagés (test)"@fr .'.encode()
    assert app.put("/rdf-graphs", params={"graph": mine}, content=doc, headers=NT).status_code == 401
    assert (
        app.put("/rdf-graphs", params={"graph": mine}, content=doc, headers={**NT, **bearer(app, "alice")}).status_code
        == 201
    )
    refused = app.put("/rdf-graphs", params={"graph": theirs}, content=doc, headers={**NT, **bearer(app, "alice")})
    assert refused.status_code == 403
    for graph in (f"{ID}graph/territories", f"{ID}graph/inferred", f"{ID}graph/ontology"):
        assert (
            app.post(
                "/rdf-graphs", params={"graph": graph}, content=doc, headers={**NT, **bearer(app, "alice")}
            ).status_code
            == 403
        )
    assert (
        app.post("/rdf-graphs", params={"graph": mine}, content=doc, headers={**NT, **bearer(app, "fanny")}).status_code
        == 204
    )  # facilitators help partners
    record = app.get(
        "/sparql",
        params={"query": f"ASK {{ GRAPH ?g {{ ?a <http://www.w3.org/ns/prov#wasAssociatedWith> <{ID}user/alice> }} }}"},
    )
    assert record.json()["boolean"]  # the write is attributed


def test_private_data_is_read_only_by_its_organisation_and_facilitators(app):
    private = f"{ID}graph/private/aula/draft"
    doc = f'<{ID}study/brouillon-aula> {LABEL} "Brouillon AULA"@fr .'.encode()
    assert (
        app.put(
            "/rdf-graphs", params={"graph": private}, content=doc, headers={**NT, **bearer(app, "alice")}
        ).status_code
        == 201
    )
    query = {"query": "SELECT ?l WHERE { ?s ?p ?l FILTER (STR(?l) = 'Brouillon AULA') }"}
    seen = {
        name: "Brouillon AULA"
        in app.get("/sparql", params=query, headers={**bearer(app, name), "Accept": "text/csv"}).text
        for name in ("alice", "bruno", "fanny")
    }
    assert seen == {"alice": True, "bruno": False, "fanny": True}
    assert "Brouillon AULA" not in app.get("/sparql", params=query, headers={"Accept": "text/csv"}).text
    assert app.get("/id/study/brouillon-aula", headers=bearer(app, "bruno")).status_code == 404
    assert app.get("/id/study/brouillon-aula", headers=bearer(app, "alice")).status_code == 200


def test_a_disabled_user_is_out(app):
    app.app.state.accounts.add("temp", "partner", "aula", "temp-password")
    token = app.app.state.accounts.new_token("temp")
    c, _ = sign_in(app, "temp", "temp-password")
    app.app.state.accounts.disable("temp")
    assert c.get("/api/me").json()["role"] == "anonymous"
    assert app.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_no_secret_ever_reaches_the_rdf_store(app):
    dump = "\n".join(str(q) for q in app.app.state.writer.store.quads())
    for secret in (*app.tokens.values(), "alice-password", "scrypt$"):
        assert secret not in dump
