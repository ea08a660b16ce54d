"""The API documentation (`/docs`, Swagger UI) works with no network beyond the server and under the
Content Security Policy: its script and style come from the installed package, never a CDN, and it
starts from a file, not an inline script (`offline_page` fails the test on any violation)."""

import re

from tests.browser import offline_page


def test_the_api_docs_list_the_operations_offline(live_server):
    with offline_page(live_server) as (page, blocked):
        page.goto(f"{live_server}/docs")
        page.wait_for_selector(".opblock", timeout=20_000)
        operations = page.locator(".opblock .opblock-summary-path").all_inner_texts()
        assert "/sparql" in operations, operations
        assert len(operations) > 30, operations
        assert any(p.startswith("/api/queries/") for p in operations), operations  # the saved queries
        # an operation opens with its parameters
        page.locator(".opblock-summary-path").filter(has_text=re.compile(r"^/api/search$")).first.click()
        page.wait_for_selector(".opblock.is-open .parameters", timeout=10_000)
        assert "q" in page.inner_text(".opblock.is-open .parameters")
        assert blocked == [], blocked
