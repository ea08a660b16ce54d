"""Names, not identifiers (issue 21, 1), in Chromium: wherever a page asks for an entity — a map's ego,
path ends and territory, a contribution's references, a saved query's IRI parameter, an annotation's link —
the user types the beginning of a name, chooses a suggestion, and the page does the rest; the form sends the
identifier. A name typed without choosing is looked up by the server; one no entity has is refused in the
page's language, next to its field."""

import re

import httpx
import pytest

from tests.browser import offline_page, sign_in, study_form, wait_for
from tests.conftest import pic_server

READY = "window.picMap && window.picMap.ready"
BASE = "https://w3id.org/pic-euralens/id/"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    users = [("alice", "partner", "aula"), ("fanny", "facilitator", "euralens")]
    with pic_server(tmp_path_factory.mktemp("names") / "data", users) as (url, tokens):
        yield url


def choose(page, selector: str, typed: str, wanted: str) -> None:
    """Type the beginning of a name, wait for the suggestion `wanted` in the field's list, and choose it
    (a headless browser draws no datalist popup: choosing one fills the field with its value)."""
    field = page.locator(selector)
    field.fill("")
    field.press_sequentially(typed, delay=20)
    options = f"Array.from(document.querySelector({selector!r}).list.options).map(o => o.value)"
    wait_for(page, f"{options}.some(v => v === {wanted!r} || v.endsWith('; ' + {wanted!r}))")
    value = next(v for v in page.evaluate(options) if v == wanted or v.endswith(f"; {wanted}"))
    field.fill(value)


def test_the_map_takes_names_for_its_ego_path_and_territory(server):
    with offline_page(server) as (page, blocked):
        page.goto(f"{server}/maps/cooperation")
        wait_for(page, READY)
        everyone = page.evaluate("window.picMap.nodes.length")
        choose(page, "input[name=ego]", "Musée du Lou", "Musée du Louvre-Lens")
        with page.expect_navigation():
            page.press("input[name=ego]", "Enter")
        wait_for(page, READY)
        assert "ego=https%3A%2F%2Fw3id.org%2Fpic-euralens%2Fid%2Factor%2Flouvre-lens" in page.url  # the identifier
        assert 1 < page.evaluate("window.picMap.nodes.length") < everyone
        assert page.input_value("input[name=ego]") == "Musée du Louvre-Lens"  # the field shows the name

        page.goto(f"{server}/maps/cooperation")
        wait_for(page, READY)
        choose(page, "input[name=path_from]", "Eura", "Euralens")
        choose(page, "input[name=path_to]", "Musée du L", "Musée du Louvre-Lens")
        with page.expect_navigation():
            page.press("input[name=path_to]", "Enter")
        wait_for(page, READY)
        assert "path_from=https" in page.url and "path_to=https" in page.url
        assert 2 <= page.evaluate("window.picMap.nodes.length") < everyone

        page.goto(f"{server}/maps/actor-territory")
        wait_for(page, READY)
        choose(page, "input[name=territory]", "Len", "Lens")
        with page.expect_navigation():
            page.press("input[name=territory]", "Enter")
        wait_for(page, READY)
        assert "territory=https" in page.url and page.input_value("input[name=territory]") == "Lens"
        assert blocked == []


def test_a_contribution_references_other_entities_by_their_names(server):
    with offline_page(server) as (page, _blocked):
        study_form(page, server, "alice", "etude-par-les-noms", "Étude écrite par les noms", "published", "2025")
        choose(page, "input[name=producer]", "Agence d'urb", "Agence d'urbanisme de l'Artois")
        page.fill("input[name=themes]", "Culture")  # typed whole, not chosen: the server looks it up
        choose(page, "input[name=territories]", "Liév", "Liévin")
        with page.expect_navigation():
            page.click("form.contribute button[type=submit] >> nth=0")
        assert "/id/study/etude-par-les-noms" in page.url, [t for t in page.locator(".problem").all_inner_texts()]
        shown = page.inner_text("main")
        assert "Agence d'urbanisme de l'Artois" in shown and "Liévin" in shown and "Culture" in shown


@pytest.mark.parametrize(("lang", "other"), [("fr", "no actor"), ("en", "aucun")])
def test_a_name_no_entity_has_is_refused_beside_its_field_in_the_pages_language(server, lang, other):
    with offline_page(server) as (page, _blocked):
        sign_in(page, server, "alice")
        page.goto(f"{server}/contribute/study?lang={lang}")
        page.fill("input[name=id]", "etude-sans-auteur")
        page.fill("input[name=title_fr]", "Étude sans auteur connu")
        page.select_option("select[name=status]", "published")
        page.fill("input[name=producer]", "Personne De Connu")
        page.click("form.contribute button[type=submit] >> nth=0")
        problem = page.inner_text("#field-producer-problem")
        assert "Personne De Connu" in problem and other not in problem
    r = httpx.get(f"{server}/maps/cooperation", params={"ego": "Personne De Connu", "lang": lang}, timeout=30)
    assert r.status_code == 422 and "Personne De Connu" in r.text and other not in r.text


