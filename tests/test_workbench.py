"""The query workbench in headless Chromium, with the network beyond the server blocked."""

from pathlib import Path
from urllib.parse import quote

from tests.browser import offline_page, wait_for


def test_run_a_saved_query_follow_an_iri_and_download_csv(live_server):
    with offline_page(live_server) as (page, blocked):
        page.goto(f"{live_server}/workbench")
        page.click('button[data-name="population-by-epci"]')
        page.click("#run")
        page.wait_for_selector("#results table tbody tr")
        rows = page.locator("#results table tbody tr")
        assert rows.count() == 3
        assert "246200364" in page.inner_text("#results")
        assert "3 lignes" in page.inner_text("#status")
        assert "saved=population-by-epci" in page.url  # the permalink reopens the same query
        with page.expect_download() as download:
            page.click("#csv")
        csv_text = Path(download.value.path()).read_text(encoding="utf-8")
        assert "246200364" in csv_text and csv_text.splitlines()[0].startswith("epci")
        first = page.locator("#results a.iri").first
        wait_for(page, "document.querySelector('#results a.iri').textContent.indexOf('://') < 0")  # its name
        with page.expect_navigation():
            first.click()
        assert "/id/territory/" in page.url and page.locator("h1").count() == 1  # its page here (issue 21, 3)
        assert blocked == [], blocked


def test_a_saved_query_with_parameters_and_a_syntax_error_at_its_line(live_server):
    with offline_page(live_server) as (page, blocked):
        page.goto(f"{live_server}/workbench?lang=en")
        page.click('button[data-name="actors-of-territory"]')
        page.fill('input[name="territory"]', "https://w3id.org/pic-euralens/id/territory/commune/62498")
        page.click("#run")
        page.wait_for_selector("#results table tbody tr")
        assert "Musée du Louvre-Lens" in page.inner_text("#results")
        page.fill("#query", "SELECT ?s WHERE {\n  ?s ?p\n}")
        page.click("#run")
        page.wait_for_selector("#error:not([hidden])")
        assert "line 2" in page.inner_text("#error")  # the incomplete triple, as the parser reads it
        assert page.locator(".t-error-line").count() == 1
        assert blocked == [], blocked


def test_the_permalink_of_a_free_query_reopens_and_runs_it(live_server):
    with offline_page(live_server) as (page, blocked):
        query = (
            "SELECT ?code WHERE { <https://w3id.org/pic-euralens/id/territory/commune/62498> "
            "<http://rdf.insee.fr/def/geo#codeINSEE> ?code }"
        )
        page.goto(f"{live_server}/workbench?query=" + quote(query))
        page.wait_for_selector("#results table tbody tr")
        assert page.inner_text("#results table tbody").strip() == "62498"
        assert blocked == [], blocked


def test_hostile_query_text_is_not_markup(live_server):
    with offline_page(live_server) as (page, blocked):
        hostile = "</script><script>window.pwned=1</script><img src=x onerror=window.pwned=2>"
        page.goto(f"{live_server}/workbench?query=" + quote(hostile))
        page.wait_for_selector("#error:not([hidden])")
        assert page.evaluate("window.pwned") is None
        assert page.input_value("#query") == hostile
