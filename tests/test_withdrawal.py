"""An organisation withdraws its data (issue 20 §3): it leaves the store, the derived graphs, the search
index, the engine copies and the history's content — and a backup taken afterwards, restored, does not
bring it back. The history keeps that the withdrawal happened: who, when, how many triples.

Every text aula writes carries a `zqwd…` marker; universite-artois's data, and its part of an admin's change that
spanned both, carry `zqkeep…` and must stay.
"""

import gzip

import pytest

from pic.graph.installation import backup
from pic.graph.store.embedded import EmbeddedStore
from tests.conftest import app_client, bearer, comment

ID = "https://w3id.org/pic-euralens/id/"
GRAPH = f"{ID}graph/"
USERS = [("alice", "partner", "aula"), ("bruno", "partner", "universite-artois"), ("fanny", "facilitator", "euralens")]
ADMIN = {"Authorization": "Bearer admin-token"}
ANNOTATION = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def study(key: str, text: str, producer: str) -> dict:
    return {
        "id": key,
        "title_fr": f"Étude {text}",
        "abstract_fr": f"Résumé {text}.",
        "status": "planned",
        "year": "2024",
        "producer": producer,
        "themes": "culture",
        "territories": "commune/62498",
    }


def everything(app, headers: dict) -> str:
    """Every statement the reader reads that holds a marker, as one text."""
    query = (
        "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        "FILTER (CONTAINS(STR(?s), 'zq') || CONTAINS(STR(?o), 'zq') || CONTAINS(STR(?g), 'zq')) }"
    )
    r = app.get("/sparql", params={"query": query}, headers={**headers, "Accept": "text/csv"})
    assert r.status_code == 200, r.text
    return r.text


def history_text(folder) -> str:
    texts = []
    for path in sorted(folder.iterdir()):
        if path.is_file():
            data = path.read_bytes()
            texts.append(
                gzip.decompress(data).decode(errors="replace")
                if path.suffix == ".gz"
                else data.decode(errors="replace")
            )
    return "\n".join(texts)


@pytest.fixture(scope="module")
def withdrawn(tmp_path_factory):
    data = tmp_path_factory.mktemp("withdrawal") / "data"
    with app_client(data, users=USERS, admin_token="admin-token") as app:
        alice, bruno = bearer(app, "alice"), bearer(app, "bruno")
        for key, text, visibility in (
            ("zqwdpubix", "zqwdpubtx", "public"),
            ("zqwdsecix", "zqwdsectx", "private"),
            ("zqwdmemix", "zqwdmemtx", "members"),
        ):
            r = app.post(
                "/api/contribute/study", json={**study(key, text, "aula"), "visibility": visibility}, headers=alice
            )
            assert r.status_code == 201, r.text
        # shared with bruno's organisation, then made private: that audience's graph is empty when aula
        # withdraws, and its records, which bruno read, named the study (outside re-test of issue 20, F8)
        moved = {
            **study("zqwdmoveix", "zqwdmovetx", "aula"),
            "visibility": "organisations",
            "shared_with": "universite-artois",
        }
        assert app.post("/api/contribute/study", json=moved, headers=alice).status_code == 201
        private = {**moved, "visibility": "private", "shared_with": None}
        r = app.put("/api/contribute/study/zqwdmoveix", json=private, headers=alice)
        assert r.status_code == 200, r.text
        r = app.post("/api/contribute/study", json=study("zqkeepix", "zqkeeptx", "universite-artois"), headers=bruno)
        assert r.status_code == 201, r.text
        r = comment(app, alice, f"{ID}study/zqkeepix", "Remarque zqwdnotetx")
        assert r.status_code == 201, r.text
        # an admin's change over both organisations' graphs: universite-artois's part stays in its history
        label = "<http://www.w3.org/2000/01/rdf-schema#comment>"
        update = (
            f'INSERT DATA {{ GRAPH <{GRAPH}partner/aula> {{ <{ID}study/zqwdpubix> {label} "zqwdmixedtx"@fr }}'
            f' GRAPH <{GRAPH}partner/universite-artois> {{ <{ID}study/zqkeepix> {label} "zqkeepmixedtx"@fr }} }}'
        )
        r = app.post("/update", data={"update": update}, headers=ADMIN)
        assert r.status_code in (200, 204), r.text
        assert "zqwdsectx" in everything(app, ADMIN) and "zqwdpubtx" in everything(app, {})

        assert (
            app.post("/api/withdraw", json={"org": "aula", "confirm": "aula"}, headers=bruno).status_code == 403
        )  # not his
        assert app.post("/api/withdraw", json={}, headers=alice).status_code == 422  # unconfirmed
        r = app.post("/api/withdraw", json={"confirm": "aula"}, headers=alice)
        assert r.status_code == 200, r.text
        yield app, r.json(), data


def test_the_data_leaves_every_read_path(withdrawn):
    app, done, _ = withdrawn
    assert done["triples"] > 0 and f"{GRAPH}partner/aula" in done["graphs"]
    for headers in (ADMIN, {}, bearer(app, "bruno"), bearer(app, "fanny")):
        text = everything(app, headers)  # the store, inferred and provenance graphs, through the copies
        assert "zqwd" not in text
        assert "zqkeeptx" in text  # universite-artois's study stays
    for who in (ADMIN, bearer(app, "fanny")):
        assert app.get("/api/search", params={"q": "zqwdpubtx"}, headers=who).json()["total"] == 0
        assert app.get("/api/search", params={"q": "zqkeeptx"}, headers=who).json()["total"] == 1
    for key in ("zqwdpubix", "zqwdsecix", "zqwdmemix"):
        assert app.get(f"/id/study/{key}", headers=ADMIN).status_code == 404


def test_the_history_keeps_the_withdrawal_not_the_content(withdrawn):
    app, done, data = withdrawn
    text = history_text(data / "history")
    assert "zqwd" not in text  # no delta file holds aula's content, nor the withdrawal's own
    assert "zqkeepmixedtx" in text  # the admin's change lost aula's part only
    record = (
        "PREFIX pic: <https://w3id.org/pic-euralens/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#> "
        "SELECT ?removed ?who ?at WHERE { GRAPH ?g { ?c pic:removedTriples ?removed ; "
        "prov:wasAssociatedWith ?who ; prov:endedAtTime ?at } }"
    )
    r = app.get(
        "/sparql",
        params={"query": record.replace("?c ", f"<{done['change']}> ")},
        headers={**ADMIN, "Accept": "application/json"},
    )
    rows = r.json()["results"]["bindings"]
    assert rows and int(rows[0]["removed"]["value"]) == done["triples"] and rows[0]["who"]["value"].endswith("/alice")
    # a withdrawn change cannot be replayed
    assert app.post(f"/changes/{done['change'].rsplit('/', 1)[-1]}/revert", headers=ADMIN).status_code in (
        404,
        409,
        422,
    )


def test_a_later_backup_restored_does_not_bring_it_back(withdrawn, tmp_path):
    app, _, data = withdrawn
    writer = app.app.state.writer
    backup.take(writer, data, tmp_path / "backup")
    backup.restore(tmp_path / "backup", tmp_path / "restored")
    store = EmbeddedStore(tmp_path / "restored")
    text = "\n".join(str(q) for q in store.quads())
    assert "zqwd" not in text and "zqkeeptx" in text
    assert "zqwd" not in history_text(tmp_path / "restored" / "history")
    search = (
        (tmp_path / "restored" / "search.sqlite").read_bytes()
        if (tmp_path / "restored" / "search.sqlite").exists()
        else b""
    )
    assert b"zqwd" not in search
