"""A language chosen stays chosen (second outside re-test of issue 21, N6): any page asked with `?lang=`
remembers it for the next pages, which only four did (`/maps?lang=en`, then the reports, were French)."""

import pytest
from fastapi.testclient import TestClient

from tests.conftest import app_client

BROWSER = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("language-cookie") / "data") as c:
        yield c


@pytest.mark.parametrize("first", ["/maps", "/reports", "/import", "/contribute", "/id/actor/louvre-lens", "/login"])
def test_a_page_asked_in_english_keeps_the_next_ones_in_english(app, first):
    browser = TestClient(app.app)
    assert 'lang="en"' in browser.get(f"{first}?lang=en", headers=BROWSER).text
    for then in ("/reports", "/maps", "/import"):
        assert '<html lang="en"' in browser.get(then, headers=BROWSER).text, (first, then)
    browser.get("/?lang=fr", headers=BROWSER)
    assert '<html lang="fr"' in browser.get("/maps", headers=BROWSER).text


def test_a_language_that_is_none_of_the_sites_is_not_remembered(app):
    r = TestClient(app.app).get("/maps?lang=de", headers=BROWSER)
    assert "lang=de" not in r.headers.get("set-cookie", "")
