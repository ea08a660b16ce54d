"""Erasure of a person (issue 20 §4): after an admin erases the account `zqperson`, its name is found
nowhere — every read path, the history's files, the search index, the side databases, a new backup —
while what it wrote for its organisation stays, the organisation's, under a pseudonym."""

import gzip

import pytest

from pic.graph.installation import backup
from tests.conftest import app_client, bearer, comment

ID = "https://w3id.org/pic-euralens/id/"
USERS = [("zqperson", "partner", "aula"), ("bruno", "partner", "universite-artois")]
ADMIN = {"Authorization": "Bearer admin-token"}
ANNOTATION = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
STUDY = {
    "status": "planned",
    "year": "2024",
    "themes": "culture",
    "territories": "commune/62498",
}


def files_text(folder) -> bytes:
    """Every file under `folder`, gzipped ones decompressed, as bytes."""
    out = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        out.append(gzip.decompress(data) if path.suffix == ".gz" else data)
    return b"\n".join(out)


@pytest.fixture(scope="module")
def erased(tmp_path_factory):
    data = tmp_path_factory.mktemp("erasure") / "data"
    with app_client(data, users=USERS, admin_token="admin-token") as app:
        person, bruno = bearer(app, "zqperson"), bearer(app, "bruno")
        study = {**STUDY, "id": "zqerasestudy", "title_fr": "Étude écrite", "producer": "aula"}
        assert app.post("/api/contribute/study", json=study, headers=person).status_code == 201
        shared = {**STUDY, "id": "zqsharedstudy", "title_fr": "Étude partagée", "producer": "universite-artois"}
        r = app.post("/api/contribute/study", json={**shared, "visibility": "members"}, headers=bruno)
        assert r.status_code == 201, r.text
        assert app.get("/id/study/zqsharedstudy", headers=person).status_code == 200  # in bruno's read log
        r = comment(app, person, f"{ID}study/zqerasestudy", "Une remarque")
        assert r.status_code == 201, r.text
        before = app.get("/api/search", params={"q": "zqperson"}, headers=ADMIN).json()["total"]
        assert b"zqperson" in files_text(data / "history")

        assert app.post("/api/accounts/zqperson/erase", json={"confirm": "zqperson"}, headers=bruno).status_code == 403
        assert app.post("/api/accounts/zqperson/erase", json={}, headers=ADMIN).status_code == 422
        r = app.post("/api/accounts/zqperson/erase", json={"confirm": "zqperson"}, headers=ADMIN)
        assert r.status_code == 200, r.text
        yield app, r.json(), data, person, before


def test_the_name_is_found_on_no_read_path(erased):
    app, done, _, person, _ = erased
    query = (
        "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } "
        "FILTER (CONTAINS(STR(?s), 'zqperson') || CONTAINS(STR(?o), 'zqperson')) }"
    )
    r = app.get("/sparql", params={"query": query}, headers={**ADMIN, "Accept": "application/json"})
    assert r.json()["results"]["bindings"] == []
    assert app.get("/api/search", params={"q": "zqperson"}, headers=ADMIN).json()["total"] == 0
    for path in ("/id/study/zqerasestudy", "/id/study/zqerasestudy?format=json", "/id/study/zqerasestudy.trig"):
        page = app.get(path, headers=ADMIN)
        assert page.status_code == 200 and "zqperson" not in page.text, path
    assert app.get(f"/id/user/{done['pseudonym'].rsplit('/', 1)[-1]}", headers=ADMIN).status_code in (200, 404)
    assert app.get("/api/me", headers=person).status_code == 401  # the account and its tokens are gone
    notes = app.get("/annotations/", params={"target": f"{ID}study/zqerasestudy"}, headers=ADMIN)
    assert "Une remarque" in notes.text and "zqperson" not in notes.text  # kept, under the pseudonym
    log = app.get("/api/read-log", headers=bearer(app, "bruno")).json()["reads"]
    assert log and all(row["reader"] != "zqperson" for row in log)


def test_the_name_is_in_no_file_of_the_data_directory_nor_a_new_backup(erased, tmp_path):
    app, _, data, _, _ = erased
    for folder in ("history",):
        assert b"zqperson" not in files_text(data / folder), folder
    for name in ("search.sqlite", "read-log.sqlite", "accounts.sqlite"):
        assert b"zqperson" not in (data / name).read_bytes(), name


def test_a_new_backup_after_pic_compact_holds_the_name_nowhere(erased, tmp_path):
    """The store's files keep the name's string (Oxigraph never forgets one) until `pic compact` rewrites
    them: restore a backup taken after the erasure, compact it as its operator does, back it up again."""
    from pic.graph.store.embedded import EmbeddedStore

    app, _, data, _, _ = erased
    backup.take(app.app.state.writer, data, tmp_path / "backup")
    backup.restore(tmp_path / "backup", tmp_path / "restored")
    store = EmbeddedStore(tmp_path / "restored")
    assert store.rebuild() > 0
    # a fresh store holds the strings of the statements copied into it, and no others; its files are
    # compressed, so the bytes alone would prove little (they did show the name before `rebuild`)
    text = "\n".join(str(q) for q in store.quads())
    assert "zqperson" not in text and "zqerasestudy" in text  # what it wrote for aula stays
    assert b"zqperson" not in files_text(tmp_path / "restored")
    store.close()
