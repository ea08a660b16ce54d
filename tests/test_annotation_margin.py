"""Annotations beside the text, as in Hypothes.is (issue 21, 7), in Chromium: on a wide screen the cards
sit in a margin beside the passages they annotate, in the order of the passages; a highlight brings its
card into view and a card's quote its passage; authors edit their own annotations (nobody else: the
button is not there and the server refuses, 403); a reader who flagged an annotation still sees it flagged
after a reload (and nobody else does, and a second flag adds none); the filters have labels and name the
organisations."""

import json
import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser import offline_page, sign_in, wait_for
from tests.conftest import pic_server

ID = "https://w3id.org/pic-euralens/id/"
MEDIA = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
STUDY = f"{ID}study/nuitees-autour-louvre-lens"
PAGE = "/id/study/nuitees-autour-louvre-lens"
FIRST, LATER = "hébergement touristique", "durée des séjours"  # in this order in the French abstract
CARDS = "#annotations .annotation-list > article.annotation"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    users = [("alice", "partner", "aula"), ("bruno", "partner", "louvre-lens")]
    with pic_server(tmp_path_factory.mktemp("margin") / "data", users) as (url, tokens):
        clients = {
            n: httpx.Client(base_url=url, headers={"Authorization": f"Bearer {t}"}, timeout=60)
            for n, t in tokens.items()
        }
        # made in the other order than their passages: the margin follows the text, not the dates
        later = annotate(clients["alice"], LATER, "Durée moyenne à préciser zqlater.")
        first = annotate(clients["alice"], FIRST, "Quelle source pour l'hébergement zqfirst ?", "questioning")
        yield url, clients, {"first": first, "later": later}
        for c in clients.values():
            c.close()


def annotate(c: httpx.Client, exact: str, text: str, motivation: str = "commenting", **extra) -> dict:
    annotation = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "motivation": motivation,
        "body": [
            {"type": "TextualBody", "value": text, "language": "fr", "format": "text/plain"},
            *extra.pop("bodies", []),
        ],
        "target": {"source": STUDY, "selector": {"type": "TextQuoteSelector", "exact": exact}},
        **extra,
    }
    r = c.post("/annotations/", content=json.dumps(annotation), headers={"Content-Type": MEDIA})
    assert r.status_code == 201, r.text
    return r.json()


def card_of(page, text: str):
    return page.locator(CARDS, has_text=text).first


def loaded(page, marks: bool = True) -> None:
    """The cards are there, and the marks (an English page shows the English abstract: the passages, quoted in
    French, are in no text there; their cards are still in the margin, with their quotes)."""
    page.wait_for_selector(f"{CARDS} >> nth=0")
    if marks:
        page.wait_for_selector("p.abstract mark.anchored")


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found, "not rendered"
    return found


def test_the_margin_is_beside_the_passages_in_their_order(server):
    url, _clients, _made = server
    with offline_page(url) as (page, _blocked):
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(f"{url}{PAGE}")
        loaded(page)
        texts = page.locator(f"{CARDS} .annotation-text").all_inner_texts()
        mine = [t for t in texts if "zqfirst" in t or "zqlater" in t]
        assert mine == ["Quelle source pour l'hébergement zqfirst ?", "Durée moyenne à préciser zqlater."], texts
        mark = page.locator("p.abstract mark.anchored", has_text=LATER).first
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        mark.scroll_into_view_if_needed()
        mark.click()
        card = card_of(page, "zqlater")
        wait_for(page, "document.querySelector('#annotations article.focused') !== null")
        assert "focused" in (card.get_attribute("class") or "")
        passage, shown = box(mark), box(card)
        assert shown["x"] >= passage["x"] + passage["width"], (passage, shown)  # in the margin, to the right
        assert shown["y"] < 800 and shown["y"] + shown["height"] > 0, shown  # and in view
        # a card's quote brings its passage into view, from the keyboard
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        first = page.locator("p.abstract mark.anchored", has_text=FIRST).first
        quote = card_of(page, "zqfirst").locator("button.passage-link")
        quote.focus()
        page.keyboard.press("Enter")
        seen = "document.querySelector('p.abstract mark.anchored').getBoundingClientRect()"
        wait_for(page, f"{seen}.top >= 0 && {seen}.bottom <= 800")
        assert box(first)["y"] >= 0 and page.evaluate("document.activeElement.tagName") == "MARK"
        # on a narrow screen the margin goes below the text
        page.set_viewport_size({"width": 700, "height": 800})
        assert box(card_of(page, "zqlater"))["y"] > box(page.locator("p.abstract").first)["y"]
        assert box(page.locator("#annotations"))["x"] < box(page.locator("p.abstract").first)["x"] + 50


