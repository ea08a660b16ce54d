"""The workbench and the search page as people meet them (issue 21, 6), in Chromium: a query that does not
parse is said in the page's language, with its line and column and the place marked in the editor, the
engine's own words kept as a detail; the workbench's other failures (a time limit, a forbidden SERVICE, an
update, a lost connection…) too. The first search result shows without scrolling at 1280×720, beside facets
that still work; an annotation found by its words is titled by what it annotates and its author's
organisation, and opens that entity's page — found only by those who may read it."""

import json
import re

import httpx
import pytest

from tests.browser import offline_page, wait_for
from tests.conftest import pic_server

ID = "https://w3id.org/pic-euralens/id/"
STUDY = f"{ID}study/frequentation-habitants-louvre-lens"
AULA = f"{ID}actor/aula"  # alice's organisation
ANNOTATION = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
MALFORMED = "PREFIX pic: <https://w3id.org/pic-euralens/ontology#>\nSELECT ?x WHERE {\n  ?x a pic:Study ?y .\n}"
# Words of the other language that must not be in a page's error (the query's own text aside).
ENGLISH = re.compile(r"\b(syntax|error|near|line|column|the|is|at|refused|update|query|timed?|limit)\b", re.I)
FRENCH = re.compile(r"\b(erreur|ligne|colonne|près|requête|refusée?|délai|mise à jour|connexion)\b", re.I)
FOREIGN = {"fr": ENGLISH, "en": FRENCH}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    users = [("alice", "partner", "aula"), ("bruno", "partner", "cd62")]
    with pic_server(tmp_path_factory.mktemp("workbench-search") / "data", users) as (url, tokens):
        yield url, tokens


def workbench(page, url: str, lang: str) -> None:
    page.goto(f"{url}/workbench" + ("?lang=en" if lang == "en" else ""))
    wait_for(page, "document.getElementById('library').children.length > 0")


def run(page, query: str) -> str:
    """Run `query` in the editor; the error's shown text (what the engine said, folded away, aside)."""
    page.fill("#query", query)
    page.click("#run")
    wait_for(page, "!document.getElementById('error').hidden")
    assert page.locator("#error details").count() in (0, 1)
    if page.locator("#error details").count():
        assert page.locator("#error details").get_attribute("open") is None  # the engine's words: folded
    return page.locator("#error .error-message").inner_text()


@pytest.mark.parametrize(
    "lang,said", [("fr", "Erreur de syntaxe ligne 3, colonne 18"), ("en", "Syntax error at line 3, column 18")]
)
def test_a_malformed_query_is_said_in_the_pages_language_with_where(server, lang, said):
    url, _ = server
    with offline_page(url) as (page, blocked):
        workbench(page, url, lang)
        shown = run(page, MALFORMED)
        assert said in shown, shown
        assert not FOREIGN[lang].search(shown.replace("?y", "")), shown
        assert "?y" in shown  # where: the text found there, from the editor
        marked = page.locator("#highlight .t-error-at")
        assert marked.count() == 1 and marked.inner_text().startswith("?y"), page.inner_html("#highlight")
        # the engine's own words are there, as a detail
        page.click("#error details summary")
        assert "syntax error at line 3, column 18" in page.inner_text("#error details")
        assert blocked == []


FAILURES = {
    # a forbidden SERVICE, an update sent to the query endpoint: the real server's answers
    "service": ("SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }", "SERVICE"),
    "update": ("INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }", None),
}
# What the network may do to a query, played by the browser: a time limit, a too long text, no connection.
STAGED = {
    "timeout": (503, "the query ran past the 2 s limit and was stopped", "timeout"),
    "too_long": (413, "the request is longer than 100000 bytes", "too_long"),
}


