"""A SPARQL query as the service hands it to a query runner (`Job`), and what comes back (`Answer`).

Runners: `engine.copies.EngineReplicas` (the embedded store: local engines over in-memory copies) and
`remote_queries.RemoteQueries` (a remote engine). `execute` runs a job on a pyoxigraph store in-process
(the CLI, tests). Answers are cut at the job's row limit and written in the client's format.
"""

import contextlib
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    Store,
    parse_query_results,
    serialize,
)

from pic.graph.access import View
from pic.graph.store.formats import GRAPHS, serialized
from pic.graph.store.interface import QueryResult

RESULT_FORMATS = {
    "json": (QueryResultsFormat.JSON, "application/sparql-results+json"),
    "xml": (QueryResultsFormat.XML, "application/sparql-results+xml"),
    "csv": (QueryResultsFormat.CSV, "text/csv; charset=utf-8"),
    "tsv": (QueryResultsFormat.TSV, "text/tab-separated-values; charset=utf-8"),
}
GRAPH_FORMATS = {s.key: (s.rdf_format, s.media_type) for s in GRAPHS}


class QueryTimeout(RuntimeError):
    """The query ran past the time limit and was stopped."""


class QueryFailed(ValueError):
    """The engine refused the query (syntax, evaluation error): carries its message."""


class EngineFailed(RuntimeError):
    """The engine broke, not the query: it answered an error of its own, or an answer that is no answer."""


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
    # Who asked — a user's name, or an address — when a client wrote the query: they wait a while after an
    # engine stopped answering it (`cooldowns.py`). None: the platform's own queries, which never wait.
    sender: str | None = None


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
    extra: dict[str, object] = field(default_factory=dict)


class RowLimitReached(Exception):
    """Raised by a `LineLimit` once it has the lines it needs: the rest of the answer is not read."""


class LineLimit:
    """An answer as it arrives, stopped once it has one line more than it may keep (`keep`: the rows, and
    TSV's header line). SPARQL TSV and N-Triples escape newlines inside terms, so one line is one row or
    one triple. A file-like sink for the engine's serialiser (`write`), and the stream of a local engine's
    reply (`add`): the one row limit of every answer."""

    def __init__(self, keep: int | None = None):
        self.keep, self.lines = keep, 0
        self.chunks: list[bytes] = []

    def add(self, chunk: bytes, stop: bool = True) -> None:
        self.chunks.append(chunk)
        self.lines += chunk.count(b"\n")
        if stop and self.keep is not None and self.lines > self.keep:
            raise RowLimitReached

    def write(self, chunk: bytes | bytearray | memoryview) -> int:
        self.add(bytes(chunk))
        return len(chunk)

    def flush(self) -> None:
        pass

    def text(self) -> bytes:
        return b"".join(self.chunks)

    def cut(self) -> tuple[bytes, bool]:
        """The document cut after the lines it may keep, and whether lines were cut."""
        text = self.text()
        if self.keep is None or self.lines <= self.keep:  # None: nothing came (an empty graph)
            return text, False
        return b"\n".join(text.split(b"\n")[: self.keep]) + b"\n", True


def from_tsv(body: bytes, fmt: QueryResultsFormat) -> bytes:
    """SPARQL results written as TSV (how the engines answer: counted and cut at C speed) in the format
    asked for. A query may build a value longer than a write may hold (CONCAT of CONCATs): past the 8 MiB a
    term may take as pyoxigraph reads it, the conversion fails, a 500 until the twelfth outside re-test (M2)."""
    if fmt == QueryResultsFormat.TSV:
        return body
    try:
        return serialized(parse_query_results(body, QueryResultsFormat.TSV).serialize(format=fmt))
    except MemoryError:
        raise QueryFailed(
            "a value of the answer is too long to be written in this format (over 8 MiB): "
            "ask for text/tab-separated-values, or shorten it"
        ) from None


def execute(store: Store, job: Job) -> Answer:
    """Run one job on a store and serialise its answer (in-process: the CLI, tests)."""
    started = time.perf_counter()
    kwargs: dict[str, Any] = {}
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


def answer(result: QueryResult, job: Job, started: float) -> Answer:
    """Serialise a pyoxigraph query result in the job's format, cut at its row limit."""
    if isinstance(result, QueryBoolean):
        fmt, media = RESULT_FORMATS[job.result_format]
        return Answer(
            serialized(result.serialize(format=fmt)), media, "boolean", 1, False, time.perf_counter() - started
        )
    if isinstance(result, QuerySolutions):
        # The engine writes the rows as TSV (lossless, one row per line, so they can be counted and cut
        # at C speed) and converts them to the format asked for: building the document term by term in
        # Python cost more than many queries themselves. The conversion costs ~4 µs a row (1.2 ms for
        # 320 rows); counting the rows of a JSON document instead means scanning its strings, slower still
        # in Python. Asked for TSV, the rows are the answer.
        sink = LineLimit(job.max_rows + 1)  # the header line, and the rows
        with contextlib.suppress(RowLimitReached):
            result.serialize(sink, QueryResultsFormat.TSV)  # type: ignore[arg-type]  # stubs: IO[bytes]; any write() does
        body, truncated = sink.cut()
        fmt, media = RESULT_FORMATS[job.result_format]
        rows = max(body.count(b"\n") - 1, 0)
        return Answer(from_tsv(body, fmt), media, "solutions", rows, truncated, time.perf_counter() - started)
    triples = list(itertools.islice(result, job.max_rows + 1))
    truncated = len(triples) > job.max_rows
    triples = triples[: job.max_rows]
    graph_fmt, media = GRAPH_FORMATS[job.graph_format]
    return Answer(
        serialized(serialize(triples, format=graph_fmt)),
        media,
        "graph",
        len(triples),
        truncated,
        time.perf_counter() - started,
    )
