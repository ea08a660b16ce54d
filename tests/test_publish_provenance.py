"""A draft made public leaves a public record (issue 16, outside re-test finding 9b): the record of a
change goes to the provenance graph of the narrowest audience of the graphs it changed, so moving a
study from `private/cd62` to `partner/cd62` was recorded in cd62's private records only, and public
readers never learnt who published it, or when. Now `provenance` also says who, when, which public graph
and which entity — and nothing of the private side (`history.public_record`)."""

import csv
import io

import pytest

from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
STUDY = f"{ID}study/brouillon-publie-cd62"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("publish-provenance") / "data") as c:
        yield c


def public_rows(app, query: str) -> list[dict]:
    r = app.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert r.status_code == 200, r.text
    return list(csv.DictReader(io.StringIO(r.text)))


def test_moving_a_draft_to_the_public_graph_is_recorded_in_public(app):
    bruno = bearer(app, "bruno")
    r = app.post(
        "/api/contribute/study",
        headers=bruno,
        json={
            "id": "brouillon-publie-cd62",
            "title_fr": "Brouillon secret du cd62",
            "status": "planned",
            "year": "2027",
            "visibility": "private",
        },
    )
    assert r.status_code == 201, r.text
    fields = app.get("/api/contribute/study/brouillon-publie-cd62", headers=bruno).json()["fields"]
    r = app.put(
        "/api/contribute/study/brouillon-publie-cd62",
        headers=bruno,
        json={**{k: v for k, v in fields.items() if v}, "title_fr": "Étude publiée du cd62", "visibility": "public"},
    )
    assert r.status_code == 200, r.text
    provenance = f"{ID}graph/provenance"
    rows = public_rows(
        app,
        f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX pic: <https://w3id.org/pic-euralens/ontology#>
        SELECT ?change ?who ?when ?graph WHERE {{ GRAPH <{provenance}> {{
          ?change pic:touched <{STUDY}> ; prov:wasAssociatedWith ?who ; prov:startedAtTime ?when ;
                  pic:changedGraph ?graph }} }}""",
    )
    assert [(r["who"], r["graph"]) for r in rows] == [(f"{ID}user/bruno", f"{ID}graph/partner/cd62")], rows
    assert rows[0]["when"][:4].isdigit(), rows
    # nothing of the private side: no private graph, no removed count, no source, no delta, no draft title
    said = public_rows(app, f"SELECT ?p ?o WHERE {{ GRAPH <{provenance}> {{ <{rows[0]['change']}> ?p ?o }} }}")
    text = " ".join(f"{r['p']} {r['o']}" for r in said)
    for secret in ("private/cd62", "removedTriples", "deltaFile", "source", "Brouillon"):
        assert secret not in text, (secret, text)
    # cd62's members still read the full record in their private provenance
    full = app.get(
        "/sparql",
        headers={**bruno, "Accept": "text/csv"},
        params={
            "query": f"""
        SELECT ?g WHERE {{ GRAPH ?g {{ <{rows[0]["change"]}> <http://purl.org/dc/terms/source> ?source }} }}"""
        },
    )
    assert f"{ID}graph/private/cd62/provenance" in full.text, full.text
