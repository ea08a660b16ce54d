"""Study documents: the demo's fictional files, upload (kind read from the bytes, size limit, checksum),
download, extracted text in search, who may add them, and private studies' files kept private."""

import hashlib
import io

import pytest
from fastapi.testclient import TestClient
from odfdo import Document, Paragraph
from pypdf import PdfReader

from pic.ontology.demo.documents import pdf
from tests.conftest import PARTNERS, app_client, bearer, word_file

ID = "https://w3id.org/pic-euralens/id/"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("documents") / "data", PARTNERS[:2], max_document_bytes=200_000) as c:
        for key, visibility in (("etude-aula", "public"), ("etude-aula-privee", "private")):
            r = c.post(
                "/api/contribute/study",
                headers=bearer(c, "alice"),
                json={
                    "id": key,
                    "title_fr": f"Étude {key}",
                    "status": "ongoing",
                    "year": "2026",
                    "visibility": visibility,
                },
            )
            assert r.status_code == 201, r.text
        yield c


def files(app):
    return sorted(p.name for p in app.app.state.settings.documents_dir.iterdir())


def odt_file(text: str) -> bytes:
    d = Document("text")
    d.body.append(Paragraph(text))
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def test_the_demo_studies_carry_fictional_documents(app):
    page = app.get("/id/study/frequentation-habitants-louvre-lens").text
    section = page.split('id="section-documents"')[1].split("</section>")[0]
    link = section.split('href="')[2].split('"')[0]
    assert link.endswith("/file")
    r = app.get(link)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["etag"].strip('"') == hashlib.sha256(r.content).hexdigest()
    text = PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
    assert "fictif" in text.lower() and "Document fictif" in app.get(link.replace("/file", "/text")).text
    hits = app.get("/api/search", params={"q": "paragraphe surligné annoté"}).json()["hits"]
    assert f"{ID}study/frequentation-habitants-louvre-lens" in {h["iri"] for h in hits}
    turtle = app.get("/id/study/frequentation-habitants-louvre-lens.ttl").text
    assert "distribution" in turtle


@pytest.mark.parametrize(
    "name, make",
    [
        ("rapport.pdf", lambda t: pdf("emplois-induits-louvre-lens")),
        ("rapport.docx", word_file),
        ("rapport.odt", odt_file),
    ],
)
def test_a_partner_uploads_a_document_found_by_its_text(app, name, make):
    data = make("Les terrils jumeaux de Loos-en-Gohelle accueillent randonneurs et grimpeurs.")
    r = app.post("/api/studies/etude-aula/documents", files={"file": (name, data)}, headers=bearer(app, "alice"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["sha256"] == hashlib.sha256(data).hexdigest() and body["bytes"] == len(data)
    assert app.get(body["file"]).content == data
    assert r.headers["location"] == body["file"].removesuffix("/file")
    words = "emplois induits" if name.endswith(".pdf") else "terrils jumeaux grimpeurs"
    assert words.split()[0] in app.get(body["text"]).text
    hits = app.get("/api/search", params={"q": words}).json()["hits"]
    assert f"{ID}study/etude-aula" in {h["iri"] for h in hits}
    assert name in app.get("/id/study/etude-aula").text


def test_bad_files_are_refused_and_nothing_is_kept(app):
    before = files(app)
    cases = [
        ("faux.pdf", b"not a pdf at all", 415),
        ("vide.pdf", b"", 400),
        ("casse.pdf", b"%PDF-1.4 broken", 400),
        ("gros.pdf", b"%PDF-" + b"0" * 200_001, 413),
    ]
    for name, data, status in cases:
        r = app.post("/api/studies/etude-aula/documents", files={"file": (name, data)}, headers=bearer(app, "alice"))
        assert r.status_code == status, (name, r.text)
        assert r.json()["error"]["field"] == "file"
    assert files(app) == before
    ok = pdf("emplois-induits-louvre-lens")
    assert app.post("/api/studies/etude-aula/documents", files={"file": ("a.pdf", ok)}).status_code == 401
    r = app.post("/api/studies/etude-aula/documents", files={"file": ("a.pdf", ok)}, headers=bearer(app, "bruno"))
    assert r.status_code == 403
    r = app.post("/api/studies/nope/documents", files={"file": ("a.pdf", ok)}, headers=bearer(app, "alice"))
    assert r.status_code == 404


def test_a_private_studys_documents_stay_private(app):
    data = word_file("Le secret de la mine zorglubienne.")
    r = app.post(
        "/api/studies/etude-aula-privee/documents", files={"file": ("secret.docx", data)}, headers=bearer(app, "alice")
    )
    assert r.status_code == 201, r.text
    body = r.json()
    for headers in ({}, bearer(app, "bruno")):
        assert app.get(body["file"], headers=headers).status_code == 404
        assert app.get(body["text"], headers=headers).status_code == 404
        assert app.get("/api/search", params={"q": "zorglubienne"}, headers=headers).json()["total"] == 0
    assert app.get(body["file"], headers=bearer(app, "alice")).content == data
    assert app.get("/api/search", params={"q": "zorglubienne"}, headers=bearer(app, "alice")).json()["total"] == 1


def test_the_study_page_form_uploads_a_document(app):
    c = TestClient(app.app)
    csrf = c.get("/login").text.split('name="csrf" value="')[1].split('"')[0]
    c.post("/login", data={"name": "alice", "password": "alice-password", "csrf": csrf})
    page = c.get("/id/study/etude-aula").text
    assert 'id="document-upload"' in page
    assert 'id="document-upload"' not in app.get("/id/study/etude-aula").text
    session_csrf = page.split('id="document-upload"')[1].split('name="csrf" value="')[1].split('"')[0]
    r = c.post(
        "/studies/etude-aula/documents",
        data={"csrf": session_csrf},
        files={"file": ("compte-rendu.docx", word_file("Compte rendu de l'atelier du 12 mars."))},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/id/study/etude-aula")
    assert "compte-rendu.docx" in c.get("/id/study/etude-aula").text
    forged = c.post("/studies/etude-aula/documents", files={"file": ("x.docx", word_file("x"))})
    assert forged.status_code == 403
