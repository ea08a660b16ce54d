"""Upgrade: this version's `pic serve` opens a data directory written by commit 4e6313a, before issue 15
kept private inferences and change records out of the public derived graphs.

The directory is a fixture built once by that commit's own code (tests/fixtures/make_old_data_dir.sh):
the demo, three accounts with API tokens, and, through the old server, alice's (partner, aula) public
study with an uploaded DOCX and an annotation, and a private project and study. `fixture.json` beside it
says who signs in with what and what was written.
"""

import json
import tarfile

import httpx
import pytest
from pyoxigraph import NamedNode, Quad, RdfFormat, parse

from pic.graph.installation.shipped_graphs import canonical, shipped, upgrade
from pic.graph.names import Names
from pic.ontology import ONTOLOGY_FILES, TERRITORY_FILES
from tests.conftest import pic_server

FIXTURE = "old-data-4e6313a.tar.xz"
PIC = "https://w3id.org/pic-euralens/ontology#"
ACTOR = "https://w3id.org/pic-euralens/id/actor/"
COOPERATION = f"SELECT ?g WHERE {{ GRAPH ?g {{ <{ACTOR}aula> <{PIC}cooperatesWith> <{ACTOR}ville-de-lens> }} }}"
NAMES = Names()


@pytest.fixture(scope="module")
def old(tmp_path_factory, request):
    """The old data directory unpacked, served by this version: (url, fixture, data dir, log)."""
    tmp = tmp_path_factory.mktemp("upgrade")
    with tarfile.open(request.path.parent / "fixtures" / FIXTURE) as tar:
        tar.extractall(tmp, filter="data")
    assert not (tmp / "data" / "graph-layout").exists(), "the fixture should be of the old layout"
    fixture = json.loads((tmp / "fixture.json").read_text())
    with pic_server(tmp / "data", [], log=tmp / "serve.log") as (url, _):
        yield url, fixture, tmp / "data", tmp / "serve.log"


def token(fixture, name: str) -> dict:
    return {"Authorization": f"Bearer {fixture['users'][name]['token']}"}


ADMIN = {"Authorization": "Bearer t"}


def rows(url: str, query: str, headers: dict | None = None) -> list[dict]:
    r = httpx.post(
        f"{url}/sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json", **(headers or {})},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return r.json()["results"]["bindings"]


def test_the_graph_layout_is_migrated(old):
    url, fixture, data, log = old
    assert (data / "graph-layout").read_text().strip() == "2"
    # Nothing of the private project is left in the public derived graphs (the old version put there the
    # cooperation its roles imply, and the records of its changes).
    marker = fixture["private_marker"]
    leaks = rows(
        url,
        f"""SELECT ?g ?s ?o WHERE {{ VALUES ?g {{ <{NAMES.inferred.value}> <{NAMES.provenance.value}> }}
      GRAPH ?g {{ ?s ?p ?o FILTER (CONTAINS(STR(?s), "confidenti") || CONTAINS(STR(?o), "confidenti")
                                  || CONTAINS(STR(?o), "{marker}")) }} }}""",
        ADMIN,
    )
    assert not leaks, leaks
    assert [r["g"]["value"] for r in rows(url, COOPERATION, ADMIN)] == [NAMES.graph("private/aula/inferred").value]
    private_changes = rows(
        url,
        f"""SELECT ?c WHERE {{ GRAPH <{NAMES.graph("private/aula/provenance").value}> {{
      ?c <{PIC}touched> <{NAMES.base}{fixture["private_project"]}> }} }}""",
        ADMIN,
    )
    assert len(private_changes) == 1, private_changes
    assert "Traceback" not in log.read_text(), log.read_text()


def test_the_ontology_and_territories_are_this_versions(old):
    url = old[0]
    for graph, files in ((NAMES.ontology, ONTOLOGY_FILES), (NAMES.territories, TERRITORY_FILES)):
        r = httpx.get(f"{url}/rdf-graphs", params={"graph": graph.value}, headers={"Accept": "application/n-triples"})
        assert r.status_code == 200, r.text
        served = [Quad(t.subject, t.predicate, t.object, graph) for t in parse(r.content, RdfFormat.N_TRIPLES)]
        assert canonical(served) == canonical(shipped(graph, files)), graph


