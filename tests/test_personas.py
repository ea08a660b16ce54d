"""Four people through their tasks in Chromium, by names only — never an IRI typed — with a screenshot of
each step kept as a test artefact (`test-artefacts/personas/`, or `$PIC_TEST_ARTEFACTS`) (issue 21):
a facilitator finds who cooperates with the museum on culture since 2015 and exports the map; a partner adds
a study that builds on another and is used by a project; a researcher runs a saved query with a named
parameter and opens an entity from the results; a partner annotates a passage and proposes a link that a
facilitator accepts."""

import os
from pathlib import Path

import pytest

from tests.browser import offline_page, sign_in, study_form, wait_for
from tests.test_names_in_inputs import choose

READY = "window.picMap && window.picMap.ready"
ARTEFACTS = Path(os.environ.get("PIC_TEST_ARTEFACTS", Path(__file__).resolve().parent.parent / "test-artefacts"))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.conftest import pic_server

    users = [("alice", "partner", "aula"), ("fanny", "facilitator", "euralens")]
    with pic_server(tmp_path_factory.mktemp("personas") / "data", users) as (url, _tokens):
        yield url


class Steps:
    """Screenshots of one person's steps, numbered in order."""

    def __init__(self, page, person: str):
        self.page, self.folder, self.n = page, ARTEFACTS / "personas" / person, 0
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()

    def shot(self, what: str) -> None:
        self.n += 1
        path = self.folder / f"{self.n:02d}-{what}.png"
        self.page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 5000


def test_a_facilitator_finds_who_cooperates_with_the_museum_on_culture_since_2015_and_exports_it(server):
    with offline_page(server) as (page, blocked):
        steps = Steps(page, "facilitator-map")
        sign_in(page, server, "fanny")
        page.goto(f"{server}/")
        page.click("text=Cartes")
        page.click("main a[href^='/maps/cooperation']")
        wait_for(page, READY)
        steps.shot("cooperation-map")
        choose(page, "input[name=ego]", "Musée du L", "Musée du Louvre-Lens")
        page.fill("input[name=from]", "2015")
        with page.expect_navigation():
            page.press("input[name=from]", "Enter")
        wait_for(page, READY)
        page.select_option("select[name=theme]", label="Culture")
        page.wait_for_url("**theme=*")
        wait_for(page, READY)
        steps.shot("museum-culture-since-2015")
        names = page.inner_text("#metrics")
        assert "Musée du Louvre-Lens" in names and page.evaluate("window.picMap.nodes.length") >= 2
        with page.expect_download() as download:
            page.click("p.exports a:text('CSV')")
        exported = Path(download.value.path()).read_text(encoding="utf-8")
        assert "Musée du Louvre-Lens" in exported
        steps.shot("exported")
        assert blocked == []


def test_a_partner_adds_a_study_that_builds_on_another_and_is_used_by_a_project(server):
    with offline_page(server) as (page, _blocked):
        steps = Steps(page, "partner-study")
        sign_in(page, server, "alice")
        page.goto(f"{server}/contribute")
        steps.shot("contribute")
        page.click("a[href='/contribute/study']")
        page.fill("input[name=id]", "usages-du-musee-2026")
        page.fill("input[name=title_fr]", "Usages du musée par les habitants, 2026")
        page.select_option("select[name=status]", "published")
        page.fill("input[name=year]", "2026")
        choose(page, "input[name=builds_on]", "emplois indu", "Les emplois induits par le Louvre-Lens (fictif)")
        steps.shot("study-form")
        with page.expect_navigation():
            page.click("form.contribute button[type=submit] >> nth=0")
        assert page.url.endswith("/id/study/usages-du-musee-2026?saved=1")
        assert "Vos modifications sont enregistrées" in page.inner_text("[role=status]")
        steps.shot("study-saved")

        page.goto(f"{server}/contribute/project")
        page.fill("input[name=id]", "ateliers-usages-2026")
        page.fill("input[name=title_fr]", "Ateliers sur les usages du musée")
        page.fill("input[name=start]", "2026-01-15")
        page.fill("input[name=participants]", "Agence d'urbanisme de l'Artois:pilote")  # a name, then its role
        choose(page, "input[name=studies_used]", "Usages du musée", "Usages du musée par les habitants, 2026")
        steps.shot("project-form")
        with page.expect_navigation():
            page.click("form.contribute button[type=submit] >> nth=0")
        assert "/id/project/ateliers-usages-2026" in page.url, page.inner_text("main")[:1500]
        page.goto(f"{server}/id/study/usages-du-musee-2026")
        shown = page.inner_text("main")
        assert "Les emplois induits par le Louvre-Lens (fictif)" in shown  # builds on, by its name
        assert "Ateliers sur les usages du musée" in shown  # used by the project, by its name
        steps.shot("study-page")


