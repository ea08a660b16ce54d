"""Accessible everywhere (issue 21): every kind of page a user reaches — home, search, an entity of each kind,
the ontology, the workbench, each map, the contribution forms, import, annotations, moderation, history,
reports, account — has no serious or critical axe-core violation, in French and in English, as a signed-in
facilitator (who sees every menu) and signed out; and the forms and the map can be used with the keyboard."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser import offline_page, sign_in, wait_for
from tests.conftest import pic_server

PAGES = [
    "/",
    "/search?q=louvre",
    "/id/actor/louvre-lens",
    "/id/project/louvre-lens-construction",
    "/id/study/etat-impacts-2024",
    "/id/indicator/frequentation-louvre-lens",
    "/id/territory/commune/62498",
    "/id/theme/culture",
    "/id/question/creation-emplois",
    "/id/observation/frequentation-louvre-lens/62498/2024",
    "/id/association/louvre-lens-construction--louvre-lens--pilote",
    "/ontology",
    "/workbench?saved=indicator-figures",
    "/maps",
    "/maps/cooperation",
    "/maps/knowledge-flows",
    "/maps/actor-project",
    "/maps/citations",
    "/maps/actor-territory",
    "/maps/cooperation/changes?before=2012&after=2024",
    "/contribute",
    "/contribute/study",
    "/contribute/project",
    "/contribute/actor",
    "/import",
    "/moderation",
    "/reports",
    "/reports/2024",
    "/account",
    "/read-log",
    "/id/nope",
]
SIGNED_OUT = ["/", "/login", "/id/study/etat-impacts-2024", "/moderation", "/maps/cooperation"]
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    users = [("fanny", "facilitator", "euralens")]
    with pic_server(tmp_path_factory.mktemp("a11y") / "data", users) as (url, _tokens):
        yield url


def serious(page, axe: Axe) -> list[str]:
    found = axe.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_page_has_a_serious_accessibility_violation(server, lang):
    axe = Axe()
    found = {}
    with offline_page(server) as (page, blocked):
        for path in SIGNED_OUT:
            page.goto(f"{server}{path}{'&' if '?' in path else '?'}lang={lang}")
            found[f"signed out {path}"] = serious(page, axe)
        sign_in(page, server, "fanny")
        for path in PAGES:
            page.goto(f"{server}{path}{'&' if '?' in path else '?'}lang={lang}")
            if path.startswith("/maps/") and "changes" not in path:
                wait_for(page, "window.picMap && window.picMap.ready")
            found[path] = serious(page, axe)
        assert blocked == []
    assert len(found) == len(PAGES) + len(SIGNED_OUT)
    assert {path: v for path, v in found.items() if v} == {}


def test_a_contribution_form_is_filled_and_sent_with_the_keyboard_alone(server):
    with offline_page(server) as (page, _blocked):
        sign_in(page, server, "fanny")
        page.goto(f"{server}/contribute/study")
        page.keyboard.press("Tab")
        reached = set()
        for _ in range(80):  # every field and the submit button are reached by Tab, in order
            reached.add(page.evaluate("document.activeElement.name || document.activeElement.type || ''"))
            page.keyboard.press("Tab")
        assert {"title_fr", "submit"} <= reached, reached
        page.focus("input[name=title_fr]")
        page.keyboard.type("Étude au clavier")
        while page.evaluate("document.activeElement.type") != "submit":
            page.keyboard.press("Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "Étude au clavier" in page.content()


def test_the_map_is_used_with_the_keyboard_alone(server):
    with offline_page(server) as (page, _blocked):
        page.goto(f"{server}/maps/cooperation")
        wait_for(page, "window.picMap && window.picMap.ready")
        page.focus("select[name=theme]")
        page.keyboard.press("ArrowDown")  # a filter is chosen from the keyboard …
        page.wait_for_url("**theme=*")
        wait_for(page, "window.picMap && window.picMap.ready")
        # … and each node is a link in the table beside the map, reached by Tab
        links = page.locator("#metrics tbody a")
        assert links.count() >= 2
        links.first.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/id/actor/" in page.url
