"""Field errors in the page's language (issue 21, 1): a wrong value in every field of every form, on the
French page and on the English one, is answered beside its field in that page's language only — the
graph layer's English messages (`graph/said.py`) included. Also: every message the code says has its
French, and an API client gets English unless it asks for French (`Accept-Language`, `?lang=`)."""

import re
from html.parser import HTMLParser

import pytest
from babel.messages.extract import extract_from_dir
from fastapi.testclient import TestClient

from pic.graph.contributions.kinds import KINDS
from pic.graph.said import french_templates
from tests.conftest import app_client, bearer, signed_in

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
USERS = [("alice", "partner", "aula"), ("fanny", "facilitator", "euralens")]


def words(text: str) -> set[str]:
    return set(text.split())


# Words that only one of the two languages uses, as a reader would spot them in a sentence.
ENGLISH = words(
    "the is are not this that must write written should with which be only cannot may does has and of for its "
    "it no one any by to name names already exists unknown required expected belongs change"
)
FRENCH = words(
    "le la les est une des du pas doit avec être écrit écrivez qui dans sur aucun aucune cette ces nom noms déjà "
    "existe inconnu inconnue obligatoire attendu appartient modifier connaît"
)
SPOKEN = {"fr": FRENCH, "en": ENGLISH}
OTHER = {"fr": ENGLISH, "en": FRENCH}

# A valid value per column, so that each test's one wrong field is the wrong one.
VALID = {
    "actors": {"id": "essai-langue", "name_fr": "Essai", "type": "association", "territory": "commune/62498"},
    "projects": {"id": "essai-langue", "title_fr": "Essai", "start": "2024-01-01"},
    "studies": {"id": "essai-langue", "title_fr": "Essai", "status": "planned"},
    "memberships": {"member": "aula", "organization": "euralens", "role": "membre"},
    "observations": {"dataset": "emplois-culture-tourisme", "territory": "commune/62498", "year": "2020", "value": "1"},
}
# A wrong value per kind of check (`kinds.Column.check`); a text's is one past `max_literal_chars`.
WRONG = {
    "id": "Zz Q!",
    "text": "z" * 300,
    "year": "20x4",
    "issued": "2024-13",
    "date": "2024-02-30",
    "decimal": "zz9",
    "ref": "Zzqx Wvut",
    "refs": "Zzqx Wvut",
    "participants": "Zzqx Wvut",
}
FIELDS = [(kind, c) for kind, spec in KINDS.items() for c in spec["columns"]]


class Alerts(HTMLParser):
    """The text of every element with role="alert", and an error page's hint and detail: where the forms
    and the error pages say what is wrong."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.texts = 0, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.depth or a.get("role") == "alert" or a.get("id") in ("error-hint", "error-detail"):
            self.depth += 1
            if self.depth == 1:
                self.texts.append("")

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.texts[-1] += data


def alerts(html: str) -> list[str]:
    reader = Alerts()
    reader.feed(html)
    return [" ".join(t.split()) for t in reader.texts if t.strip()]


def foreign_words(text: str, lang: str) -> set[str]:
    """The other language's words in `text`, quoted values left out (they echo what the user typed)."""
    unquoted = re.sub(r"'[^']*'|\"[^\"]*\"|«[^»]*»|https?://\S+", " ", text)
    return {w for w in re.findall(r"[a-zà-ÿ]+", unquoted.lower())} & OTHER[lang]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("field-errors") / "data", users=USERS, max_literal_chars=200) as c:
        yield c


@pytest.fixture(scope="module")
def partner(app):
    return signed_in(app, "alice")


def submitted(browser, kind: str, values: dict, lang: str):
    singular = kind.rstrip("s") if kind != "studies" else "study"
    return browser.post(f"/contribute/{singular}?lang={lang}", data={**values, "csrf": browser.csrf})


