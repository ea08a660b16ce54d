"""A document's stored file is found only by a checksum of 64 lowercase hex digits, inside the documents
folder (issue 16, finding 1). The checksum comes from the graph, which partners write: a description
saying `dcterms:identifier "sha256:../../x"`, or an absolute path, or a checksum whose file in the folder
is a link to elsewhere, must not make the download, the text, the study page or the search index read
a file outside the folder."""

import hashlib

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from pic.graph.contributions.documents import document_texts
from pic.graph.store.embedded import EmbeddedStore
from tests.conftest import PARTNERS, app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
DCAT, DCTERMS = "http://www.w3.org/ns/dcat#", "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
MARKER = "zygomorphique"  # a word found nowhere else
STUDY = f"{ID}study/etude-chemins"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The descriptions are put straight into the store between two runs of the server: the write
    paths may refuse them, but what a store holds — however it got there — is what the routes read."""
    root = tmp_path_factory.mktemp("paths")
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"Le mot {MARKER} ne doit jamais sortir.")
    (outside / "secret.pdf").write_bytes(f"%PDF-1.4 {MARKER}".encode())
    with app_client(root / "data", PARTNERS[:1]) as c:
        r = c.post(
            "/api/contribute/study",
            headers=bearer(c, "alice"),
            json={"id": "etude-chemins", "title_fr": "Étude des chemins", "status": "ongoing", "year": "2026"},
        )
        assert r.status_code == 201, r.text
        folder = c.app.state.settings.documents_dir
    folder.mkdir(parents=True, exist_ok=True)
    linked = hashlib.sha256(b"a link to elsewhere").hexdigest()
    for suffix in (".txt", ".pdf"):
        (folder / f"{linked}{suffix}").symlink_to(outside / f"secret{suffix}")
    describe(
        root / "data",
        {
            "relative": "sha256:../../outside/secret",
            "absolute": f"sha256:{outside / 'secret'}",
            "linked": f"sha256:{linked}",
            "upper": f"sha256:{linked.upper()}",
        },
    )
    with app_client(root / "data", users=[]) as c:
        c.tokens = {"alice": c.app.state.accounts.new_token("alice", "tests")}
        yield c


def describe(data_dir, identifiers: dict[str, str]) -> None:
    """One document of the study per identifier, in the study's graph (`graph/partner/aula`)."""
    graph = NamedNode(f"{ID}graph/partner/aula")
    quads = []
    for key, identifier in identifiers.items():
        document = NamedNode(f"{ID}document/{key}")
        quads += [
            Quad(NamedNode(STUDY), NamedNode(f"{DCAT}distribution"), document, graph),
            Quad(
                document,
                NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                NamedNode(f"{DCAT}Distribution"),
                graph,
            ),
            Quad(document, NamedNode(f"{DCTERMS}title"), Literal(f"{key}.pdf"), graph),
            Quad(document, NamedNode(f"{DCTERMS}identifier"), Literal(identifier), graph),
            Quad(document, NamedNode(f"{DCAT}downloadURL"), NamedNode(f"{document.value}/file"), graph),
            Quad(
                document,
                NamedNode(f"{DCAT}mediaType"),
                NamedNode("https://www.iana.org/assignments/media-types/application/pdf"),
                graph,
            ),
            Quad(document, NamedNode(f"{DCAT}byteSize"), Literal("42", datatype=NamedNode(f"{XSD}integer")), graph),
        ]
    store = EmbeddedStore(data_dir)
    try:
        store.update(
            "INSERT DATA { "
            + " ".join(f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in quads)
            + " }"
        )
    finally:
        store.close()


@pytest.mark.parametrize("key", ["relative", "absolute", "linked", "upper"])
@pytest.mark.parametrize("part", ["file", "text"])
def test_a_document_pointing_outside_the_folder_is_not_served(app, key, part):
    for headers in ({}, bearer(app, "alice")):
        r = app.get(f"/id/document/{key}/{part}", headers=headers)
        assert r.status_code == 404, (r.status_code, r.text[:200])
        assert MARKER not in r.text


def test_the_search_index_and_the_study_page_never_read_outside_the_folder(app):
    settings = app.app.state.settings
    texts = document_texts(app.app.state.writer.store, settings.documents_dir)
    assert not [t for t in texts if MARKER in t[2]], texts
    assert app.get("/api/search", params={"q": MARKER}).json()["total"] == 0
    page = app.get("/id/study/etude-chemins")
    assert page.status_code == 200 and MARKER not in page.text
    assert "relative.pdf" in page.text  # the documents are listed (their texts shown): only their files are not
