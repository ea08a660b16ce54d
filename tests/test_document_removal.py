"""Documents' descriptions are the documents API's (issue 16, finding 5): a Graph Store PUT of one's graph
without them keeps them, a DELETE of a graph that holds them waits for them (409), and
`DELETE /api/studies/{key}/documents/{id}` removes a document (its description, then its file)."""

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse, serialize

from tests.conftest import app_client, bearer, word_file

ID = "https://w3id.org/pic-euralens/id/"
PUBLIC, EMBARGO = f"{ID}graph/partner/aula", f"{ID}graph/private/aula/until-2099-01-01"
OURS = f"{ID}document/"
DISTRIBUTION = "http://www.w3.org/ns/dcat#distribution"
TITLE = NamedNode("http://purl.org/dc/terms/title")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("document-removal") / "data") as c:
        for key, visibility in (
            ("etude-rendue", "public"),
            ("etude-voisine", "public"),
            ("etude-sous-embargo", "embargo"),
        ):
            r = c.post(
                "/api/contribute/study",
                headers=bearer(c, "alice"),
                json={
                    "id": key,
                    "title_fr": f"Étude {key}",
                    "status": "ongoing",
                    "year": "2026",
                    "visibility": visibility,
                    **({"embargo_until": "2099-01-01"} if visibility == "embargo" else {}),
                },
            )
            assert r.status_code == 201, r.text
        yield c


def upload(app, key: str, name: str, data: bytes) -> dict:
    r = app.post(f"/api/studies/{key}/documents", headers=bearer(app, "alice"), files={"file": (name, data)})
    assert r.status_code == 201, r.text
    return r.json()


def graph_store(app, method: str, graph: str, body: bytes = b"", who: str = "alice"):
    return app.request(
        method,
        "/rdf-graphs",
        params={"graph": graph},
        content=body,
        headers={"Content-Type": "text/turtle", "Accept": "text/turtle", **bearer(app, who)},
    )


def documents_of(app, key: str) -> str:
    """The study page's documents section ("" when it has none)."""
    page = app.get(f"/id/study/{key}").text
    return page.split('id="section-documents"')[1].split("</section>")[0] if 'id="section-documents"' in page else ""


def files(app) -> set[str]:
    return {p.name for p in app.app.state.settings.documents_dir.iterdir()}


def test_a_put_of_ones_graph_without_its_documents_keeps_them(app):
    done = upload(app, "etude-rendue", "rendu.docx", word_file("Le rapport rendu aux partenaires."))
    read = graph_store(app, "GET", PUBLIC)
    assert read.status_code == 200, read.text
    # the graph edited offline: the documents' lines dropped, a title changed
    study = NamedNode(f"{ID}study/etude-rendue")
    edited = [
        q
        for q in parse(read.content, RdfFormat.TURTLE)
        if q.predicate.value != DISTRIBUTION
        and not q.subject.value.startswith(OURS)
        and (q.subject, q.predicate) != (study, TITLE)
    ]
    edited.append(Quad(study, TITLE, Literal("Étude rendue, revue", language="fr")))
    r = graph_store(app, "PUT", PUBLIC, serialize(edited, format=RdfFormat.TURTLE))
    assert r.status_code == 204, r.text
    assert "rendu.docx" in documents_of(app, "etude-rendue")
    assert "Étude rendue, revue" in app.get("/id/study/etude-rendue").text
    assert app.get(done["file"]).status_code == 200
    # and the graph as it now is, written back, changes nothing
    again = graph_store(app, "GET", PUBLIC).content
    assert graph_store(app, "PUT", PUBLIC, again).status_code == 204
    assert graph_store(app, "POST", PUBLIC, again).status_code == 204, "repeating the documents adds nothing"
    forged = again + f'\n<{done["document"]}> <http://purl.org/dc/terms/title> "autre.docx" .\n'.encode()
    assert graph_store(app, "PUT", PUBLIC, forged).status_code == 403, "a changed description is still refused"
    assert set(parse(graph_store(app, "GET", PUBLIC).content, RdfFormat.TURTLE)) == set(parse(again, RdfFormat.TURTLE))


def test_deleting_a_graph_waits_for_its_documents_which_their_api_removes(app):
    done = upload(app, "etude-sous-embargo", "embargo.docx", word_file("Les chiffres sous embargo de la mine."))
    document = done["document"].rsplit("/", 1)[-1]
    r = graph_store(app, "DELETE", EMBARGO)
    assert r.status_code == 409, r.text
    message = r.json()["error"]["message"]
    assert f"DELETE /api/studies/etude-sous-embargo/documents/{document}" in message, message
    assert graph_store(app, "GET", EMBARGO).status_code == 200
    assert f"{done['sha256']}.docx" in files(app)
    # its way out: the documents API, by the study's organisation
    url = f"/api/studies/etude-sous-embargo/documents/{document}"
    assert app.delete(url).status_code == 401
    assert app.delete(url, headers=bearer(app, "bruno")).status_code == 404  # bruno cannot read the study
    assert app.delete(url.replace(document, "0" * 16), headers=bearer(app, "alice")).status_code == 404
    r = app.delete(url, headers=bearer(app, "alice"))
    assert r.status_code == 204, r.text
    assert app.get(done["file"], headers=bearer(app, "alice")).status_code == 404
    assert not {f for f in files(app) if f.startswith(done["sha256"])}, "the file and its text are deleted"
    assert app.delete(url, headers=bearer(app, "alice")).status_code == 404
    query = (
        "ASK { GRAPH ?g { ?change <http://purl.org/dc/terms/source> ?source } "
        "FILTER (CONTAINS(STR(?g), 'until-2099-01-01/provenance') && CONTAINS(?source, 'removed from')) }"
    )
    changes = app.get(
        "/sparql",
        params={"query": query},
        headers={**bearer(app, "alice"), "Accept": "application/sparql-results+json"},
    )
    assert changes.json()["boolean"], "the removal is recorded like every write"
    assert graph_store(app, "DELETE", EMBARGO).status_code == 204
    assert graph_store(app, "GET", EMBARGO).status_code == 404


