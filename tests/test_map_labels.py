"""A map names each node as its owner does (issue 16, outside re-test #3, finding 3): a facilitator wrote
into cd62's graph a label and a title for a demo study ("CLAIMLABEL cd62", "CLAIMTITLE cd62"), and the
study-citations map named the study's node with cd62's label. Another organisation's title for an entity
is its claim (`graph/claims.py`): no node of any map kind is named by one — nor in the JSON, CSV, GEXF
and GraphML exports — and the nodes keep their owner's labels (the demo's)."""

import csv
import io

import pytest

from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
PIC = "https://w3id.org/pic-euralens/ontology#"
KINDS = {
    "citations": "study/",
    "cooperation": "actor/",
    "actor-project": "project/",
    "actor-territory": "territory/",
    "knowledge-flows": "actor/",
}
FORMATS = ("json", "csv", "gexf", "graphml")


def nodes(c, kind: str) -> dict[str, dict]:
    r = c.get(f"/maps/{kind}.json")
    assert r.status_code == 200, r.text
    return {n["id"]: n for n in r.json()["nodes"]}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("map-labels") / "data") as c:
        before = {kind: nodes(c, kind) for kind in KINDS}
        # a node of each kind of entity, from the maps that show it, with its owner's (the demo's) label
        named = {}
        for kind, prefix in KINDS.items():
            iri, node = next((i, n) for i, n in sorted(before[kind].items()) if i.startswith(ID + prefix))
            named.setdefault(iri, node["label"])
        claims = "\n".join(
            f'<{iri}> <http://www.w3.org/2000/01/rdf-schema#label> "CLAIMLABEL cd62"@fr ; '
            f'<http://purl.org/dc/terms/title> "CLAIMTITLE cd62"@fr , "CLAIMTITLE cd62"@en .'
            for iri in named
        )
        r = c.post(
            "/rdf-graphs",
            params={"graph": f"{ID}graph/partner/cd62"},
            content=claims.encode(),
            headers={"Content-Type": "text/turtle", **bearer(c, "fanny")},
        )
        assert r.status_code in (201, 204), r.text
        c.named = named
        yield c


@pytest.mark.parametrize("kind", KINDS)
def test_every_map_names_its_nodes_as_their_owners_do(app, kind):
    shown = nodes(app, kind)
    for iri, label in app.named.items():
        if iri in shown:
            assert shown[iri]["label"] == label, (iri, shown[iri])
            assert "CLAIM" not in shown[iri]["label_en"], (iri, shown[iri])
    assert any(iri in shown for iri in app.named), sorted(shown)[:5]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", ["citations", "cooperation"])
def test_the_map_exports_carry_no_claimed_label(app, kind, fmt):
    r = app.get(f"/maps/{kind}.{fmt}")
    assert r.status_code == 200, r.text
    assert "CLAIMLABEL" not in r.text and "CLAIMTITLE" not in r.text, fmt
    if fmt == "csv":
        labels = {row["iri"]: row["label"] for row in csv.DictReader(io.StringIO(r.text))}
        assert any(labels.get(iri) == label for iri, label in app.named.items()), labels


def test_the_claimants_and_the_owners_members_see_the_owners_labels(app):
    for who in ("alice", "bruno"):
        shown = app.get("/maps/citations.json", headers=bearer(app, who)).json()["nodes"]
        assert not [n for n in shown if "CLAIM" in n["label"] + n["label_en"]], who


def test_a_claimed_actor_type_does_not_retype_a_node(app):
    """Fourth outside re-test, F6: a facilitator curating aula's graph wrote `org:classification
    actor-type/association` for the museum; the cooperation map then typed the museum as an association,
    and the actor-type filter let it through."""
    body = f"<{ID}actor/louvre-lens> <http://www.w3.org/ns/org#classification> <{ID}actor-type/association> ."
    r = app.post(
        "/rdf-graphs",
        params={"graph": f"{ID}graph/partner/aula"},
        content=body.encode(),
        headers={"Content-Type": "text/turtle", **bearer(app, "fanny")},
    )
    assert r.status_code in (201, 204), r.text
    nodes = {n["id"]: n for n in app.get("/maps/cooperation.json").json()["nodes"]}
    assert nodes[f"{ID}actor/louvre-lens"]["type"] == f"{ID}actor-type/culture", nodes[f"{ID}actor/louvre-lens"]
    filtered = app.get("/maps/cooperation.json", params={"actor_type": f"{ID}actor-type/association"}).json()
    assert f"{ID}actor/louvre-lens" not in {n["id"] for n in filtered["nodes"]}


def test_an_empty_label_leaves_the_maps_claims_standing():
    """The maps read rows as CSV, where an empty literal and an unbound value are both empty
    (`networks.run`): a study labelled "" by its owner, which another graph titles, made `claims.claimed`
    build `Literal(None)` — a TypeError, and no claim of any map could be worked out."""
    from pyoxigraph import Literal, NamedNode, Quad, Store

    from pic.graph.names import Names
    from pic.viz.networks import claimed_statements

    names, store = Names(), Store()
    study, title = NamedNode(f"{ID}study/vide"), NamedNode("http://purl.org/dc/terms/title")
    aula = names.partner("aula")
    store.add(Quad(study, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), NamedNode(f"{PIC}Study"), aula))
    store.add(Quad(study, NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), Literal("", language="fr"), aula))
    store.add(Quad(study, title, Literal("Titre de cd62", language="fr"), names.partner("cd62")))
    assert claimed_statements(store, None, names) == [(study, title, Literal("Titre de cd62", language="fr"))]
