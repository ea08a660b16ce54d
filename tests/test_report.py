"""The annual impact report on the demo: every figure carries its observation and its query, and the query
gives the figure back; missing values show as missing and are listed; the PDF has the figures of the HTML;
the page renders offline in headless Chromium."""

import io
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from pyoxigraph import RdfFormat, parse
from pypdf import PdfReader

from tests.browser import offline_page

PIC = str(Path(sys.executable).with_name("pic"))
QB = "http://purl.org/linked-data/cube#"


class Figures(HTMLParser):
    """The report's figures: every element of class `figure`, with its attributes and text."""

    def __init__(self):
        super().__init__()
        self.found, self._open = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "figure" in (attrs.get("class") or "").split():
            self._open = {**attrs, "tag": tag, "text": ""}

    def handle_data(self, data):
        if self._open is not None:
            self._open["text"] += data

    def handle_endtag(self, tag):
        if self._open is not None and tag == self._open["tag"]:
            self.found.append(self._open)
            self._open = None


def figures_of(html: str) -> list[dict]:
    parser = Figures()
    parser.feed(html)
    return parser.found


@pytest.fixture(scope="module")
def report_html(live_server) -> str:
    r = httpx.get(f"{live_server}/reports/2024", timeout=60)
    assert r.status_code == 200, r.text
    return r.text


def test_every_figure_links_its_observation_and_its_query_which_gives_it_back(live_server, report_html):
    found = figures_of(report_html)
    values = [f for f in found if "missing" not in f["class"]]
    assert len(values) > 30
    answers = {}
    for f in values:
        base = "https://w3id.org/pic-euralens/id/"
        assert f["data-observation"].startswith(f"{base}observation/")
        assert f["href"] == "/id/" + f["data-observation"].removeprefix(base)  # its page here (issue 21, 3)
        query = f["data-query"]
        assert query.startswith(f"{live_server}/api/queries/indicator-figures?")
        if query not in answers:
            rows = httpx.get(query, timeout=30).json()["results"]["bindings"]
            assert len(rows) == 1, query
            answers[query] = rows[0]
        row = answers[query]
        assert row[f["data-column"]]["value"] == f["data-value"], (query, f["data-column"])
        observation_column = {"value": "observation", "baselineValue": "baselineObservation"}.get(f["data-column"])
        if observation_column:
            assert row[observation_column]["value"] == f["data-observation"]


def test_a_missing_value_is_shown_as_missing_never_as_zero_and_listed(live_server, report_html):
    missing = [f for f in figures_of(report_html) if "missing" in f["class"]]
    assert missing and all(f["text"] == "manquant" for f in missing)
    for f in missing:  # the query agrees: nothing bound there
        rows = httpx.get(f["data-query"], timeout=30).json()["results"]["bindings"]
        assert f["data-column"] not in rows[0]
    panel = report_html[report_html.index('id="missing"') :]
    panel = panel[: panel.index("</ul>")]
    assert "Part des entrées gratuites — Lens (2024)" in panel
    assert "Taux de chômage — CA d&#39;Hénin-Carvin (2024)" in panel
    stale = report_html[report_html.index('id="stale"') :]
    assert "Logements miniers rénovés — CA de Lens - Liévin (dernière année 2021)" in stale[: stale.index("</ul>")]


def test_each_indicator_names_its_data_set_publisher_and_studies(report_html):
    assert report_html.count('href="/id/dataset/') >= 6
    assert 'href="/id/actor/plateforme-intelligence-collective"' in report_html
    assert "Série : Fréquentation du Louvre-Lens</a>" in report_html  # the data set's name, not its slug
    assert report_html.count('class="documenting-study"') >= 3


def test_illustrative_figures_are_marked(report_html):
    assert report_html.count('class="illustrative"') > 20
    assert "inventées" in report_html


def test_the_report_renders_offline_in_chromium(live_server):
    with offline_page(live_server) as (page, blocked):
        page.goto(f"{live_server}/reports/2024?lang=en")
        assert "Annual report" in page.inner_text("h1")
        assert page.locator(".chart svg").count() >= 6
        assert page.locator("#gaps table td.gap").count() > 0
        assert page.locator("a.query").first.get_attribute("href").startswith(f"{live_server}/workbench?saved=")
        assert blocked == [], blocked


def test_years_page_csv_and_data_cube_slices(live_server, report_html):
    years = httpx.get(f"{live_server}/reports", timeout=30)
    assert years.status_code == 200 and 'href="/reports/2024?lang=fr"' in years.text
    table = httpx.get(f"{live_server}/reports/2024.csv", timeout=60).text.splitlines()
    shown_rows = len(re.findall(r'data-column="value"', report_html))
    assert table[0].startswith("question,indicator,territory,year,value") and len(table) == shown_rows + 1
    ttl = httpx.get(f"{live_server}/reports/2024.ttl", timeout=60)
    quads = list(parse(ttl.content, RdfFormat.TURTLE))
    slices = {q.subject for q in quads if q.predicate.value == f"{QB}sliceStructure"}
    observations = {q.object for q in quads if q.predicate.value == f"{QB}observation"}
    assert len(slices) >= 5 and len(observations) == len(
        [f for f in figures_of(report_html) if f.get("data-column") == "value" and "missing" not in f["class"]]
    )
    assert httpx.get(f"{live_server}/reports/1999", timeout=30).status_code == 404


def test_pic_report_writes_html_and_pdf_with_the_same_figures(live_server, tmp_path, report_data_dir):
    result = subprocess.run(
        [PIC, "report", "2024", "--out-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        env={"PIC_DATA_DIR": str(report_data_dir), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "etat-impacts-2024.html").read_text(encoding="utf-8")
    pdf = PdfReader(io.BytesIO((tmp_path / "etat-impacts-2024.pdf").read_bytes()))
    text = re.sub(r"\s", "", "".join(page.extract_text() for page in pdf.pages))
    shown = [re.sub(r"\s", "", f["text"]) for f in figures_of(html)]
    assert len(shown) > 30
    absent = [s for s in shown if s not in text]
    assert absent == [], absent


@pytest.fixture(scope="module")
def report_data_dir(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("report") / "data"
    subprocess.run(
        [PIC, "init", "--demo"],
        env={"PIC_DATA_DIR": str(data), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
        timeout=300,
    )
    return data


def test_the_downloaded_report_links_its_entities_on_the_server_that_made_it(live_server):
    """A standalone file is opened from the disk: its links to the instance's entities are their pages on
    the server that made it, not the instance's IRIs (issue 21, 3)."""
    html = httpx.get(f"{live_server}/reports/2024.html", timeout=60).text
    assert html.count(f'href="{live_server}/id/dataset/') >= 6
    assert 'href="https://w3id.org/' not in html