def test_every_message_the_code_says_has_its_french():
    said = {
        found[2]  # (file, line, message, comments, context)
        for folder in ("graph", "service")
        for found in extract_from_dir(ROOT / folder, keywords={"Said": None}, comment_tags=())
    }
    assert said, "no Said(…) found: the extraction's keyword is wrong"
    french = french_templates()
    assert not sorted(said - set(french)), "without French in graph/locale/fr/LC_MESSAGES/problems.po"
    placeholders = re.compile(r"\{[^}]*\}")
    for english in said:
        assert sorted(placeholders.findall(english)) == sorted(placeholders.findall(french[english])), english


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(("kind", "column"), FIELDS, ids=[f"{k}-{c.name}" for k, c in FIELDS])
def test_a_wrong_value_in_each_field_is_said_in_the_pages_language(partner, kind, column, lang):
    values = {**VALID[kind], column.name: WRONG[column.check] if column.check != "text" or column.required else ""}
    if column.check == "text":
        values[column.name] = "" if column.required else WRONG["text"]
    r = submitted(partner, kind, values, lang)
    assert r.status_code == 422, (r.status_code, r.text[:500])
    said = alerts(r.text)
    assert f'id="field-{column.name}-problem"' in r.text or said, r.text[:2000]
    for text in said:
        assert not foreign_words(text, lang), (lang, text, foreign_words(text, lang))
        assert set(re.findall(r"[a-zà-ÿ]+", text.lower())) & SPOKEN[lang], (lang, text)


AUDIENCES = [
    ("visibility", {"visibility": "partout"}),
    ("embargo_until", {"visibility": "embargo", "embargo_until": "2020-01-01"}),
    ("embargo_until", {"visibility": "embargo", "embargo_until": "bientôt"}),
    ("embargo_until", {"visibility": "public", "embargo_until": "2099-01-01"}),
    ("shared_with", {"visibility": "group", "shared_with": "Zz Q"}),
    ("shared_with", {"visibility": "group", "shared_with": "zzqx-wvut"}),
    ("shared_with", {"visibility": "organisations", "shared_with": "Zz Q"}),
    ("shared_with", {"visibility": "organisations", "shared_with": "zzqx-wvut"}),
]


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(("field", "audience"), AUDIENCES, ids=[str(a) for _, a in AUDIENCES])
def test_a_wrong_audience_is_said_in_the_pages_language(partner, field, audience, lang):
    r = submitted(partner, "studies", {**VALID["studies"], **audience}, lang)
    assert r.status_code == 422, r.text[:500]
    said = alerts(r.text)
    assert said, r.text[:2000]
    for text in said:
        assert not foreign_words(text, lang), (lang, text)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_wrong_import_is_said_in_the_pages_language(partner, lang):
    sheet = "id,title_fr,status,year,producer\nZz Q!,,zzqx,20x4,Zzqx Wvut\n,Essai,planned,2024-13,\n"
    r = partner.post(
        f"/import?lang={lang}",
        data={"kind": "studies", "csrf": partner.csrf},
        files={"file": ("etudes.csv", sheet.encode(), "text/csv")},
    )
    assert r.status_code == 422, r.text[:500]
    said = alerts(r.text) + re.findall(r'class="problem">([^<]*)<', r.text)
    assert len(said) >= 3, r.text[:3000]
    for text in said:
        assert not foreign_words(text, lang), (lang, text)


def test_an_api_client_gets_english_unless_it_asks_for_french(app):
    body = {**VALID["studies"], "year": "20x4"}
    headers = bearer(app, "alice")
    english = app.post("/api/contribute/study", json=body, headers=headers).json()["error"]
    assert english["problems"][0]["message"] == (
        "a publication date is a year (2024), a month (2024-03) or a day (2024-03-31), not '20x4'"
    )
    for asked in ({"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8"}, {"Cookie": "lang=fr"}):
        french = app.post("/api/contribute/study", json=body, headers={**headers, **asked}).json()["error"]
        assert french["problems"][0]["message"] == (
            "une date de publication est une année (2024), un mois (2024-03) ou un jour (2024-03-31), pas '20x4'"
        )
        assert french["message"].startswith("1 problème(s) : year: une date"), french
    asked = app.post("/api/contribute/study?lang=fr", json=body, headers={**headers, "Accept-Language": "en"})
    assert "une date" in asked.json()["error"]["problems"][0]["message"]


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture(scope="module")
def facilitator(app):
    return signed_in(app, "fanny")