def test_a_file_two_studies_share_stays_until_both_let_it_go(app):
    data = word_file("Un compte rendu commun aux deux études.")
    first, second = upload(app, "etude-voisine", "commun.docx", data), upload(app, "etude-rendue", "commun.docx", data)
    assert first["document"] == second["document"]
    url = f"/api/studies/etude-rendue/documents/{first['document'].rsplit('/', 1)[-1]}"
    r = app.delete(url, headers=bearer(app, "bruno"))
    assert r.status_code == 403 and "organisation" in r.json()["error"]["message"], r.text
    assert app.delete(url, headers=bearer(app, "fanny")).status_code == 204  # a facilitator curates public graphs
    assert "commun.docx" not in documents_of(app, "etude-rendue")
    assert "commun.docx" in documents_of(app, "etude-voisine")
    assert app.get(first["file"]).status_code == 200, "the other study of the graph still has it"
    r = app.delete(url.replace("etude-rendue", "etude-voisine"), headers=bearer(app, "alice"))
    assert r.status_code == 204, r.text
    assert "commun.docx" not in documents_of(app, "etude-voisine")
    assert app.get(first["file"]).status_code == 404
    assert not {f for f in files(app) if f.startswith(first["sha256"])}


def sign_in(app, name: str) -> TestClient:
    """A browser signed in as `name`, with its session's CSRF token (`.csrf`)."""
    c = TestClient(app.app)
    csrf = c.get("/login").text.split('name="csrf" value="')[1].split('"')[0]
    c.post("/login", data={"name": name, "password": f"{name}-password", "csrf": csrf})
    c.csrf = c.get("/account").text.split('name="csrf" value="')[1].split('"')[0]
    return c


def described_anywhere(app, document: str) -> bool:
    """In a graph that says things (the change records and conclusions only record or derive them)."""
    ask = (
        f"ASK {{ GRAPH ?g {{ {{ <{document}> ?p ?o }} UNION {{ ?s ?q <{document}> }} }} "
        "FILTER (!REGEX(STR(?g), '(provenance|inferred)$')) }"
    )
    r = app.get(
        "/sparql", params={"query": ask}, headers={**bearer(app, "fanny"), "Accept": "application/sparql-results+json"}
    )
    return r.json()["boolean"]


@pytest.mark.parametrize("door", ["form", "api"])
def test_a_deleted_study_takes_its_documents_with_it(app, door):
    """An outside test: a study deleted through its form left its documents' descriptions in the graph and
    their files in the documents folder. They go in the same write, as the documents API removes them; a
    file another study still has stays."""
    key = f"etude-effacee-{door}"
    r = app.post(
        "/api/contribute/study",
        headers=bearer(app, "alice"),
        json={"id": key, "title_fr": f"Étude effacée ({door})", "status": "ongoing", "year": "2026"},
    )
    assert r.status_code == 201, r.text
    own = upload(app, key, "propre.docx", word_file(f"Le compte rendu propre à l'étude effacée {door}."))
    shared_data = word_file(f"Un compte rendu partagé avec la voisine ({door}).")
    shared = upload(app, key, "partage.docx", shared_data)
    assert upload(app, "etude-voisine", "partage.docx", shared_data)["document"] == shared["document"]
    assert {f"{own['sha256']}.docx", f"{own['sha256']}.txt", f"{shared['sha256']}.docx"} <= files(app)
    if door == "form":
        browser = sign_in(app, "alice")
        r = browser.post(f"/contribute/study/{key}", data={"csrf": browser.csrf, "delete": "1"}, follow_redirects=False)
        assert r.status_code == 303, r.text
    else:
        r = app.delete(f"/api/contribute/study/{key}", headers=bearer(app, "alice"))
        assert r.status_code == 204, r.text
    assert app.get(f"/id/study/{key}").status_code == 404
    assert not described_anywhere(app, own["document"]), "the document's description went with the study"
    assert not {f for f in files(app) if f.startswith(own["sha256"])}, "its file and text are deleted"
    assert app.get(own["file"], headers=bearer(app, "fanny")).status_code == 404
    # the shared one: still the neighbour's, file included
    assert "partage.docx" in documents_of(app, "etude-voisine")
    assert app.get(shared["file"]).status_code == 200
    assert f"{shared['sha256']}.docx" in files(app)
    query = (
        "SELECT ?source WHERE { GRAPH ?g { ?change <http://purl.org/dc/terms/source> ?source } "
        f"FILTER (CONTAINS(?source, 'delete study {ID}study/{key}')) }}"
    )
    rows = app.get(
        "/sparql",
        params={"query": query},
        headers={**bearer(app, "fanny"), "Accept": "application/sparql-results+json"},
    )
    assert len(rows.json()["results"]["bindings"]) == 1, "one write removed the study and its documents"
