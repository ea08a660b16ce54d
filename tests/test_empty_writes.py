"""A write of nothing — a 0-byte file, an empty Graph Store body, a file of prefixes only, a spreadsheet of a
header only, a form left blank — is refused or changes nothing, and never records an empty change in the
provenance graph (issue 17, item 7). Before: a header-only spreadsheet and a statement-less `pic load`
each recorded a change of 0 triples, and a form whose fields were all blank was a 500."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import app_client, bearer

PIC = str(Path(sys.executable).with_name("pic"))
ID = "https://w3id.org/pic-euralens/id/"
ACTIVITIES = "SELECT (COUNT(?c) AS ?n) WHERE { GRAPH ?g { ?c a <http://www.w3.org/ns/prov#Activity> } }"
NOTHING = b"@prefix pic: <https://w3id.org/pic-euralens/ontology#> .\n# rien\n"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("empty") / "data") as client:
        yield client


def changes(client) -> int:
    return int(next(iter(client.app.state.writer.store.query(ACTIVITIES)))["n"].value)


@pytest.mark.parametrize("body", [b"", NOTHING])
@pytest.mark.parametrize(
    "method, graph", [("POST", "partner/aula/nouveau"), ("PUT", "partner/aula/nouveau"), ("POST", "partner/aula")]
)  # a PUT of nothing to aula's empties it
def test_an_empty_graph_store_body_records_nothing(app, method, graph, body):
    r = app.post(
        "/api/contribute/study",
        headers=bearer(app, "alice"),
        json={  # aula's graph holds something
            "id": "etude-existante",
            "title_fr": "Étude existante",
            "status": "planned",
            "year": "2027",
        },
    )
    assert r.status_code in (201, 409), r.text
    before = changes(app)
    r = app.request(
        method,
        "/rdf-graphs",
        params={"graph": f"{ID}graph/{graph}"},
        content=body,
        headers={**bearer(app, "alice"), "Content-Type": "text/turtle"},
    )
    assert r.status_code in (201, 204), r.text
    assert changes(app) == before


@pytest.mark.parametrize(
    "name, content",
    [("vide.csv", b""), ("entete.csv", b"id,title_fr,status,year\n"), ("blanc.csv", b"id,title_fr,status,year\n,,,\n")],
)
def test_a_spreadsheet_without_rows_is_refused(app, name, content):
    before = changes(app)
    r = app.post("/api/import/studies", files={"file": (name, content)}, headers=bearer(app, "alice"))
    assert r.status_code == 422 and not r.json()["written"], r.text
    assert changes(app) == before


def test_a_blank_form_is_refused(app):
    before = changes(app)
    r = app.post(
        "/api/contribute/study", headers=bearer(app, "alice"), json={"id": "", "title_fr": "", "status": "", "year": ""}
    )
    assert r.status_code == 422, r.text
    assert changes(app) == before


def test_an_empty_document_is_refused(app):
    before = changes(app)
    r = app.post(
        "/api/studies/frequentation-habitants-louvre-lens/documents",
        files={"file": ("vide.pdf", b"")},
        headers=bearer(app, "fanny"),
    )
    assert r.status_code == 400, r.text
    assert changes(app) == before


def test_pic_load_of_a_file_without_statements_is_refused(tmp_path):
    env = {**os.environ, "PIC_DATA_DIR": str(tmp_path / "data")}
    nothing = tmp_path / "rien.ttl"
    nothing.write_bytes(NOTHING)
    for more in ([], ["--no-validate"]):  # the write path, and the admin's direct bulk load
        r = subprocess.run(
            [PIC, "load", str(nothing), "--graph", f"{ID}graph/partner/aula", *more],
            env=env,
            capture_output=True,
            text=True,
        )
        assert r.returncode == 1, r.stdout + r.stderr
        assert r.stderr.strip() == f"Error: {nothing}: the file holds no statements: nothing was loaded", r.stderr
    r = subprocess.run([PIC, "query", ACTIVITIES, "-f", "csv"], env=env, capture_output=True, text=True)
    assert r.stdout.split()[1:] == ["0"], r.stdout + r.stderr