def test_a_saved_query_takes_a_name_for_its_iri_parameter(server):
    with offline_page(server) as (page, _blocked):
        page.goto(f"{server}/workbench?saved=actor-projects-and-roles")
        wait_for(page, "document.querySelector('#params input[name=actor]') !== null")
        choose(page, "#params input[name=actor]", "Musée du Lou", "Musée du Louvre-Lens")
        wait_for(page, "document.querySelectorAll('#results td').length > 0")  # the default actor's, first
        page.click("#run")
        wait_for(page, "document.querySelector('#results').innerHTML.includes('louvre-lens-construction')")
        assert re.search(r"actor=https%3A%2F%2Fw3id.org%2Fpic-euralens%2Fid%2Factor%2Flouvre-lens", page.url)
    plain = httpx.get(
        f"{server}/api/queries/actor-projects-and-roles", params={"actor": "Musée du Louvre-Lens"}, timeout=30
    )
    assert plain.status_code == 200 and "louvre-lens-construction" in plain.text


def test_an_annotation_links_to_an_entity_chosen_by_its_name(server):
    with offline_page(server) as (page, _blocked):
        sign_in(page, server, "alice")
        page.goto(f"{server}/id/study/etat-impacts-2024")
        page.click("button.annotate-page")
        page.fill(".annotation-form textarea[name=text]", "Voir l'étude sur les emplois induits.")
        page.select_option(".annotation-form select[name=motivation]", "linking")
        choose(
            page,
            ".annotation-form input[name=linked]",
            "emplois indu",
            "Les emplois induits par le Louvre-Lens (fictif)",
        )
        page.select_option(".annotation-form select[name=relation]", "builds-on")
        page.click(".annotation-form button[type=submit]")
        wait_for(page, "document.querySelector('.annotation-link a') !== null")
        assert page.get_attribute(".annotation-link a", "href") == "/id/study/emplois-induits-louvre-lens"
        wait_for(page, "document.querySelector('.annotation-link a').textContent.startsWith('Les emplois induits')")


@pytest.mark.parametrize(("lang", "label", "none"), [("fr", "Acteur", "aucune entité"), ("en", "Actor", "no actor")])
def test_a_saved_querys_parameters_show_names_and_say_an_unknown_one(server, lang, label, none):
    """Outside re-test of issue 21, M4: the default actor showed as its IRI, the label as "Acteur / Actor"
    in both languages, and a name no actor has as "query failed (code 422)"."""
    with offline_page(server) as (page, _blocked):
        page.goto(f"{server}/workbench?saved=actor-projects-and-roles&lang={lang}")
        field = "#params input[name=actor]"
        shown = f"document.querySelector('{field}')"
        wait_for(page, f"{shown} && {shown}.value && !{shown}.value.startsWith('http')")  # its name, once known
        assert "Euralens" in page.input_value(field), page.input_value(field)
        assert page.inner_text("#params label").strip() == label
        page.click("#run")  # the default, by its name
        wait_for(page, "document.querySelectorAll('#results td').length > 0")
        page.fill(field, "Zzqx Wvut")
        page.click("#run")
        wait_for(page, "!document.querySelector('#error').hidden")
        assert none in page.inner_text("#error .error-message")


@pytest.mark.parametrize(("lang", "month"), [("fr", "janv."), ("en", "Jan")])
def test_workbench_results_write_dates_as_the_page_does(server, lang, month):
    """Outside re-test of issue 21, M4: dates showed as `2009-01-01T00:00:00`; the data's value stays in
    the cell's title."""
    with offline_page(server) as (page, _blocked):
        page.goto(f"{server}/workbench?saved=actor-projects-and-roles&lang={lang}")
        wait_for(page, "document.querySelectorAll('#results td').length > 0")
        cells = page.eval_on_selector_all("#results td", "tds => tds.map(td => [td.textContent, td.title])")
        dates = [(text, title) for text, title in cells if "dateTime" in title]
        assert dates, cells
        assert all(text != title.split(" (")[0] and "T00:00" not in text for text, title in dates), dates
        assert any(month in text for text, _ in dates), dates  # the default actor's projects start in January


def test_a_refused_form_puts_the_keyboard_on_its_first_wrong_field(server):
    """Second outside re-test of issue 21, N13: after a refused save the focus was on the page's body."""
    with offline_page(server) as (page, _blocked):
        study_form(page, server, "alice", "essai-focus", "Essai", "planned", "20x4")
        page.click("button[type=submit]:not([name])")
        page.wait_for_selector("#form-problems")
        assert page.evaluate("document.activeElement.id") == "field-year"