def test_authors_edit_their_own_annotations_and_nobody_else(server):
    url, clients, _made = server
    link = annotate(
        clients["alice"],
        "taux d'occupation",
        "Voir aussi les emplois induits zqlink.",
        "linking",
        bodies=[
            {
                "type": "SpecificResource",
                "source": f"{ID}study/emplois-induits-louvre-lens",
                "purpose": "linking",
                "pic:relation": "builds-on",
            }
        ],
    )
    key = link["id"].rsplit("/", 1)[-1]
    with offline_page(url) as (page, _blocked):
        sign_in(page, url, "alice")
        page.goto(f"{url}{PAGE}")
        loaded(page)
        card = card_of(page, "zqlink")
        card.locator("button.edit").click()
        form = card.locator("form.annotation-form")
        assert form.locator("textarea[name=text]").input_value() == "Voir aussi les emplois induits zqlink."
        assert form.locator("select[name=motivation]").input_value() == "linking"
        assert form.locator("select[name=visibility]").input_value() == "public"
        assert form.locator("select[name=relation]").input_value() == "builds-on"
        linked = form.locator("input[name=linked]")
        expect(linked).to_have_value(re.compile("^Les emplois induits"))  # its name, not its identifier
        assert linked.is_visible()
        form.locator("textarea[name=text]").fill("Les emplois induits, revus zqedited.")
        form.locator("button[type=submit]").click()
        page.wait_for_selector(f"{CARDS}:has-text('zqedited')")
        page.reload()
        loaded(page)
        edited = card_of(page, "zqedited")
        assert "Les emplois induits, revus zqedited." in edited.inner_text()
        assert edited.locator(".annotation-link a").get_attribute("href") == "/id/study/emplois-induits-louvre-lens"
        # a stale edit is refused in the form, in the page's language
        card = card_of(page, "zqfirst")
        card.locator("button.edit").click()
        clients["alice"].put(
            f"/annotations/{card.get_attribute('data-annotation').rsplit('/', 1)[-1]}",
            content=json.dumps(
                {
                    "@context": "http://www.w3.org/ns/anno.jsonld",
                    "type": "Annotation",
                    "motivation": "questioning",
                    "body": {"type": "TextualBody", "value": "Quelle source pour l'hébergement zqfirst ?"},
                    "target": {"source": STUDY, "selector": {"type": "TextQuoteSelector", "exact": FIRST}},
                }
            ),
            headers={
                "Content-Type": MEDIA,
                "If-Match": clients["alice"].get(card.get_attribute("data-annotation")).headers["etag"],
            },
        ).raise_for_status()
        card.locator("form.annotation-form button[type=submit]").click()
        problem = card.locator("form.annotation-form [role=alert]")
        wait_for(page, "[...document.querySelectorAll('.annotation-form [role=alert]')].some(p => p.textContent)")
        assert "annotation" in problem.inner_text() and "changed" not in problem.inner_text(), problem.inner_text()
    with offline_page(url) as (page, _blocked):
        sign_in(page, url, "bruno")
        page.goto(f"{url}{PAGE}")
        loaded(page)
        assert card_of(page, "zqedited").locator("button.edit").count() == 0
        assert card_of(page, "zqedited").locator("button.flag").count() == 1  # signed in: the other buttons are there
        status = page.evaluate(
            """async (key) => {
                const csrf = document.getElementById('annotations').dataset.csrf;
                const read = await fetch('/annotations/' + key);
                const body = await read.json();
                body.body = [{ type: 'TextualBody', value: 'Réécrit par Bruno' }, ...[].concat(body.body).slice(1)];
                const r = await fetch('/annotations/' + key, { method: 'PUT', body: JSON.stringify(body),
                    headers: { 'Content-Type': 'application/ld+json', 'X-CSRF-Token': csrf,
                               'If-Match': read.headers.get('ETag') } });
                return r.status;
            }""",
            key,
        )
        assert status == 403
    assert "zqedited" in httpx.get(f"{url}/annotations/{key}", timeout=30).text


