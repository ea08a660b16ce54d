"""Everything links locally, and pages show names (issue 21, 3, 4 and 5): crawled from the home page to a
depth of three as each role, in French and in English, no page links to an IRI under the instance base
(its local page exists), no link is without text, no link is a 404, every page's language switch keeps its
path and query, and no visible text is an identifier or a slug."""

import re

import pytest
from babel.numbers import parse_decimal

from tests.conftest import app_client, bearer
from tests.crawler import IDENTIFIER, crawl, local, without_lang

BASE = "https://w3id.org/pic-euralens/"
USERS = [("alice", "partner", "aula"), ("fanny", "facilitator", "euralens"), ("adam", "admin", "euralens")]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("crawl") / "data", users=USERS) as c:
        yield c


@pytest.fixture(scope="module", params=[None, "alice", "fanny", "adam"])
def crawled(request, site):
    """Every page and link the role reaches from the home pages in French and in English."""
    headers = bearer(site, request.param) if request.param else {}
    reached = []
    for start in ("/", "/?lang=en"):
        reached += list(crawl(site, headers, start))
    return reached


def test_no_link_is_broken(crawled):
    broken = [(path, status, came_from) for page, status, path, came_from in crawled if status >= 400]
    assert len(crawled) > 60 and broken == []


def test_no_link_leads_to_the_instance_base_instead_of_its_local_page(crawled):
    found = {(p.path, link.href) for p, *_ in crawled if p for link in p.links if link.href.startswith(BASE)}
    assert sorted(found) == []


def test_every_link_has_text(crawled):
    empty = [(p.path, link.href) for p, *_ in crawled if p for link in p.links if not link.text]
    assert empty == []


def test_the_language_switch_keeps_the_page_and_its_query(crawled):
    pages = [p for p, *_ in crawled if p and p.framed]
    assert len(pages) > 60
    for page in pages:
        switches = [link for link in page.links if link.hreflang]
        assert len(switches) == 1, page.path
        target = local(page.path, switches[0].href)
        assert target and without_lang(target) == without_lang(page.path), (page.path, switches[0].href)
        assert f"lang={switches[0].hreflang}" in target


def test_no_visible_text_is_an_identifier(crawled):
    shown = [(p.path, m.group()) for p, *_ in crawled if p for w in p.words for m in [IDENTIFIER.search(w)] if m]
    assert shown == []


# A figure written as the other language writes it: `57.9` or `547323` in French, `57,9` or `547323` in English
# (four digits in a row only after the decimal separator: `0,3055`).
NOT_IN = {"fr": re.compile(r"\d\.\d|^[^,]*\d{4}"), "en": re.compile(r"\d,\d{1,2}(?!\d)|^[^.]*\d{4}")}


def test_every_figure_is_written_as_the_pages_language_writes_numbers(crawled):
    figures = [(p.path, p.lang, f) for p, *_ in crawled if p for f in p.figures]
    assert len({path for path, *_ in figures}) >= 3, "no page with figures was reached"
    wrong = []
    for path, lang, f in figures:
        shown = re.sub(r"[^\d,.\u202f\u00a0-]", "", f.text.replace(" pt", "")).strip(" ,.")
        if NOT_IN[lang].search(f.text) or not shown:
            wrong.append((path, f.value, f.text))
            continue
        read = parse_decimal(shown.replace("\u202f", "").replace("\u00a0", ""), locale=lang)
        if abs(float(read) - float(f.value)) > max(0.051, abs(float(f.value)) * 0.001):  # shown to 1 decimal
            wrong.append((path, f.value, f.text))
    assert wrong == []


def test_every_figure_of_an_illustrative_node_says_so(site, crawled):
    """Issue 21, 5: a value from a node the data marks `pic:illustrative` carries the badge, on every page."""
    invented = {
        row["n"].value
        for row in site.app.state.writer.store.query(
            "SELECT ?n WHERE { GRAPH ?g { ?n <https://w3id.org/pic-euralens/ontology#illustrative> true } }"
        )
    }
    shown = [(p.path, f) for p, *_ in crawled if p for f in p.figures if f.node in invented]
    assert len(shown) >= 5, "no invented figure was reached"
    assert [(path, f.node, f.text) for path, f in shown if not f.badge] == []


def test_the_favicon_is_served(site):
    r = site.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/")


@pytest.mark.parametrize(("lang", "figure", "share"), [("fr", "547\u202f323", "57,9"), ("en", "547,323", "57.9")])
def test_a_territorys_figures_are_in_the_pages_language_and_invented_ones_say_so(site, lang, figure, share):
    """Issue 21, 5: `547323` and `57.9` on a French page, and invented values without their badge."""
    page = site.get("/id/territory/commune/62498", params={"lang": lang}, headers={"Accept": "text/html"}).text
    section = page[page.index('<section id="section-key-indicators"') :].split("</section>")[0]
    rows = section.split("<tr>")[2:]
    assert len(rows) >= 3
    assert figure in section and share in section
    badge = "illustratif" if lang == "fr" else "illustrative"
    assert all(f'class="illustrative">{badge}' in row for row in rows)  # the demo's figures are all invented


def test_search_marks_its_matches_instead_of_bracketing_them(site):
    """Issue 21, 6: matches showed as `[musée]`."""
    page = site.get("/search", params={"q": "musée"}, headers={"Accept": "text/html"}).text
    snippets = page.split('class="snippet">')[1:]
    assert len(snippets) >= 3 and all("<mark>" in s.split("</small>")[0] for s in snippets)
    assert not any("[" in s.split("</small>")[0] for s in snippets)
