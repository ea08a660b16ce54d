"""A SPARQL query as the service hands it to a query runner (`Job`), and what comes back (`Answer`).

Runners: `engine.copies.EngineReplicas` (the embedded store: local engines over in-memory copies) and
`remote_queries.RemoteQueries` (a remote engine). `execute` runs a job on a pyoxigraph store in-process
(the CLI, tests). Answers are cut at the job's row limit and written in the client's format.
"""

import contextlib
import itertools
import time
from dataclasses import dataclass, field

from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    parse_query_results,
    serialize,
)

from pic.graph.access import View

RESULT_FORMATS = {
    "json": (QueryResultsFormat.JSON, "application/sparql-results+json"),
    "xml": (QueryResultsFormat.XML, "application/sparql-results+xml"),
    "csv": (QueryResultsFormat.CSV, "text/csv; charset=utf-8"),
    "tsv": (QueryResultsFormat.TSV, "text/tab-separated-values; charset=utf-8"),
}
GRAPH_FORMATS = {
    "ttl": (RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
    "nt": (RdfFormat.N_TRIPLES, "application/n-triples"),
    "jsonld": (RdfFormat.JSON_LD, "application/ld+json"),
    "rdfxml": (RdfFormat.RDF_XML, "application/rdf+xml"),
}


class QueryTimeout(RuntimeError):
    """The query ran past the time limit and was stopped."""


class QueryFailed(ValueError):
    """The engine refused the query (syntax, evaluation error): carries its message."""


@dataclass
class Job:
    query: str
    result_format: str = "json"  # a key of RESULT_FORMATS
    graph_format: str = "ttl"  # a key of GRAPH_FORMATS
    default_graph: list[str] | None = None  # None: union of all graphs
    named_graphs: list[str] | None = None
    max_rows: int = 10_000
    # The graphs named are exactly those anonymous readers may read: a runner with a replica of them
    # may answer from its union instead (faster; see engine/copies.py). Others use the lists.
    public: bool = False


NO_GRAPH = "urn:pic:no-graph"  # names no graph: the way to ask an engine for an empty dataset


def dataset_params(job: Job) -> list[tuple[str, str]]:
    """The SPARQL protocol's dataset parameters for a job, as an engine over HTTP reads them: the union of
    all graphs, else the graphs listed. An empty list must stay empty: the protocol reads "no parameter"
    as "use the query's FROM"."""
    if job.default_graph is None:
        return [("union-default-graph", "true")]
    named = job.named_graphs if job.named_graphs is not None else job.default_graph
    return [
        *(("default-graph-uri", g) for g in job.default_graph or [NO_GRAPH]),
        *(("named-graph-uri", g) for g in named or [NO_GRAPH]),
    ]


def for_reader(job: Job, view: View) -> Job:
    """The job restricted to what a reader may read: the union of all graphs when they may read every
    one, else the list of those they may — marked `public` when it is what anonymous readers read."""
    if view.readable is not None:
        job.default_graph = job.named_graphs = view.readable
        job.public = view.public
    return job


@dataclass
class Answer:
    body: bytes
    media_type: str
    kind: str  # "solutions", "boolean" or "graph"
    rows: int
    truncated: bool
    seconds: float
    extra: dict = field(default_factory=dict)


class _RowLimitReached(Exception):
    """Raised from inside the engine's serialiser to stop it once the row limit is passed."""


class _TsvRows:
    """A file-like sink for the engine's TSV writer that stops it after `limit` rows.

    SPARQL TSV escapes newlines inside terms, so one line is one row (after the header line).
    """

    def __init__(self, limit: int):
        self.limit, self.lines, self.chunks = limit, 0, []

    def write(self, chunk) -> int:
        chunk = bytes(chunk)
        self.chunks.append(chunk)
        self.lines += chunk.count(b"\n")
        if self.lines > self.limit + 1:
            raise _RowLimitReached
        return len(chunk)

    def flush(self) -> None:
        pass

    def rows(self) -> tuple[bytes, int, bool]:
        """The TSV document cut at the limit, its row count, and whether rows were cut."""
        text = b"".join(self.chunks)
        if self.lines <= self.limit + 1:  # the whole document (header line included): nothing to cut
            return text, self.lines - 1, False
        lines = text.split(b"\n")[:-1]  # the document ends with a newline
        truncated = len(lines) > self.limit + 1
        lines = lines[: self.limit + 1]
        return b"\n".join(lines) + b"\n", len(lines) - 1, truncated


def execute(store: Store, job: Job) -> Answer:
    """Run one job on a store and serialise its answer (in-process: the CLI, tests)."""
    started = time.perf_counter()
    kwargs = {}
    if job.default_graph is not None:
        kwargs["default_graph"] = [NamedNode(g) for g in job.default_graph]
        kwargs["named_graphs"] = [
            NamedNode(g) for g in (job.named_graphs if job.named_graphs is not None else job.default_graph)
        ]
    else:
        kwargs["use_default_graph_as_union"] = True
    try:
        return answer(store.query(job.query, **kwargs), job, started)
    except SyntaxError as e:
        raise QueryFailed(f"syntax error: {e}") from None
    except (OSError, RuntimeError, ValueError) as e:
        raise QueryFailed(str(e)) from None


def answer(result, job: Job, started: float) -> Answer:
    """Serialise a pyoxigraph query result in the job's format, cut at its row limit."""
    if isinstance(result, QueryBoolean):
        fmt, media = RESULT_FORMATS[job.result_format]
        return Answer(result.serialize(format=fmt), media, "boolean", 1, False, time.perf_counter() - started)
    if isinstance(result, QuerySolutions):
        # The engine writes the rows as TSV (lossless, one row per line, so they can be counted and cut
        # at C speed) and converts them to the format asked for: building the document term by term in
        # Python cost more than many queries themselves. The conversion costs ~4 µs a row (1.2 ms for
        # 320 rows); counting the rows of a JSON document instead means scanning its strings, slower still
        # in Python. Asked for TSV, the rows are the answer.
        sink = _TsvRows(job.max_rows)
        with contextlib.suppress(_RowLimitReached):
            result.serialize(sink, QueryResultsFormat.TSV)
        body, rows, truncated = sink.rows()
        fmt, media = RESULT_FORMATS[job.result_format]
        if fmt != QueryResultsFormat.TSV:
            body = parse_query_results(body, QueryResultsFormat.TSV).serialize(format=fmt)
        return Answer(body, media, "solutions", rows, truncated, time.perf_counter() - started)
    triples = list(itertools.islice(result, job.max_rows + 1))
    truncated = len(triples) > job.max_rows
    triples = triples[: job.max_rows]
    fmt, media = GRAPH_FORMATS[job.graph_format]
    return Answer(
        serialize(triples, format=fmt), media, "graph", len(triples), truncated, time.perf_counter() - started
    )
