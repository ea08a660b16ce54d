"""The standing XSS corpus: script tags, event attributes, `javascript:` and `data:` IRIs, SVG and
mutation payloads and attribute-breaking quotes go into every text field of every form and API (the
contributions of each kind, annotations' bodies, tags, flag and hide reasons, document and spreadsheet
file names and cells, token labels) and as IRIs written through the Graph Store; then Chromium visits every
page that shows them as each role (anonymous, the partner who wrote them, another partner, a facilitator),
and opens the downloaded files (a map's SVG and HTML, the report's HTML).

Each payload sets `window.__xss` if it runs. A page passes when none ran, no payload became an element or
a script, the Content Security Policy had nothing to refuse (a refusal means markup got through the
escaping and only the policy stopped it), and the text is shown as text."""

import csv
import io
import json
import os
from pathlib import Path
from urllib.parse import quote

import docx
import httpx
import pytest
from openpyxl import Workbook

from tests.browser import csp_violations, offline_page, sign_in
from tests.conftest import pic_server

ID = "https://w3id.org/pic-euralens/id/"
SHOWN = "Zarbi <script>window.__xss=1</script>"  # how every page must show the start of the text
P = (
    SHOWN + "<img src=x onerror=window.__xss=2>\"'><svg onload=window.__xss=3>"
    "<svg><script>window.__xss=4</script></svg>'\"><details open ontoggle=window.__xss=5>"
    '<a href="javascript:window.__xss=6">j</a><iframe src="javascript:window.__xss=7"></iframe>'
    "</textarea></title></script><script>window.__xss=8</script><!--<img src=x onerror=window.__xss=9>-->"
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=10>"
    "`${window.__xss=11}` javascript:window.__xss=12 data:text/html,<script>window.__xss=13</script> Zarbi"
)
FILE_P = "Zarbi <img src=x onerror=window.__xss=20>'><svg onload=window.__xss=21>"  # no `/` in a file name
SHORT_P = "Zarbi <img src=x onerror=window.__xss=22>\"'><svg onload=window.__xss=23>"  # 100 characters at most
# The CSV import reads `""` in a quoted cell as the end of the cell (its sniffed dialect has no doublequote),
# so the CSV cells carry the corpus with single quotes only; the XLSX cells carry it whole.
CSV_P = P.replace('"', "'")
B64 = "PHNjcmlwdD53aW5kb3cuX194c3M9MzA8L3NjcmlwdD4="  # <script>window.__xss=30</script>
IRIS = [
    "javascript:window.__xss=31",
    f"data:text/html;base64,{B64}",
    "vbscript:msgbox(32)",
    "javascript:window.__xss=33//https://example.org/",
]
# What a payload that became markup would have made.
PAYLOAD_ELEMENTS = (
    "img[src=x], [onerror], [onload], [ontoggle], iframe, mglyph, a[href^='javascript:' i], "
    "[src^='javascript:' i], [href^='data:' i], [src^='data:text' i], [href^='vbscript:' i]"
)
RAN_SCRIPTS = (
    "Array.from(document.querySelectorAll('script')).filter(s => s.type !== 'application/json'"
    " && s.textContent.includes('__xss')).length"
)
USERS = [("mallory", "partner", "xss"), ("trudy", "partner", "autre"), ("felix", "facilitator", "euralens")]
ROLES = (None, "mallory", "trudy", "felix")  # None: anonymous
EVERYONE, WRITER = set(ROLES), {"mallory", "felix"}  # who reads public data; who reads mallory's private data


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server of its own (the payloads must not reach other tests' data)."""
    with pic_server(tmp_path_factory.mktemp("xss-corpus") / "data", USERS) as (url, tokens):
        write_corpus(url, tokens)
        yield url


def ok(r: httpx.Response) -> httpx.Response:
    assert r.status_code in (200, 201, 204), (r.request.method, str(r.url), r.status_code, r.text[:500])
    return r


def write_corpus(url: str, tokens: dict) -> None:
    def client(name):
        return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {tokens[name]}"}, timeout=60)

    with client("mallory") as mallory, client("felix") as felix:
        write_entities(mallory)
        write_annotations(mallory, felix)


def write_entities(mallory: httpx.Client) -> None:
    # IRIs first: a PUT replaces the whole graph, which the contributions below then add to
    turtle = f"""@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix org: <http://www.w3.org/ns/org#> .
<{ID}actor/xss-gs> a org:FormalOrganization ; rdfs:label {json.dumps(P)}@fr ;
  <http://xmlns.com/foaf/0.1/name> {json.dumps(P)} ; org:classification <{ID}actor-type/association> ;
  rdfs:seeAlso {" , ".join(f"<{iri}>" for iri in IRIS)} ; <http://xmlns.com/foaf/0.1/homepage> <{IRIS[0]}> ."""
    ok(
        mallory.put(
            "/rdf-graphs",
            params={"graph": f"{ID}graph/partner/xss"},
            content=turtle.encode(),
            headers={"Content-Type": "text/turtle"},
        )
    )
    ok(
        mallory.post(
            "/api/contribute/actor",
            json={"id": "xss-acteur", "name_fr": P, "name_en": P, "type": "association", "territory": "commune/62498"},
        )
    )
    ok(
        mallory.post(
            "/api/contribute/actor",
            json={"id": "xss-prive", "name_fr": P, "type": "association", "visibility": "private"},
        )
    )
    ok(
        mallory.post(
            "/api/contribute/project",
            json={
                "id": "xss-projet",
                "title_fr": P,
                "title_en": P,
                "start": "2024-01-01",
                "themes": "culture",
                "participants": "xss-acteur:pilote;louvre-lens:partenaire",
                "territories": "commune/62498",
            },
        )
    )
    ok(
        mallory.post(
            "/api/contribute/study",
            json={
                "id": "xss-etude",
                "title_fr": P,
                "title_en": P,
                "abstract_fr": P,
                "status": "published",
                "year": "2025",
                "producer": "xss-acteur",
                "themes": "culture",
                "territories": "commune/62498",
            },
        )
    )
    ok(
        mallory.post(
            "/api/contribute/membership", json={"member": "xss-acteur", "organization": "louvre-lens", "role": "membre"}
        )
    )
    document = docx.Document()
    document.add_paragraph(P)
    path = Path(os.environ.get("TMPDIR", "/tmp")) / "xss-corpus.docx"
    document.save(path)
    ok(mallory.post("/api/studies/xss-etude/documents", files={"file": (f"{FILE_P}.docx", path.read_bytes())}))
    ok(mallory.post("/api/import/actors", files={"file": (f"{FILE_P}.csv", sheet_csv([["xss-csv", CSV_P]]))}))
    ok(mallory.post("/api/import/actors", files={"file": (f"{FILE_P}.xlsx", sheet_xlsx([["xss-xlsx", P]]))}))


def write_annotations(mallory: httpx.Client, felix: httpx.Client) -> None:
    def annotate(who, body, motivation="commenting", **extra) -> tuple[str, str]:
        """The new annotation's key and IRI."""
        location = ok(
            who.post(
                "/annotations/",
                json={
                    "@context": "http://www.w3.org/ns/anno.jsonld",
                    "type": "Annotation",
                    "motivation": motivation,
                    "body": body,
                    **extra,
                },
            )
        ).headers["location"]
        return location.rsplit("/", 1)[-1], ok(who.get(location)).json()["id"]

    study = f"{ID}study/xss-etude"
    quoted = {"source": study, "selector": {"type": "TextQuoteSelector", "exact": "<img src=x onerror=window.__xss=2>"}}
    comment, comment_iri = annotate(
        mallory,
        [{"type": "TextualBody", "value": P}, {"type": "TextualBody", "value": SHORT_P, "purpose": "tagging"}],
        target=quoted,
    )
    annotate(mallory, {"type": "TextualBody", "value": P}, "replying", target=comment_iri)
    annotate(mallory, {"type": "TextualBody", "value": P}, target=study, **{"pic:visibility": "private"})
    annotate(
        mallory,
        [
            {"type": "TextualBody", "value": P},
            {
                "type": "SpecificResource",
                "source": f"{ID}project/xss-projet",
                "purpose": "linking",
                "pic:relation": "informs",
            },
        ],
        "linking",
        target=study,
    )
    ok(mallory.post(f"/annotations/{comment}/flag", json={"reason": P}))
    hidden, _ = annotate(mallory, {"type": "TextualBody", "value": P}, target=study)
    ok(felix.post(f"/annotations/{hidden}/hide", json={"reason": P}))


def sheet_csv(rows, kind="association") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([["id", "name_fr", "type"], *[[*r, kind] for r in rows]])
    return out.getvalue().encode()


def sheet_xlsx(rows) -> bytes:
    book = Workbook()
    book.active.append(["id", "name_fr", "type"])
    for r in rows:
        book.active.append([*r, "association"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# (path, who must see the text there); every role visits every page.
PAGES = [
    ("/", EVERYONE),
    ("/id/actor/xss-acteur", EVERYONE),
    ("/id/actor/xss-acteur?lang=en", EVERYONE),
    ("/id/actor/xss-gs", EVERYONE),
    ("/id/actor/xss-prive", WRITER),
    ("/id/project/xss-projet", EVERYONE),
    ("/id/study/xss-etude", EVERYONE),
    ("/id/actor/xss-csv", EVERYONE),
    ("/id/actor/xss-xlsx", EVERYONE),
    ("/id/actor/louvre-lens", EVERYONE),
    ("/id/territory/commune/62498", EVERYONE),
    ("/search?q=zarbi", EVERYONE),
    ("/search?q=" + quote(P[:200]), set()),
    ("/maps/actor-project", EVERYONE),
    (f"/maps/cooperation?ego={ID}actor/xss-acteur", EVERYONE),
    ("/maps/cooperation/changes?after=2024", EVERYONE),
    ("/reports/2025", EVERYONE),
    ("/contribute", {"mallory"}),
    ("/contribute/study/xss-etude", WRITER),
    ("/moderation", {"felix"}),
    ("/account", set()),
]
ONLY_FOR = {
    "/id/actor/xss-prive": WRITER,
    "/moderation": {"felix"},
    "/account": {"mallory", "trudy", "felix"},
}  # the others get 404 or 403 there


def check(page, where: str, shows_text: bool) -> None:
    assert page.evaluate("window.__xss") is None, f"a payload ran on {where}"
    assert page.locator(PAYLOAD_ELEMENTS).count() == 0, f"a payload became an element on {where}"
    assert page.evaluate(RAN_SCRIPTS) == 0, f"a payload became a script on {where}"
    assert csp_violations(page) == [], f"the policy refused something on {where}"
    if shows_text:
        assert SHOWN in page.evaluate("document.documentElement.textContent"), f"the text is not shown on {where}"


def visit(page, url: str, path: str, shows_text: bool, wait: str | None = None, refused=False) -> None:
    response = page.goto(url + path, wait_until="load")
    assert (response.status in (401, 403, 404)) if refused else response.status < 400, (path, response.status)
    if wait:
        page.wait_for_selector(wait, timeout=15_000)
    page.wait_for_timeout(100)  # scripts that fill the page after load (annotations, maps)
    check(page, path, shows_text)


def test_the_corpus_is_inert_for_every_role_on_every_page(server):
    with offline_page(server) as (page, blocked):
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for role in ROLES:
            page.context.clear_cookies()
            if role:
                sign_in(page, server, role)
            for path, readers in PAGES:
                refused = role not in ONLY_FOR.get(path, EVERYONE)
                if refused and path in ("/moderation", "/account"):
                    continue  # a sign-in page or a redirect to it
                wait = "#annotations article.annotation" if path == "/id/study/xss-etude" else None
                visit(page, server, path, role in readers, wait, refused)
                if path == "/id/study/xss-etude":
                    assert SHOWN in page.inner_text("#annotations"), f"annotations as {role}"
                if path == "/contribute/study/xss-etude" and role in WRITER:
                    assert page.input_value("#field-title_fr") == P and page.input_value("#field-abstract_fr") == P
            workbench(page, server, role)
        assert blocked == [] and dialogs == [], (blocked, dialogs)


def workbench(page, url: str, role) -> None:
    """The results table of a query whose answers are the payloads, literals and IRIs."""
    page.goto(f"{url}/workbench")
    page.fill(
        "#query",
        "SELECT ?s ?text ?iri WHERE { { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?text "
        "FILTER CONTAINS(?text, 'Zarbi') } UNION { ?s <http://www.w3.org/2000/01/rdf-schema#seeAlso>"
        " ?iri FILTER (!isLiteral(?iri) && !STRSTARTS(STR(?iri), 'http')) } }",
    )
    page.click("#run")
    page.wait_for_selector("#results table td", timeout=15_000)
    check(page, f"the workbench as {role}", True)
    assert "javascript:window.__xss=31" in page.inner_text("#results")


def test_forms_give_the_payload_back_as_text_when_they_refuse_it(server):
    """Every text field of every form, filled with the corpus: the form comes back with its problems and
    the values as the partner typed them, inert; so do the import page's rows and the token label."""
    with offline_page(server) as (page, blocked):
        sign_in(page, server, "mallory")
        for kind in ("actor", "project", "study", "membership", "observation"):
            page.goto(f"{server}/contribute/{kind}")
            fields = page.locator(
                "form.contribute input:not([type=hidden]):not([type=radio]):not([type=date]), form.contribute textarea"
            )
            for i in range(fields.count()):
                fields.nth(i).fill(P)
            page.click("form.contribute button[type=submit] >> nth=0")
            page.wait_for_load_state("load")
            check(page, f"the {kind} form sent back", False)
            assert page.locator("[aria-invalid=true]").count() > 0, kind
            assert P in page.locator("form.contribute input, form.contribute textarea").evaluate_all(
                "fields => fields.map(f => f.value)"
            ), kind
        page.goto(f"{server}/import")
        sheet = Path(os.environ.get("TMPDIR", "/tmp")) / f"{FILE_P}.csv"
        sheet.write_bytes(sheet_csv([["xss-refuse", CSV_P], [CSV_P, CSV_P]], kind=CSV_P))
        page.set_input_files("#import-file", str(sheet))
        page.click("button[name=dry_run]")
        page.wait_for_selector("#import-summary")
        check(page, "the import page's problems", True)
        page.goto(f"{server}/account")
        page.fill("input[name=label]", SHORT_P)
        page.click("form[action='/account/tokens'] button")
        page.wait_for_selector("#new-token")
        check(page, "the account page", False)
        assert blocked == [], blocked


def test_downloaded_maps_and_report_are_inert(server, tmp_path):
    """The files are opened from disk, as their readers would: the SVG drawing, the standalone map and the
    standalone report (each carries its own policy; the test fails on any violation of it)."""
    with offline_page(server) as (page, blocked):
        sign_in(page, server, "felix")
        ego = f"ego={ID}actor/xss-acteur"
        for path, name in (
            (f"/maps/cooperation.html?{ego}", "map.html"),
            ("/maps/actor-project.html", "map2.html"),
            (f"/maps/cooperation.svg?{ego}", "map.svg"),
            ("/reports/2025.html", "report.html"),
        ):
            response = page.request.get(server + path)
            assert response.ok, (path, response.status)
            file = tmp_path / name
            file.write_bytes(response.body())
            page.goto(file.as_uri(), wait_until="load")
            page.wait_for_timeout(300)
            check(page, path, True)
            if name.startswith("map") and name.endswith(".html"):
                assert page.evaluate("window.picMap && window.picMap.nodes.length") > 1, "the map drew"
        page.goto(f"{server}/maps/cooperation.svg?{ego}")  # as served, under the server's policy
        check(page, "the served SVG", True)
        assert blocked == [], blocked
