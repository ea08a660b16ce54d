"""Derived data is as private as its least public premise (issue 15, findings 3 and 4), on both backends.

The conclusions of a private project's associations go to its organisation's inferred graph, an
embargoed project's to the embargo's (public on its day), a public project's to the public one; a
change's record goes to the provenance graph of the narrowest audience of the graphs it changed. The
reading rules then keep each derived graph with its readers, and no user writes any of them.
"""

from datetime import date

import pytest
from pyoxigraph import NamedNode, Quad, RdfFormat, Store

from pic.graph import access
from pic.graph.access import ANONYMOUS, User, may_read, may_write
from pic.graph.audiences import default_for, rules_for
from pic.graph.installation.bootstrap import initialise
from pic.graph.names import Names
from pic.graph.store.embedded import EmbeddedStore
from pic.graph.store.parsing import parse_bytes
from pic.graph.writes.path import Writer
from tests.conftest import app_client, bearer

ID = "https://w3id.org/pic-euralens/id/"
PIC = "https://w3id.org/pic-euralens/ontology#"
ALICE = User("alice", role="partner", org="aula")
ADMIN = User("root", role="admin")
ROLES = {
    "anonymous": ANONYMOUS,
    "another partner": User("bruno", role="partner", org="cd62"),
    "owner partner": ALICE,
    "facilitator": User("fanny", role="facilitator", org="euralens"),
    "admin": ADMIN,
}
LATER = "2099-01-01"
PREFIXES = """@prefix pic: <https://w3id.org/pic-euralens/ontology#> .
@prefix actor: <https://w3id.org/pic-euralens/id/actor/> .
@prefix project: <https://w3id.org/pic-euralens/id/project/> .
@prefix assoc: <https://w3id.org/pic-euralens/id/association/> .
@prefix role: <https://w3id.org/pic-euralens/id/role/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def project(slug: str, first: str, second: str) -> str:
    """A project associating two actors (described alongside), in Turtle. Its cooperation is concluded
    on the word of one of the two: the tests name the writer's own actor (`actor/aula`) first."""
    described = "".join(
        f'actor:{a} a org:FormalOrganization ; rdfs:label "{a}"@fr ; foaf:name "{a}" .\n' for a in (first, second)
    )
    return (
        PREFIXES
        + described
        + f"""
project:{slug} a pic:Project ; rdfs:label "{slug}"@fr ; dcterms:title "{slug}"@fr ;
    prov:startedAtTime "2020-01-01T00:00:00"^^xsd:dateTime ;
    prov:qualifiedAssociation assoc:{slug}-1 , assoc:{slug}-2 .
assoc:{slug}-1 a prov:Association ; prov:agent actor:{first} ; prov:hadRole role:pilote .
assoc:{slug}-2 a prov:Association ; prov:agent actor:{second} ; prov:hadRole role:partenaire .
"""
    )


def write(writer, text: str, graph: str, user: User = ALICE):
    staged = parse_bytes(text.encode(), RdfFormat.TURTLE, NamedNode(f"{ID}graph/{graph}"), "test.ttl")
    return writer.load(staged, user)


def cooperating(writer, first: str, second: str) -> set[str]:
    """The graphs that say the two actors cooperate."""
    rows = writer.store.query(
        f"SELECT ?g WHERE {{ GRAPH ?g {{ <{ID}actor/{first}> <{PIC}cooperatesWith> <{ID}actor/{second}> }} }}"
    )
    return {r["g"].value for r in rows}


def mentioning(writer, graph: NamedNode, term: NamedNode) -> list[Quad]:
    """What a graph says with the term as subject or object."""
    return [q for q in writer.store.quads(graph) if term in (q.subject, q.object)]


def test_a_private_projects_cooperation_goes_to_its_organisation_a_public_ones_to_everyone(base_writer):
    write(base_writer, project("secret", "aula", "atelier-b"), "private/aula/main")
    assert cooperating(base_writer, "aula", "atelier-b") == {f"{ID}graph/private/aula/inferred"}
    write(base_writer, project("ouvert", "aula", "atelier-d"), "partner/aula")
    assert cooperating(base_writer, "aula", "atelier-d") == {f"{ID}graph/inferred"}
    # what public premises lead to is said once, in public
    assert cooperating(base_writer, "aula", "atelier-b") == {f"{ID}graph/private/aula/inferred"}
    assert not may_read(ANONYMOUS, f"{ID}graph/private/aula/inferred", base_writer.names)


def test_an_embargoed_projects_cooperation_becomes_public_on_its_day(base_writer, monkeypatch):
    write(base_writer, project("plus-tard", "aula", "atelier-f"), f"private/aula/until-{LATER}")
    inferred = f"{ID}graph/private/aula/until-{LATER}/inferred"
    assert cooperating(base_writer, "aula", "atelier-f") == {inferred}
    assert not may_read(ANONYMOUS, inferred, base_writer.names)
    monkeypatch.setattr(access, "today", lambda: date.fromisoformat(LATER))
    assert may_read(ANONYMOUS, inferred, base_writer.names)
    assert may_read(ANONYMOUS, f"{ID}graph/private/aula/until-{LATER}/provenance", base_writer.names)


