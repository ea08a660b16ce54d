"""Every error answers in one shape (issue 19, step 4): `{"error": {"status", "message"}}`, with where the
fault is (`line`, `column`, `field`, `source`) and `problems` (each with its `message`, and its field)
when there are several — the contribution API's `problems` and the shapes' `violations` were two names,
and FastAPI's own 404, 405 and 422 answered `{"detail": …}`. One request per kind of error the code
raises: the routers' own, the graph layer's kinds (`graph/errors.py`), parsing, SHACL, the query engine,
sign-in, and the framework's."""

import pytest

from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
WHERE = {"line", "column", "field", "source", "problems", "code"}  # code: a query error's kind
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("error-shape") / "data", admin_token="admin-token") as c:
        yield c


def turtle(app, graph: str, text: str, who: str):
    auth = {"Authorization": "Bearer admin-token"} if who == "admin" else bearer(app, who)
    return app.post(
        "/rdf-graphs",
        params={"graph": f"{ID}graph/{graph}"},
        content=text.encode(),
        headers={"Content-Type": "text/turtle", **auth, **JSON},
    )


CASES = {
    "unknown path (framework 404)": lambda app: app.get("/no/such/page", headers=JSON),
    "method a route has not (framework 405)": lambda app: app.get("/update", headers=JSON),
    "query parameter of the wrong type (framework 422)": lambda app: app.get(
        "/annotations/", params={"page": "deux"}, headers=JSON
    ),
    "query syntax (400, line and column)": lambda app: app.get("/sparql", params={"query": "SELECT ?x WHERE {"}),
    "unknown saved query (404)": lambda app: app.get("/api/queries/no-such-query", headers=JSON),
    "signed out (401)": lambda app: app.post("/api/contribute/study", json={"id": "x"}, headers=JSON),
    "fields (graph layer, 422)": lambda app: app.post(
        "/api/contribute/study", json={"id": "x", "nope": "1", "year": "deux"}, headers={**bearer(app, "alice"), **JSON}
    ),
    "unknown entity (graph layer, 404)": lambda app: app.put(
        "/api/contribute/study/no-such-study", json={"title_fr": "x"}, headers={**bearer(app, "alice"), **JSON}
    ),
    "already there (graph layer, 409)": lambda app: app.post(
        "/api/contribute/actor",
        json={"id": "louvre-lens", "name_fr": "Autre", "type": "culture"},
        headers={**bearer(app, "fanny"), **JSON},
    ),
    "another organisation's graph (403)": lambda app: turtle(app, "partner/cd62", "<urn:a> <urn:b> <urn:c> .", "alice"),
    "Turtle syntax (400, line)": lambda app: turtle(app, "partner/aula", "<urn:a> <urn:b> .", "alice"),
    "shapes (422, problems)": lambda app: turtle(
        app, "partner/aula", f"<{ID}study/sans-titre> a <https://w3id.org/pic-euralens/ontology#Study> .", "alice"
    ),
    "annotation JSON-LD (graph layer, 400)": lambda app: app.post(
        "/annotations/",
        json={"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation", "motivation": "nope"},
        headers={**bearer(app, "alice"), "Content-Type": "application/ld+json", **JSON},
    ),
    "annotation media type (415)": lambda app: app.post(
        "/annotations/", content=b"x", headers={**bearer(app, "alice"), "Content-Type": "text/plain", **JSON}
    ),
    "sign-in form without its CSRF token (403)": lambda app: app.post(
        "/login", data={"name": "alice", "password": "wrong"}, headers=JSON
    ),
    "a bad bearer token (401)": lambda app: app.get("/api/me", headers={"Authorization": "Bearer nope", **JSON}),
    # tenth outside re-test, findings 5 and 6: a non-ASCII token, JSON nested 50,000 deep (500 before)
    "a non-ASCII bearer token (401)": lambda app: app.get(
        "/api/me", headers={"Authorization": "Bearer \u00e9".encode("latin-1"), **JSON}
    ),
    "JSON nested too deep (400)": lambda app: app.post(
        "/api/contribute/study",
        content=b'{"a":' * 50000 + b"1" + b"}" * 50000,
        headers={**bearer(app, "alice"), "Content-Type": "application/json", **JSON},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_error_has_the_one_shape(app, case):
    r = CASES[case](app)
    assert 400 <= r.status_code < 600, (case, r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json"), (case, r.headers["content-type"])
    data = r.json()
    assert set(data) == {"error"}, (case, data)
    error = data["error"]
    assert error["status"] == r.status_code and isinstance(error["message"], str) and error["message"], (case, error)
    assert set(error) - {"status", "message"} <= WHERE, (case, error)
    for problem in error.get("problems", []):
        assert problem["message"] and set(problem) >= {"field", "message"}, (case, problem)