def test_accounts_still_sign_in_and_tokens_still_work(old):
    url, fixture, _, _ = old
    with httpx.Client(base_url=url) as browser:
        browser.get("/login")
        r = browser.post(
            "/login",
            data={
                "name": "alice",
                "password": fixture["users"]["alice"]["password"],
                "csrf": browser.cookies["pic_login_csrf"],
            },
        )
        assert r.status_code == 303, r.text
        assert browser.get("/api/me").json()["name"] == "alice"
    project = f"/api/contribute/project/{fixture['private_project'].removeprefix('project/')}"
    assert httpx.get(f"{url}{project}", headers=token(fixture, "alice")).status_code == 200
    for other in (token(fixture, "bruno"), {}):  # another organisation's partner, anonymous
        assert httpx.get(f"{url}{project}", headers=other).status_code == 404
    assert httpx.get(f"{url}/api/me", headers={"Authorization": "Bearer pic_not-a-token"}).status_code == 401


def test_the_old_data_is_served_to_its_readers(old):
    url, fixture, _, _ = old
    alice = token(fixture, "alice")
    assert httpx.get(f"{url}/id/{fixture['public_study']}").status_code == 200
    for private in (fixture["private_project"], fixture["private_study"]):
        assert httpx.get(f"{url}/id/{private}").status_code == 404
        assert httpx.get(f"{url}/id/{private}", headers=alice).status_code == 200
    annotation = httpx.get(f"{url}/annotations/{fixture['annotation']}")
    assert annotation.status_code == 200 and "Quelle année de référence" in annotation.text, annotation.text
    document = fixture["document"].removeprefix(NAMES.base)
    text = httpx.get(f"{url}/id/{document}/text")
    assert text.status_code == 200 and fixture["document_text"] in text.text, text.text
    assert httpx.get(f"{url}/id/{document}/file").content.startswith(b"PK")  # the DOCX itself

    def found(headers):
        return httpx.get(f"{url}/api/search", params={"q": "confidentielle"}, headers=headers).json()["total"]

    assert (found({}), found(alice)) == (0, 1)
    assert rows(url, COOPERATION) == []  # anonymous: the private project's conclusion is not theirs
    assert len(rows(url, COOPERATION, alice)) == 1


def test_a_write_after_the_upgrade(old):
    url, fixture, _, _ = old
    alice = token(fixture, "alice")
    r = httpx.post(
        f"{url}/api/contribute/study",
        headers=alice,
        json={
            "id": "etude-apres-mise-a-jour",
            "title_fr": "Étude après la mise à jour",
            "status": "planned",
            "year": "2027",
            "producer": "aula",
            "visibility": "private",
        },
    )
    assert r.status_code == 201, r.text
    assert httpx.get(f"{url}/id/study/etude-apres-mise-a-jour", headers=alice).status_code == 200
    assert httpx.get(f"{url}/id/study/etude-apres-mise-a-jour").status_code == 404
    recorded = rows(url, f"""SELECT ?g WHERE {{ GRAPH ?g {{ <{r.json()["change"]}> a <{PIC}Change> }} }}""", ADMIN)
    assert [x["g"]["value"] for x in recorded] == [NAMES.graph("private/aula/provenance").value]


def test_an_older_ontology_is_replaced_once(base_writer):
    """The fixture's ontology is this version's (it has not changed since 4e6313a): an older one is made here."""
    writer, graph = base_writer, base_writer.names.ontology
    label = next(q for q in writer.store.quads(graph) if q.predicate.value.endswith("#label"))
    stale = Quad(NamedNode(f"{PIC}RetiredTerm"), label.predicate, label.object, graph)
    writer.store.update(
        f"DELETE DATA {{ GRAPH {graph} {{ {label.subject} {label.predicate} {label.object} }} }} ;"
        f"INSERT DATA {{ GRAPH {graph} {{ {stale.subject} {stale.predicate} {stale.object} }} }}"
    )
    assert upgrade(writer) == [graph]
    assert canonical(list(writer.store.quads(graph))) == canonical(shipped(graph, ONTOLOGY_FILES))
    sources = [
        r["s"].value
        for r in writer.store.query("SELECT ?s WHERE { GRAPH ?g { ?c <http://purl.org/dc/terms/source> ?s } }")
        if "upgrade" in r["s"].value
    ]
    assert sources == [f"upgrade: {graph.value} as this version ships it"]
    assert upgrade(writer) == []  # done once