def answering(status: int, document: dict):
    """A route handler answering every request with `status` and the JSON `document`."""
    return lambda route, _request: route.fulfill(
        status=status, body=json.dumps(document), content_type="application/json"
    )


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_workbenchs_other_failures_are_said_in_the_pages_language(server, lang):
    url, _ = server
    with offline_page(url) as (page, _blocked):
        workbench(page, url, lang)
        shown = {}
        for name, (query, kept) in FAILURES.items():
            shown[name] = run(page, query)
            assert not FOREIGN[lang].search(shown[name].replace(kept or "\0", "")), (name, shown[name])
        for name, (status, message, code) in STAGED.items():
            page.route("**/sparql", answering(status, {"error": {"status": status, "message": message, "code": code}}))
            shown[name] = run(page, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
            page.unroute("**/sparql")
        page.route("**/sparql", lambda route: route.abort())
        shown["network"] = run(page, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
        page.unroute("**/sparql")
        for name, text in shown.items():
            assert text.strip() and not FOREIGN[lang].search(text.replace("SERVICE", "")), (name, text)
        assert len(set(shown.values())) == len(shown), shown  # each says what happened, not one "error"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_first_search_result_shows_without_scrolling_beside_usable_facets(server, lang):
    url, _ = server
    with offline_page(url) as (page, _blocked):
        page.set_viewport_size({"width": 1280, "height": 720})
        page.goto(f"{url}/search?q=louvre&lang={lang}")
        first = page.locator("ol.hits > li").first.locator("a").first
        box = first.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= 720, box
        facet = page.locator("aside.facets a[href*='type=study']").first
        assert facet.is_visible()
        facet.click()
        page.wait_for_url("**type=study*")
        assert page.locator("ol.hits > li").count() > 0


def annotate(url: str, token: str, text: str, **extra) -> str:
    annotation = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "motivation": "commenting",
        "body": {"type": "TextualBody", "value": text, "language": "fr", "format": "text/plain"},
        "target": STUDY,
        **extra,
    }
    r = httpx.post(
        f"{url}/annotations/",
        content=json.dumps(annotation),
        headers={"Content-Type": ANNOTATION, "Authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert r.status_code == 201, r.text
    return r.headers["location"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_annotation_hit_names_what_it_annotates_and_opens_its_page(server, lang):
    url, tokens = server
    key = annotate(url, tokens["alice"], f"Une remarque publique zqannot{lang} sur la fréquentation.").rsplit("/", 1)[
        -1
    ]
    names = httpx.get(f"{url}/api/labels", params={"iri": [STUDY, AULA], "lang": lang}).json()
    study, aula = names[STUDY], names[AULA]
    with offline_page(url) as (page, blocked):
        page.goto(f"{url}/search?q=zqannot{lang}&lang={lang}")
        hit = page.locator("ol.hits > li").first
        link = hit.locator("a").first
        title = link.inner_text()
        assert title == {"fr": f"Annotation sur {study}", "en": f"Annotation on {study}"}[lang], title
        assert aula in hit.inner_text()
        link.click()
        page.wait_for_url(f"**/id/study/frequentation-habitants-louvre-lens*#annotation-{key}")
        assert page.inner_text("h1").startswith(study)
        card = page.locator(f"#annotation-{key}")  # the page opens on the annotation's own card
        card.wait_for()
        assert "focused" in (card.get_attribute("class") or "") and f"zqannot{lang}" in card.inner_text()
        assert blocked == []
    hits = httpx.get(f"{url}/api/search", params={"q": f"zqannot{lang}", "lang": lang}).json()["hits"]
    assert hits[0]["page"].startswith("/id/study/frequentation-habitants-louvre-lens"), hits  # the API's, too
    assert hits[0]["annotates"] == STUDY and hits[0]["organisation"] == aula, hits


def test_a_private_annotation_is_not_found_by_anonymous_search(server):
    url, tokens = server
    annotate(url, tokens["alice"], "Note interne zqprivnote de l'agence.", **{"pic:visibility": "private"})
    alice = {"Authorization": f"Bearer {tokens['alice']}"}
    mine = httpx.get(f"{url}/api/search", params={"q": "zqprivnote"}, headers=alice).json()
    assert mine["total"] == 1 and mine["hits"][0]["annotates"] == STUDY, mine  # its author finds it
    for who in ({}, {"Authorization": f"Bearer {tokens['bruno']}"}):
        assert httpx.get(f"{url}/api/search", params={"q": "zqprivnote"}, headers=who).json()["total"] == 0
    with offline_page(url) as (page, _blocked):
        page.goto(f"{url}/search?q=zqprivnote")
        assert "zqprivnote" not in page.inner_text("ol.hits")
        assert page.locator("ol.hits > li a").count() == 0


def test_an_engine_refusal_is_placed_in_the_clients_text(server):
    """The engine reads the query after a BASE line of the service's: its positions are moved back to the
    client's text, and an undeclared prefix (which rdflib's parser lets through) says so (`code`)."""
    url, _ = server
    r = httpx.post(f"{url}/sparql", data={"query": "SELECT ?x WHERE {\n  ?x ?p ?o .\n  ?o foo:bar ?x }"}, timeout=60)
    error = r.json()["error"]
    assert r.status_code == 400 and error["code"] == "prefix" and error["line"] == 3, error
    assert error["message"].startswith("error at 3:"), error
