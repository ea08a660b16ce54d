"""Browsers get pages, not JSON (issue 21, 2): every HTML route, asked by a browser for something missing,
with a bad parameter or without permission, answers a page in the site's frame, in the page's language;
an API client asking the same still gets the one JSON error shape."""

import re

import pytest
from fastapi import routing
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute

from tests.conftest import app_client

# Pages whose route negotiates (a page for browsers, data for others), so no `response_class` says it.
NEGOTIATED = (
    "/id/zznope",
    "/id/study/zznope",
    "/maps/zznope",
    "/maps/zznope/changes",
    "/reports/zznope",
    "/reports/1999",
)
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("error-pages") / "data", admin_token="admin-token") as c:
        yield c


def html_routes(app) -> list[str]:
    """Every GET route that answers a page, its path parameters filled with a name nothing has."""
    paths = []
    for context in routing.iter_route_contexts(app.app.routes):  # as tests/test_privacy_matrix.py reads them
        route = context.original_route
        answers = getattr(route, "response_class", None)
        answers = getattr(answers, "value", answers)  # FastAPI's placeholder of a default
        if isinstance(route, APIRoute) and "GET" in route.methods and answers is HTMLResponse:
            paths.append(re.sub(r"\{[^}]+\}", "zznope", context.path))
    return sorted({*paths, *NEGOTIATED})


def assert_page(r, lang: str = "fr") -> None:
    assert r.headers["content-type"].startswith("text/html"), (r.request.url, r.status_code, r.text[:200])
    assert f'<html lang="{lang}"' in r.text and "<header>" in r.text, (r.request.url, r.text[:300])  # the site's frame


def test_every_html_route_answers_a_browser_with_a_page(app):
    routes = html_routes(app)
    assert len(routes) > 15
    refused = 0
    for path in routes:
        for params in ({}, {"limit": "-1", "offset": "x", "year": "x", "lang": "fr"}):
            r = app.get(path, params=params, headers=BROWSER)
            if r.status_code >= 400:
                refused += 1
                assert_page(r)
    assert refused > 10  # missing entities, bad parameters and pages needing a sign-in were all asked


@pytest.mark.parametrize(
    ("path", "status"),
    [("/moderation", 401), ("/reports/1999", 404), ("/maps/nope", 404), ("/read-log", 401), ("/id/nope", 404)],
)
def test_what_a_user_met_is_a_page_in_their_language(app, path, status):
    for lang, words in (("fr", "Accueil"), ("en", "Home")):
        r = app.get(path, params={"lang": lang}, headers=BROWSER)
        assert r.status_code == status, (path, r.text[:200])
        assert_page(r, lang)
        if path != "/id/nope":  # the entity's own not-found page
            assert words in r.text and 'id="error-hint"' in r.text
    if status == 401:
        assert 'id="error-sign-in"' in app.get(path, headers=BROWSER).text
    api = app.get(path, headers={"Accept": "application/json"})
    assert api.status_code == status and api.json()["error"]["status"] == status  # API clients: JSON


def test_sign_in_returns_to_the_page_it_came_from_and_nowhere_else(app):
    """Issue 21, 4: sign-in always landed on /account; the 401 page's link brings the user back — to a
    page of this site only (an open redirect would send a phished user anywhere)."""
    from fastapi.testclient import TestClient

    for asked, lands in (
        ("/moderation?lang=en", "/moderation?lang=en"),
        ("//evil.example/x", "/account"),
        ("https://evil.example/", "/account"),
        ("/\\\\evil.example", "/account"),
        (None, "/account"),
    ):
        c = TestClient(app.app)
        page = c.get("/login", params={"next": asked} if asked else {}).text
        csrf = page.split('name="csrf" value="')[1].split('"')[0]
        form = {"name": "alice", "password": "alice-password", "csrf": csrf} | ({"next": asked} if asked else {})
        r = c.post("/login", data=form, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == lands, (asked, r.headers.get("location"))