def test_removing_a_private_project_removes_its_conclusions(base_writer):
    write(base_writer, project("retire", "aula", "atelier-h"), "private/aula/main")
    graph = NamedNode(f"{ID}graph/private/aula/main")
    assert cooperating(base_writer, "aula", "atelier-h") == {graph.value.replace("/main", "/inferred")}
    base_writer.write(Store(), list(base_writer.store.quads(graph)), ALICE, source="test")
    assert cooperating(base_writer, "aula", "atelier-h") == set()
    assert NamedNode(f"{ID}graph/private/aula/inferred") not in base_writer.store.graphs()


def test_a_large_write_replaces_every_inferred_graph(base_writer):
    """The bulk path (a checkpoint on the embedded store, Graph Store requests on the remote one)."""
    base_writer.store.bulk_threshold = 1
    write(base_writer, project("en-gros", "aula", "atelier-n"), "private/aula/main")
    assert cooperating(base_writer, "aula", "atelier-n") == {f"{ID}graph/private/aula/inferred"}
    graph = NamedNode(f"{ID}graph/private/aula/main")
    base_writer.write(Store(), list(base_writer.store.quads(graph)), ALICE, source="test")
    assert NamedNode(f"{ID}graph/private/aula/inferred") not in base_writer.store.graphs()
    assert cooperating(base_writer, "aula", "atelier-n") == set()


def test_listeners_get_each_inferred_quad_in_its_own_graph(tmp_path):
    """The query copies route the write's delta quad by quad: the conclusions come with their graph."""
    writer = Writer(EmbeddedStore(tmp_path / "data"), Names(), tmp_path / "history")
    initialise(writer)
    seen = []
    writer.listeners.append(seen.append)
    write(writer, project("suivi", "aula", "atelier-p"), "private/aula/main")
    cooperates = NamedNode(f"{PIC}cooperatesWith")
    private = NamedNode(f"{ID}graph/private/aula/inferred")
    assert {q.graph_name for q in seen[-1].added if q.predicate == cooperates} == {private}
    graph = NamedNode(f"{ID}graph/private/aula/main")
    writer.write(Store(), list(writer.store.quads(graph)), ALICE, source="test")
    assert {q.graph_name for q in seen[-1].removed if q.predicate == cooperates} == {private}
    assert not [q for q in seen[-1].added if q.predicate == cooperates]


def test_a_private_writes_record_stays_with_its_organisation(base_writer, names):
    result = write(base_writer, project("discret", "aula", "atelier-j"), "private/aula/main")
    private = NamedNode(f"{ID}graph/private/aula/provenance")
    assert mentioning(base_writer, private, result.change), "the record is in the organisation's provenance"
    assert any(
        q.object == NamedNode(f"{ID}graph/private/aula/main") for q in mentioning(base_writer, private, result.change)
    )
    public = names.provenance
    for term in (
        result.change,
        NamedNode(f"{ID}graph/private/aula/main"),
        NamedNode(f"{ID}project/discret"),
        names.user("alice"),
    ):
        assert mentioning(base_writer, public, term) == [], term


def test_a_write_to_two_organisations_private_graphs_is_recorded_for_facilitators_only(base_writer, names):
    """And a conclusion that needs both organisations' private premises is drawn nowhere."""
    both = parse_bytes(
        project("commun", "aula", "atelier-l").encode(),
        RdfFormat.TURTLE,
        NamedNode(f"{ID}graph/private/aula/main"),
        "test.ttl",
    ).store
    moved = [q for q in both if q.subject == NamedNode(f"{ID}association/commun-2")]
    for q in moved:  # the second association is said by cd62, privately
        both.remove(q)
        both.add(Quad(q.subject, q.predicate, q.object, NamedNode(f"{ID}graph/private/cd62/main")))
    result = base_writer.write(both, [], ADMIN, source="test")
    restricted = NamedNode(f"{ID}graph/restricted/provenance")
    assert mentioning(base_writer, restricted, result.change)
    for graph in (
        names.provenance,
        NamedNode(f"{ID}graph/private/aula/provenance"),
        NamedNode(f"{ID}graph/private/cd62/provenance"),
    ):
        assert mentioning(base_writer, graph, result.change) == [], graph
    assert cooperating(base_writer, "aula", "atelier-l") == set()
    assert [may_read(user, restricted.value, names) for user in ROLES.values()] == [False, False, False, True, True]


