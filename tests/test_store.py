"""The store interface behaves the same on both backends."""

import io

import pytest
from pyoxigraph import Literal, NamedNode, QueryBoolean, RdfFormat, Variable, parse

from pic.graph.access import User
from pic.graph.store.parsing import parse_bytes

G1 = NamedNode("https://w3id.org/pic-euralens/id/graph/partner/one")
G2 = NamedNode("https://w3id.org/pic-euralens/id/graph/partner/two")
DATA = """<https://w3id.org/pic-euralens/id/test/a> <http://www.w3.org/2000/01/rdf-schema#label> "A"@fr ."""
DATA2 = """<https://w3id.org/pic-euralens/id/test/b> <http://www.w3.org/2000/01/rdf-schema#label> "B"@fr ."""


@pytest.fixture
def two_graphs(writer):
    admin = User("admin", role="admin")
    writer.load(parse_bytes(DATA.encode(), RdfFormat.N_TRIPLES, G1), admin, validate=False)
    writer.load(parse_bytes(DATA2.encode(), RdfFormat.N_TRIPLES, G2), admin, validate=False)
    return writer.store


def labels(result) -> set[str]:
    return {r["l"].value for r in result}


def test_default_graph_is_the_union(two_graphs):
    q = (
        "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l "
        "FILTER(STRSTARTS(STR(?s), 'https://w3id.org/pic-euralens/id/test/')) }"
    )
    assert labels(two_graphs.query(q)) == {"A", "B"}


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?l WHERE { ?s ?p ?l FILTER(isLiteral(?l)) }",
        "SELECT ?l FROM <https://w3id.org/pic-euralens/id/graph/partner/two> WHERE { ?s ?p ?l FILTER(isLiteral(?l)) }",
        "SELECT ?l WHERE { GRAPH ?g { ?s ?p ?l FILTER(isLiteral(?l)) } }",
        "SELECT ?l WHERE { GRAPH <https://w3id.org/pic-euralens/id/graph/partner/two> { ?s ?p ?l } }",
        "SELECT ?l FROM NAMED <https://w3id.org/pic-euralens/id/graph/partner/two> WHERE { GRAPH ?g { ?s ?p ?l } }",
    ],
)
def test_a_restricted_dataset_hides_other_graphs_whatever_the_query_says(two_graphs, query):
    visible = labels(two_graphs.query(query, default_graph=[G1]))
    assert "B" not in visible


def test_parameters_are_bound_as_terms(two_graphs):
    q = "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    rows = list(two_graphs.query(q, substitutions={Variable("l"): Literal("A", language="fr")}))
    assert [r["s"].value for r in rows] == ["https://w3id.org/pic-euralens/id/test/a"]
    hostile = Literal('A"@fr } ?s ?p ?l . { ?s ?p "', language="fr")
    assert list(two_graphs.query(q, substitutions={Variable("l"): hostile})) == []


def test_ask_construct_and_counts(two_graphs):
    ask = two_graphs.query('ASK { ?s ?p "A"@fr }')
    assert isinstance(ask, QueryBoolean) and bool(ask)
    triples = list(two_graphs.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(isLiteral(?o)) }"))
    assert len(triples) >= 2
    assert two_graphs.count(G1) == 1
    assert G1 in two_graphs.graphs() and G2 in two_graphs.graphs()


def test_dump_round_trips(two_graphs):
    buffer = io.BytesIO()
    two_graphs.dump(buffer, RdfFormat.N_QUADS)
    dumped = {str(q) for q in parse(buffer.getvalue(), RdfFormat.N_QUADS)}
    assert dumped == {str(q) for q in two_graphs.quads()}
    one = io.BytesIO()
    two_graphs.dump(one, RdfFormat.TURTLE, G1)
    assert len(list(parse(one.getvalue(), RdfFormat.TURTLE))) == 1


def test_malformed_query_is_a_syntax_error(store):
    with pytest.raises(Exception, match="(?i)syntax|bad|expected|error"):
        store.query("SELECT ?s WHERE { ?s ?p }")