def test_a_researcher_runs_a_saved_query_by_a_name_and_opens_an_entity_from_the_results(server):
    with offline_page(server) as (page, _blocked):
        steps = Steps(page, "researcher-workbench")
        page.goto(f"{server}/")
        page.click("a[href='/workbench']")
        page.click("text=Projets d'un acteur et ses rôles")
        wait_for(page, "document.querySelector('#params input[name=actor]') !== null")
        choose(page, "#params input[name=actor]", "Musée du L", "Musée du Louvre-Lens")
        assert "#+" not in page.input_value("textarea") and "SELECT" in page.input_value("textarea")  # no header
        steps.shot("parameter-by-name")
        page.click("#run")
        wait_for(page, "document.querySelector('#results').innerHTML.includes('/id/project/louvre-lens-construction')")
        wait_for(
            page, "[...document.querySelectorAll('#results a.iri')].some(a => a.textContent.startsWith('Construction'))"
        )
        steps.shot("results-with-names")
        with page.expect_navigation():
            page.click("#results a.iri:text('Construction du musée du Louvre-Lens')")
        assert page.url.endswith("/id/project/louvre-lens-construction")
        assert "Construction du musée du Louvre-Lens" in page.inner_text("h1")
        steps.shot("entity-page")


def test_a_partner_annotates_a_passage_and_proposes_a_link_that_a_facilitator_accepts(server):
    with offline_page(server) as (page, _blocked):
        steps = Steps(page, "annotation-link")
        sign_in(page, server, "alice")
        page.goto(f"{server}/id/study/diagnostic-habitat-minier-renove")
        page.evaluate(
            """() => { const p = document.querySelector('p.abstract'); const text = p.firstChild;
                       const range = document.createRange(); range.setStart(text, 0); range.setEnd(text, 30);
                       const s = window.getSelection(); s.removeAllRanges(); s.addRange(range);
                       p.dispatchEvent(new MouseEvent('mouseup', { bubbles: true })); }"""
        )
        page.wait_for_selector(".annotation-form blockquote")
        page.fill(".annotation-form textarea[name=text]", "Ce passage s'appuie sur l'étude des emplois induits.")
        page.select_option(".annotation-form select[name=motivation]", "linking")
        choose(
            page,
            ".annotation-form input[name=linked]",
            "emplois indu",
            "Les emplois induits par le Louvre-Lens (fictif)",
        )
        page.select_option(".annotation-form select[name=relation]", "builds-on")
        steps.shot("passage-annotated")
        page.click(".annotation-form button[type=submit]")
        wait_for(page, "document.querySelector('.annotation-link a') !== null")
        steps.shot("link-proposed")
        page.goto(f"{server}/logout")

        sign_in(page, server, "fanny")
        page.click("nav a[href='/moderation']")  # facilitators have the menu link
        proposal = page.locator("#proposals article").filter(has_text="Les emplois induits par le Louvre-Lens (fictif)")
        assert proposal.count() == 1
        steps.shot("moderation-queue")
        with page.expect_navigation():
            proposal.locator("button:text('Accepter')").click()
        assert "Lien accepté" in page.inner_text("[role=status]")
        steps.shot("link-accepted")


def test_a_deleted_entity_keeps_its_history_and_a_facilitator_brings_it_back_after_confirming(server):
    """Issue 21, 4: "Annuler ce changement" ran without confirmation and a deleted entity's page was a 404
    with its history gone. Now the history outlives the entity (its 404 page shows it), and a revert asks first."""
    with offline_page(server) as (page, _blocked):
        steps = Steps(page, "deleted-history")
        study_form(page, server, "alice", "etude-supprimee", "Étude bientôt supprimée", "planned", "2027")
        with page.expect_navigation():
            page.click("form.contribute button[type=submit] >> nth=0")
        page.click("#edit-link")
        page.once("dialog", lambda d: d.accept())  # "Supprimer cette entité ?"
        with page.expect_navigation():
            page.click("button[name=delete]")
        assert "supprimée" in page.inner_text("[role=status]")
        gone = page.goto(f"{server}/id/study/etude-supprimee")
        assert gone.status == 404 and page.locator("#history tbody tr").count() == 2  # created, deleted
        steps.shot("history-of-a-deleted-entity")
        page.goto(f"{server}/logout")

        sign_in(page, server, "fanny")
        page.goto(f"{server}/id/study/etude-supprimee")
        latest = page.locator("#history tbody tr").first.locator("button")
        asked = []
        page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
        latest.click()
        page.wait_for_timeout(300)
        assert asked and "Annuler ce changement" in asked[0] and page.url.endswith("/id/study/etude-supprimee")
        page.once("dialog", lambda d: d.accept())
        with page.expect_navigation():
            latest.click()
        assert page.locator("h1").inner_text() == "Étude bientôt supprimée"  # back, by its revert
        steps.shot("brought-back")
