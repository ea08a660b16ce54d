"""Only http(s) IRIs and the site's own pages become links: a partner who writes `rdfs:seeAlso
<javascript:…>` (in any spelling a browser accepts) sees it shown as text, never as a link a
facilitator could click."""

import re

import pytest
from pyoxigraph import NamedNode, Quad, Store

from pic.graph.access import User
from pic.graph.web_links import web_link
from pic.service.links import page_of
from tests.conftest import app_client

BASE = "https://w3id.org/pic-euralens/id/"
HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "javascript://example.org/%0aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "java%09script:x",
    "urn:x:y",
    "mailto:a@example.org",
    "https:/no-host",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("iri", HOSTILE)
def test_other_schemes_are_not_links(iri):
    assert page_of(iri, BASE) == "" and web_link(iri) == ""


def test_web_and_local_iris_are_links():
    assert page_of("https://example.org/a?b=1", BASE) == "https://example.org/a?b=1"
    assert page_of(BASE + "actor/louvre-lens", BASE) == "/id/actor/louvre-lens"


def test_an_entity_page_shows_a_hostile_iri_as_text(tmp_path):
    with app_client(tmp_path / "data") as client:
        writer = client.app.state.writer
        added = Store()
        subject = NamedNode(BASE + "actor/louvre-lens")
        for iri in ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "vbscript:msgbox(1)"]:
            added.add(
                Quad(
                    subject,
                    NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"),
                    NamedNode(iri),
                    writer.names.partner("euralens"),
                )
            )
        writer.write(added, [], User("admin", "admin"), source="test", validate=False)
        page = client.get("/id/actor/louvre-lens", headers={"Accept": "text/html"}).text
        hrefs = re.findall(r'href="([^"]*)"', page)
        assert not [h for h in hrefs if not (h.startswith(("/", "?", "#", "http://", "https://")))], hrefs
        assert "javascript:alert(1)" in page  # shown, as text


def test_the_report_links_no_hostile_iri(tmp_path):
    """An outside test gave a planned study the IRI `javascript:alert(21)`: the report (page, download, PDF)
    linked to it."""
    with app_client(tmp_path / "data") as client:
        writer = client.app.state.writer
        study = NamedNode("javascript:alert(21)")
        pic = "https://w3id.org/pic-euralens/ontology#"
        added = Store()
        graph = writer.names.partner("euralens")
        from pyoxigraph import Literal

        for p, o in (
            (NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), NamedNode(f"{pic}Study")),
            (NamedNode("http://purl.org/dc/terms/title"), Literal("Étude hostile", language="fr")),
            (NamedNode(f"{pic}studyStatus"), NamedNode(BASE + "study-status/planned")),
            (
                NamedNode(f"{pic}expectedYear"),
                Literal("2027", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#gYear")),
            ),
        ):
            added.add(Quad(study, p, o, graph))
        writer.write(added, [], User("admin", "admin"), source="test", validate=False)
        page = client.get("/reports/2024", headers={"Accept": "text/html"}).text
        assert "Étude hostile" in page
        assert 'href="javascript' not in page.lower()
