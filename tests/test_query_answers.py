"""Results written by the engine and cut at the row limit: exact counts at the boundary, every format
a valid document with the same terms as the engine's own serialisation."""

import io

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store, parse_query_results

from pic.graph.engine.jobs import RESULT_FORMATS, Job, execute

QUERY = "SELECT ?s ?o ?missing WHERE { ?s ?p ?o } ORDER BY ?s"


@pytest.fixture(scope="module")
def memory() -> Store:
    store = Store()
    p = NamedNode("http://example.org/p")
    for i in range(10):
        store.add(Quad(NamedNode(f"http://example.org/s{i}"), p, Literal(f'line\n{i}\ttab "quoted"', language="fr")))
    store.add(Quad(BlankNode("b"), p, Literal("3", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer"))))
    return store


@pytest.mark.parametrize(
    ("limit", "rows", "truncated"), [(11, 11, False), (12, 11, False), (10, 10, True), (1, 1, True)]
)
@pytest.mark.parametrize("fmt", ["json", "tsv"])  # TSV is sent as the engine wrote it, without conversion
def test_the_row_limit_is_exact(memory, limit, rows, truncated, fmt):
    answer = execute(memory, Job(QUERY, result_format=fmt, max_rows=limit))
    assert (answer.rows, answer.truncated) == (rows, truncated)
    assert len(list(parse_query_results(answer.body, RESULT_FORMATS[fmt][0]))) == rows


@pytest.mark.parametrize("fmt", sorted(RESULT_FORMATS))
def test_every_format_carries_the_engines_own_terms(memory, fmt):
    answer = execute(memory, Job(QUERY, result_format=fmt))
    own = io.BytesIO()
    memory.query(QUERY).serialize(own, RESULT_FORMATS[fmt][0])
    assert answer.body == own.getvalue()
    assert answer.media_type == RESULT_FORMATS[fmt][1]


def test_a_query_without_variables_keeps_its_one_empty_row(memory):
    answer = execute(memory, Job("SELECT * WHERE { }"))
    assert answer.rows == 1 and not answer.truncated