def test_a_flag_stays_after_a_reload_for_its_reader_only(server):
    url, clients, made = server
    key = made["later"]["id"].rsplit("/", 1)[-1]
    with offline_page(url) as (page, _blocked):
        sign_in(page, url, "bruno")
        page.goto(f"{url}{PAGE}?lang=en")
        loaded(page, marks=False)
        flag = card_of(page, "zqlater").locator("button.flag")
        assert flag.is_enabled() and flag.get_attribute("aria-pressed") == "false"
        flag.click()
        wait_for(page, "document.querySelector('button.flag[aria-pressed=true]') !== null")
        page.reload()
        loaded(page, marks=False)
        flag = card_of(page, "zqlater").locator("button.flag")
        assert flag.is_disabled() and flag.get_attribute("aria-pressed") == "true" and flag.inner_text() == "Flagged"
        assert card_of(page, "zqfirst").locator("button.flag").is_enabled()
        page.goto(f"{url}{PAGE}?lang=fr")  # English was remembered
        loaded(page)
        assert card_of(page, "zqlater").locator("button.flag").inner_text() == "Signalée"
    # once only, and only its reader is told
    bruno = clients["bruno"]
    assert bruno.post(f"/annotations/{key}/flag", json={"reason": "encore"}).status_code == 200
    flags = bruno.get("/annotations/", params={"target": made["later"]["canonical"], "motivation": "moderating"})
    assert flags.json()["total"] == 1, flags.text

    def listed(c) -> dict:
        items = c.get("/annotations/", params={"target": STUDY}).json()["first"]["items"]
        return next(a for a in items if a["canonical"] == made["later"]["canonical"])

    assert listed(bruno)["pic:flaggedByYou"] is True
    assert "pic:flaggedByYou" not in listed(clients["alice"])
    with httpx.Client(base_url=url, timeout=30) as anonymous:
        assert "pic:flaggedByYou" not in listed(anonymous)


@pytest.mark.parametrize(("lang", "motivation", "everyone"), [("fr", "Intention", "toutes"), ("en", "Intent", "all")])
def test_the_filters_have_labels_and_name_the_organisations(server, lang, motivation, everyone):
    url, _clients, _made = server
    with offline_page(url) as (page, _blocked):
        page.goto(f"{url}{PAGE}?lang={lang}")
        loaded(page, marks=lang == "fr")
        filters = page.locator(".annotation-filters")
        by_motivation = filters.get_by_label(motivation, exact=True)
        by_org = filters.get_by_label("Organisation", exact=True)
        assert by_motivation.evaluate("e => e.tagName") == "SELECT" and by_org.evaluate("e => e.tagName") == "SELECT"
        assert filters.locator("label", has_text=motivation).is_visible()
        name = "Agence d'urbanisme de l'Artois" if lang == "fr" else "Artois urban planning agency"
        wait_for(
            page, f"[...document.querySelectorAll('select[name=org] option')].some(o => o.textContent === {name!r})"
        )
        options = by_org.locator("option").all_inner_texts()
        assert options[0] == everyone and name in options and "aula" not in options, options
        by_org.select_option(label=name)
        assert card_of(page, "zqlater").is_visible()
        card = card_of(page, "zqlater")
        wait_for(page, f"document.querySelector('{CARDS}:not([hidden]) .annotation-org').textContent === {name!r}")
        assert name in card.locator(".annotation-meta").inner_text() and "aula" not in card.inner_text()
