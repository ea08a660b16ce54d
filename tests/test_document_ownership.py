"""An organisation's upload never changes what another organisation's document says (issue 16, outside
re-test finding 6): documents were named by their checksum alone, so cd62 uploading the bytes of aula's
document under another name renamed aula's document on aula's study page and in its download's file name.
Each organisation's upload is its own document now; the file on disk stays shared by checksum, and
cd62 removing its document leaves aula's file in place."""

import pytest

from tests.conftest import app_client, bearer, word_file

ID = "https://w3id.org/pic-euralens/id/"
DATA = word_file("Diagnostic partagé des friches minières, version remise au comité.")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("document-ownership") / "data") as c:
        for who, key in (("alice", "etude-aula-friches"), ("bruno", "etude-cd62-friches")):
            r = c.post(
                "/api/contribute/study",
                headers=bearer(c, who),
                json={"id": key, "title_fr": f"Étude {key}", "status": "published", "year": "2026"},
            )
            assert r.status_code == 201, r.text
        yield c


def upload(app, who: str, key: str, name: str) -> dict:
    r = app.post(f"/api/studies/{key}/documents", headers=bearer(app, who), files={"file": (name, DATA)})
    assert r.status_code == 201, r.text
    return r.json()


def documents_section(app, key: str) -> str:
    page = app.get(f"/id/study/{key}").text
    assert 'id="section-documents"' in page, page
    return page.split('id="section-documents"')[1].split("</section>")[0]


def test_the_same_file_uploaded_by_another_organisation_renames_nothing_of_the_first(app):
    aula = upload(app, "alice", "etude-aula-friches", "diagnostic-aula.docx")
    cd62 = upload(app, "bruno", "etude-cd62-friches", "copie-cd62.docx")
    assert aula["sha256"] == cd62["sha256"]  # the same bytes: one file on disk
    # aula's study page and download still say aula's name, and only it
    section = documents_section(app, "etude-aula-friches")
    assert "diagnostic-aula.docx" in section and "copie-cd62.docx" not in section, section
    download = app.get(aula["file"])
    assert download.status_code == 200, download.text
    assert "diagnostic-aula.docx" in download.headers["content-disposition"], download.headers
    assert "copie-cd62" not in download.headers["content-disposition"], download.headers
    assert download.content == DATA
    assert aula["document"] != cd62["document"], "each organisation's upload is its own document"
    # cd62's is named as cd62 named it
    assert "copie-cd62.docx" in app.get(cd62["file"]).headers["content-disposition"]
    assert "copie-cd62.docx" in documents_section(app, "etude-cd62-friches")
    # cd62 removes its document: aula's stays, file and text included
    gone = app.delete(
        f"/api/studies/etude-cd62-friches/documents/{cd62['document'].rsplit('/', 1)[-1]}", headers=bearer(app, "bruno")
    )
    assert gone.status_code == 204, gone.text
    assert app.get(cd62["file"]).status_code == 404
    again = app.get(aula["file"])
    assert again.status_code == 200 and again.content == DATA, again.text
    assert "Diagnostic partagé" in app.get(aula["text"]).text
    # and cd62 cannot remove aula's document through its own study, nor through aula's
    aula_id = aula["document"].rsplit("/", 1)[-1]
    r = app.delete(f"/api/studies/etude-cd62-friches/documents/{aula_id}", headers=bearer(app, "bruno"))
    assert r.status_code == 404, r.text
    r = app.delete(f"/api/studies/etude-aula-friches/documents/{aula_id}", headers=bearer(app, "bruno"))
    assert r.status_code == 403, r.text
    assert app.get(aula["file"]).status_code == 200