def annotation_key(app) -> str:
    body = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "motivation": "commenting",
        "body": {"type": "TextualBody", "value": "Essai"},
        "target": "https://w3id.org/pic-euralens/id/study/etat-impacts-2024",
    }
    r = app.post("/annotations/", json=body, headers=bearer(app, "alice"))
    assert r.status_code == 201, r.text
    return r.json()["id"].rsplit("/", 1)[-1]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_other_forms_refusals_are_said_in_the_pages_language(app, partner, facilitator, lang):
    """The forms beyond the contributions': a document that is not one, a form without its CSRF token, a
    sign-in without its password, an annotation hidden without a reason — each a page in the site's frame."""
    answers = [
        partner.post(
            f"/studies/etat-impacts-2024/documents?lang={lang}",
            data={"csrf": partner.csrf},
            files={"file": ("notes.txt", b"zz", "text/plain")},
            headers=BROWSER,
        ),
        partner.post(f"/contribute/study?lang={lang}", data=VALID["studies"], headers=BROWSER),
        TestClient(app.app).post(f"/login?lang={lang}", data={"name": "alice"}, headers=BROWSER),
        facilitator.post(
            f"/annotations/{annotation_key(app)}/hide?lang={lang}", data={"csrf": facilitator.csrf}, headers=BROWSER
        ),
    ]
    for r in answers:
        assert 400 <= r.status_code < 500 and r.headers["content-type"].startswith("text/html"), r.text[:500]
        said = alerts(r.text)
        assert said, r.text[:2000]
        for text in said:
            assert not foreign_words(text, lang), (r.request.url, lang, text)


def test_a_name_lookups_refusal_is_english_for_an_api_client_unless_asked(app):
    """Outside re-test of issue 21, H3: a name no entity has was said in French to every API client."""
    study = {**VALID["studies"], "producer": "Zzqx Wvut"}
    cases = [
        lambda h, q: app.post("/api/contribute/study", params=q, json=study, headers=h),
        lambda h, q: app.get("/api/queries/actor-projects-and-roles", params={**q, "actor": "Zzqx Wvut"}, headers=h),
        lambda h, q: app.get("/maps/cooperation.json", params={**q, "ego": "Zzqx Wvut"}, headers=h),
    ]
    for case in cases:
        for headers, query, lang in (({}, {}, "en"), ({"Accept-Language": "fr"}, {}, "fr"), ({}, {"lang": "fr"}, "fr")):
            r = case({**bearer(app, "alice"), **headers}, query)
            assert r.status_code == 422, r.text
            assert not foreign_words(r.json()["error"]["message"], lang), (lang, r.text)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_unreadable_sheet_is_said_on_the_import_page_in_its_language(partner, lang):
    """Outside re-test of issue 21, M9: Python's words ('utf-8' codec can't decode…) on an error page, the
    form lost; and the kinds of the page named `actors`, `studies` on the French page."""
    r = partner.post(
        f"/import?lang={lang}",
        data={"kind": "studies", "csrf": partner.csrf},
        files={"file": ("etudes.csv", "id;titre\n\xc1\xff;x\n".encode("latin-1"), "text/csv")},
    )
    assert r.status_code == 400 and 'id="import-kind"' in r.text, r.text[:2000]  # the form is still there
    said = alerts(r.text)
    assert said and "codec" not in " ".join(said), said
    for text in said:
        assert not foreign_words(text, lang), (lang, text)
    kinds = {"fr": ">Études</option>", "en": ">Studies</option>"}[lang]
    assert kinds in partner.get(f"/import?lang={lang}").text


def test_an_annotation_clients_refusals_follow_its_accept_language(app):
    """Outside re-test of issue 21, M1: the annotation API answered English whatever was asked."""
    headers = {**bearer(app, "alice"), "Content-Type": "application/ld+json"}
    bad = {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation", "motivation": "shouting"}
    for lang in ("fr", "en"):
        asked = {"Accept-Language": lang}
        missing = app.get("/annotations/nothing-here", headers=asked).json()["error"]["message"]
        wrong = app.post("/annotations/", json=bad, headers={**headers, **asked}).json()["error"]["message"]
        for text in (missing, wrong):
            assert not foreign_words(text, lang), (lang, text)
        assert ("aucune annotation" in missing) == (lang == "fr"), missing


def test_an_annotation_filter_on_a_name_is_refused_not_a_server_error(app):
    """Second outside re-test of issue 21, N1: `?org=Agence d'urbanisme de l'Artois` answered 500."""
    r = app.get("/annotations/", params={"org": "Agence d'urbanisme de l'Artois"}, headers={"Accept-Language": "fr"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "org", r.text
    assert "identifiant" in r.json()["error"]["message"]
