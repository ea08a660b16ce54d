"""User text is inert everywhere it is shown: a partner writes script payloads into every text field
(names, titles, abstracts, a document's file name and text, a spreadsheet's file name), then headless
Chromium visits every page that shows them and checks that no payload ran and that the text is shown
as text."""

import os
from pathlib import Path

import docx
import httpx
import pytest

from tests.browser import offline_page, sign_in
from tests.conftest import pic_server

P = "<script>window.__xss=1</script><img src=x onerror=\"window.__xss=2\">\"'><svg onload=window.__xss=3>Zarbi"
FILE_P = "<img src=x onerror=window.__xss=4>Zarbi"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server of its own (the payloads must not show up in other tests' data), with a partner."""
    users = [("mallory", "partner", "xss"), ("felix", "facilitator", "euralens")]
    with pic_server(tmp_path_factory.mktemp("escaping") / "data", users) as (url, tokens):
        write_payloads(url, {"Authorization": f"Bearer {tokens['mallory']}"})
        yield url


def write_payloads(url: str, auth: dict) -> None:
    def post(path, **kwargs):
        r = httpx.post(url + path, headers=auth, timeout=60, **kwargs)
        assert r.status_code in (200, 201), (path, r.text)
        return r

    post("/api/contribute/actor", json={"id": "xss-acteur", "name_fr": P, "name_en": P, "type": "association",
                                        "territory": "commune/62498"})
    post("/api/contribute/project", json={"id": "xss-projet", "title_fr": P, "title_en": P, "start": "2024-01-01",
                                          "participants": "xss-acteur:pilote;louvre-lens:partenaire",
                                          "themes": "culture", "territories": "commune/62498"})
    post("/api/contribute/study", json={"id": "xss-etude", "title_fr": P, "title_en": P, "abstract_fr": P,
                                        "status": "published", "year": "2025", "producer": "xss-acteur",
                                        "themes": "culture", "territories": "commune/62498"})
    post("/api/contribute/membership", json={"member": "xss-acteur", "organization": "louvre-lens", "role": "membre"})
    document = docx.Document()
    document.add_paragraph(P)
    path = Path(os.environ.get("TMPDIR", "/tmp")) / "xss-document.docx"
    document.save(path)
    post("/api/studies/xss-etude/documents", files={"file": (f"{FILE_P}.docx", path.read_bytes())})
    sheet = f"id,name_fr,type\nxss-importe,{FILE_P},association\n"
    post("/api/import/actors", files={"file": (f"{FILE_P}.csv", sheet)})
    annotation = {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation", "motivation": "commenting",
                  "body": {"type": "TextualBody", "value": P}, "target": "https://w3id.org/pic-euralens/id/study/xss-etude"}
    key = post("/annotations/", json=annotation).headers["location"].rsplit("/", 1)[-1]
    post(f"/annotations/{key}/flag", json={"reason": P})


def pages(url: str) -> list[str]:
    document = httpx.get(f"{url}/api/search", params={"q": "zarbi"}).json()
    assert document["total"] >= 4, document
    return ["/", "/id/actor/xss-acteur", "/id/actor/xss-acteur?lang=en", "/id/project/xss-projet",
            "/id/study/xss-etude", "/id/study/xss-etude?lang=en", "/id/actor/xss-importe", "/id/actor/louvre-lens",
            "/id/territory/commune/62498", "/id/theme/culture", "/search?q=zarbi", "/search?q=" + P,
            "/maps/cooperation", "/maps/cooperation?ego=https://w3id.org/pic-euralens/id/actor/xss-acteur",
            "/maps/actor-project", "/maps/actor-territory", "/maps/cooperation/changes?from=2023&until=2024",
            "/reports/2025", "/contribute", "/contribute/actor/xss-acteur", "/contribute/study/xss-etude",
            "/contribute/project/xss-projet"]


def test_script_payloads_in_every_text_field_are_inert_on_every_page(server):
    with offline_page(server) as (page, blocked):
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        sign_in(page, server, "mallory")
        missing = []
        for path in pages(server):
            response = page.goto(server + path, wait_until="networkidle")
            assert response.status < 400, path
            page.wait_for_timeout(150)
            assert page.evaluate("window.__xss") is None, path
            # data may sit in an inline script as an escaped JSON string; no payload may become a script
            assert page.locator("script:not([src])").evaluate_all(
                "nodes => nodes.filter(n => n.textContent.trim().startsWith('window.__xss')"
                " || /<\\/?script/i.test(n.textContent)).length") == 0, path
            assert page.locator("img[onerror], svg[onload]").count() == 0, path
            if "Zarbi" not in page.content():
                missing.append(path)
        assert missing == [], "pages that should show the payload"
        page.goto(f"{server}/id/study/xss-etude")
        shown = page.inner_text("main")
        assert "<script>window.__xss=1</script>" in shown and "onerror" in shown  # shown as text
        page.goto(f"{server}/contribute/study/xss-etude")
        assert page.input_value("#field-title_fr") == P and page.input_value("#field-abstract_fr") == P
        page.goto(f"{server}/")
        page.fill("header input[type=search]", "zarbi")
        page.wait_for_timeout(600)  # the autocomplete fills its list
        assert page.evaluate("window.__xss") is None
        page.goto(f"{server}/workbench")
        page.evaluate("""q => { const editor = document.querySelector('textarea, [contenteditable]');
                                 editor.value = q; editor.dispatchEvent(new Event('input')); }""",
                      "SELECT ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label "
                      "FILTER CONTAINS(?label, 'Zarbi') }")
        page.click("text=Exécuter")
        page.wait_for_selector("table td", timeout=15_000)
        assert "Zarbi" in page.inner_text("table") and page.evaluate("window.__xss") is None
        page.goto(f"{server}/id/study/xss-etude")
        page.wait_for_selector("#annotations article.annotation")
        assert "<script>window.__xss=1</script>" in page.inner_text("#annotations")
        assert page.evaluate("window.__xss") is None
        sign_in(page, server, "felix")
        page.goto(f"{server}/moderation")
        assert "Zarbi" in page.inner_text("#flagged") and page.evaluate("window.__xss") is None
        assert page.locator("img[onerror], svg[onload]").count() == 0
        assert dialogs == [] and blocked == []
