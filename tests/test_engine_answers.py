"""Answers read from the local engine (`oxigraph serve`): cut at the row limit as they arrive, exact at
the boundary, and in every format the same document as the engine in-process writes."""

import re

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Store, parse, parse_query_results, serialize

from pic.graph.engine.jobs import GRAPH_FORMATS, RESULT_FORMATS, Job, QueryFailed, execute
from pic.graph.engine.local import LocalEngine, engine_binary

QUERY = "SELECT ?s ?o ?missing WHERE { ?s ?p ?o FILTER (isIRI(?s)) } ORDER BY ?s"


@pytest.fixture(scope="module")
def memory() -> Store:
    store = Store()
    p = NamedNode("http://example.org/p")
    graph = NamedNode("http://example.org/g")
    for i in range(10):
        store.add(
            Quad(NamedNode(f"http://example.org/s{i}"), p, Literal(f'line\n{i}\ttab "quoted"', language="fr"), graph)
        )
    store.add(
        Quad(BlankNode("b"), p, Literal("3", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer")), graph)
    )
    return store


@pytest.fixture(scope="module")
def engine(memory, tmp_path_factory):
    snapshot = tmp_path_factory.mktemp("engine") / "snapshot.nq"
    with snapshot.open("wb") as f:
        serialize(memory, f, RdfFormat.N_QUADS)
    engine = LocalEngine(engine_binary(), 30)
    engine.load(snapshot)
    yield engine
    engine.close()


@pytest.mark.parametrize(("limit", "rows", "truncated"), [(10, 10, False), (11, 10, False), (9, 9, True), (1, 1, True)])
@pytest.mark.parametrize("fmt", ["json", "tsv"])
def test_the_row_limit_is_exact(engine, limit, rows, truncated, fmt):
    answer = engine.run(Job(QUERY, result_format=fmt, max_rows=limit))
    assert (answer.rows, answer.truncated) == (rows, truncated)
    assert len(list(parse_query_results(answer.body, RESULT_FORMATS[fmt][0]))) == rows


@pytest.mark.parametrize("fmt", sorted(RESULT_FORMATS))
def test_every_format_is_what_the_engine_writes_in_process(engine, memory, fmt):
    answer = engine.run(Job(QUERY, result_format=fmt))
    assert answer.body == execute(memory, Job(QUERY, result_format=fmt)).body
    assert answer.media_type == RESULT_FORMATS[fmt][1]


@pytest.mark.parametrize("fmt", sorted(RESULT_FORMATS))
def test_ask_in_every_format(engine, memory, fmt):
    for query in ("ASK { ?s ?p ?o }", "ASK { ?s ?p 'nothing' }"):
        answer = engine.run(Job(query, result_format=fmt))
        assert answer.kind == "boolean" and answer.body == execute(memory, Job(query, result_format=fmt)).body


@pytest.mark.parametrize("fmt", sorted(GRAPH_FORMATS))
def test_a_graph_answer_is_cut_at_the_limit_in_every_format(engine, fmt):
    answer = engine.run(Job("CONSTRUCT WHERE { ?s ?p ?o }", graph_format=fmt, max_rows=3))
    assert (answer.kind, answer.rows, answer.truncated) == ("graph", 3, True)
    assert len(list(parse(answer.body, GRAPH_FORMATS[fmt][0]))) == 3
    whole = engine.run(Job("CONSTRUCT WHERE { ?s ?p ?o }", graph_format=fmt))
    assert (whole.rows, whole.truncated) == (11, False)
    empty = engine.run(Job("CONSTRUCT WHERE { ?s ?p 'nothing' }", graph_format=fmt))
    assert (empty.rows, empty.truncated, list(parse(empty.body, GRAPH_FORMATS[fmt][0]))) == (0, False, [])


def test_a_query_without_variables_keeps_its_one_empty_row(engine):
    answer = engine.run(Job("SELECT * WHERE { }"))
    assert answer.rows == 1 and not answer.truncated


def test_a_malformed_query_fails_with_its_position(engine):
    with pytest.raises(QueryFailed) as failed:
        engine.run(Job("SELECT ?s WHERE { ?s ?p }"))
    assert re.search(r"\b1:\d+", str(failed.value)), failed.value


def test_the_dataset_is_the_graphs_named(engine):
    named = Job("ASK { ?s ?p ?o }", "json", default_graph=["http://example.org/other"], named_graphs=[])
    assert b"false" in engine.run(named).body
    assert b"true" in engine.run(Job("ASK { ?s ?p ?o }", default_graph=["http://example.org/g"])).body
    nothing = Job("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "tsv", default_graph=[], named_graphs=[])
    assert engine.run(nothing).rows == 0


def test_a_connection_the_engine_dropped_while_idle_is_not_used_again(tmp_path):
    """The engine answers a connection idle past its time limit with an unasked 500, then closes it:
    the next query must not read that as its answer — from a thread or from the event loop."""
    import asyncio
    import time

    snapshot = tmp_path / "snapshot.nq"
    snapshot.write_text('<http://example.org/s> <http://example.org/p> "o" <http://example.org/g> .\n')
    engine = LocalEngine(engine_binary(), 1)
    try:
        engine.load(snapshot)
        engine.http.max_idle = 60  # keep them past the engine's limit, to check what is left
        ask = Job("ASK { ?s ?p ?o }")

        async def twice_from_the_loop():
            first = await engine.run_async(ask)
            await asyncio.sleep(1.5)
            second = await engine.run_async(ask)
            return first.body, second.body

        assert b"true" in engine.run(ask).body
        time.sleep(1.5)
        assert b"true" in engine.run(ask).body
        assert all(b"true" in body for body in asyncio.run(twice_from_the_loop()))
    finally:
        engine.close()


def test_one_kept_connection_serves_query_after_query(engine):
    """A new connection per query cost ~0.3 ms here: more than a small query."""
    import asyncio

    engine.run(Job("ASK { ?s ?p ?o }"))
    kept = list(engine.http._idle)
    assert len(kept) == 1
    engine.run(Job(QUERY))
    asyncio.run(engine.run_async(Job(QUERY)))
    assert engine.http._idle == [(engine.http._idle[0][0], kept[0][1])]  # the same socket, back in the pool