def test_who_reads_each_derived_graph(monkeypatch):
    names = Names()
    embargoes = [names.graph(f"private/aula/until-{day}") for day in (LATER, "2020-01-01")]
    rules = {g.value: default_for(g, names) for g in embargoes}  # what their first write wrote
    monkeypatch.setattr(rules_for(names.base), "by_graph", rules)
    readers = {  # graph → anonymous, another partner, owner partner, facilitator, admin
        "private/aula/inferred": [False, False, True, True, True],
        "private/aula/provenance": [False, False, True, True, True],
        f"private/aula/until-{LATER}/inferred": [False, False, True, True, True],
        f"private/aula/until-{LATER}/provenance": [False, False, True, True, True],
        "private/aula/until-2020-01-01/inferred": [True, True, True, True, True],
        "private/aula/until-2020-01-01/provenance": [True, True, True, True, True],
        "restricted/provenance": [False, False, False, True, True],
        "inferred": [True, True, True, True, True],
        "provenance": [True, True, True, True, True],
    }
    found = {graph: [may_read(user, f"{ID}graph/{graph}", names) for user in ROLES.values()] for graph in readers}
    assert found == readers


def test_nobody_writes_a_derived_graph():
    names = Names()
    derived = [
        "inferred",
        "provenance",
        "restricted/provenance",
        "private/aula/inferred",
        "private/aula/provenance",
        f"private/aula/until-{LATER}/inferred",
        f"private/aula/until-{LATER}/provenance",
        "private/cd62/inferred",
        "private/cd62/provenance",
    ]
    writable = [
        (graph, role)
        for graph in derived
        for role, user in ROLES.items()
        if may_write(user, NamedNode(f"{ID}graph/{graph}"), names)
    ]
    assert writable == []
    # while the premises stay writable by their owner
    assert may_write(ALICE, NamedNode(f"{ID}graph/private/aula/main"), names)
    assert may_write(ALICE, NamedNode(f"{ID}graph/private/aula/until-{LATER}"), names)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("derived") / "data", admin_token="admin-token") as c:
        yield c


def test_through_the_service_anonymous_readers_learn_nothing_of_a_private_project(app):
    """The query copies route each derived quad by its graph: SPARQL and pages agree. (In the demo,
    terril-conseil cooperates with nobody.)"""
    fields = {
        "id": "projet-confidentiel",
        "title_fr": "Projet confidentiel",
        "start": "2025-01-15",
        "participants": "aula:pilote;terril-conseil:partenaire",
        "visibility": "private",
    }
    r = app.post("/api/contribute/project", json=fields, headers=bearer(app, "alice"))
    assert r.status_code == 201, r.text
    ask = {"query": f"ASK {{ ?a <{PIC}cooperatesWith> <{ID}actor/terril-conseil> }}"}
    records = {"query": f"SELECT ?c WHERE {{ ?c <{PIC}touched> <{ID}project/projet-confidentiel> }}"}
    json = {"Accept": "application/sparql-results+json"}
    for who in (None, "bruno"):
        headers = {**json, **(bearer(app, who) if who else {})}
        assert app.get("/sparql", params=ask, headers=headers).json()["boolean"] is False, who
        assert app.get("/sparql", params=records, headers=headers).json()["results"]["bindings"] == [], who
        assert "projet-confidentiel" not in app.get("/id/actor/terril-conseil", headers=headers).text, who
    alice = {**json, **bearer(app, "alice")}
    assert app.get("/sparql", params=ask, headers=alice).json()["boolean"] is True
    change = app.get("/sparql", params=records, headers=alice).json()["results"]["bindings"][0]["c"]["value"]
    path = "/id/" + change.removeprefix(ID)
    assert app.get(path).status_code == 404
    assert app.get(path, headers=bearer(app, "alice")).status_code == 200
    page = app.get("/id/project/projet-confidentiel", headers=bearer(app, "alice")).text
    assert "alice" in page.split('id="history"')[1]


def test_where_a_changes_record_goes():
    names = Names()

    def record_of(*paths):
        return names.provenance_for({names.graph(p) for p in paths}).value.removeprefix(f"{ID}graph/")

    assert record_of("partner/aula", "territories") == "provenance"
    assert record_of("partner/aula", "private/aula/main") == "private/aula/provenance"
    assert record_of(f"private/aula/until-{LATER}") == f"private/aula/until-{LATER}/provenance"
    assert record_of("private/aula/main", f"private/aula/until-{LATER}") == "private/aula/provenance"
    assert (
        record_of("private/aula/until-2030-01-01", f"private/aula/until-{LATER}")
        == f"private/aula/until-{LATER}/provenance"
    )  # public once both are
    assert record_of("annotations/aula/group/mobilite") == "private/aula/provenance"
    assert record_of("annotations/aula") == "provenance"
    for mixed in (("private/aula/main", "private/cd62/main"), ("hidden/aula",), ()):
        assert record_of(*mixed) == "restricted/provenance", mixed
