"""SPARQL queries run in worker processes, each holding an in-memory replica of the store.

Why processes: a running pyoxigraph query cannot be interrupted in-process (no timeout; signals do not
reach it; an abandoned thread keeps burning a core). A worker past the time limit is killed and
replaced, and the client gets a clear error. Why in memory: pyoxigraph answers 3-4x faster from memory
than from its on-disk RocksDB store; the disk store stays the durable source of truth, and the replicas
are reloaded from a snapshot (N-Quads) taken after each write. Two workers use both cores.
"""

import contextlib
import itertools
import multiprocessing as mp
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

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
    """The query ran past the time limit and its worker was stopped."""


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
        lines = text.split(b"\n")[:-1]  # the document ends with a newline
        truncated = len(lines) > self.limit + 1
        lines = lines[:self.limit + 1]
        return b"\n".join(lines) + b"\n", len(lines) - 1, truncated


def execute(store: Store, job: Job) -> Answer:
    """Run one job on a store and serialise its answer (in the worker, or in-process for tests)."""
    started = time.perf_counter()
    kwargs = {}
    if job.default_graph is not None:
        kwargs["default_graph"] = [NamedNode(g) for g in job.default_graph]
        kwargs["named_graphs"] = [NamedNode(g) for g in (job.named_graphs if job.named_graphs is not None
                                                          else job.default_graph)]
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
        # The engine writes the rows (as TSV, lossless and one row per line, so they can be counted
        # and cut) and converts them: building the document term by term in Python cost more than
        # many queries themselves.
        sink = _TsvRows(job.max_rows)
        with contextlib.suppress(_RowLimitReached):
            result.serialize(sink, QueryResultsFormat.TSV)
        tsv, rows, truncated = sink.rows()
        fmt, media = RESULT_FORMATS[job.result_format]
        body = parse_query_results(tsv, QueryResultsFormat.TSV).serialize(format=fmt)
        return Answer(body, media, "solutions", rows, truncated, time.perf_counter() - started)
    triples = list(itertools.islice(result, job.max_rows + 1))
    truncated = len(triples) > job.max_rows
    triples = triples[:job.max_rows]
    fmt, media = GRAPH_FORMATS[job.graph_format]
    return Answer(serialize(triples, format=fmt), media, "graph", len(triples), truncated,
                  time.perf_counter() - started)


def _worker(conn, snapshot_dir: str) -> None:
    """Worker loop: keep the newest snapshot loaded, answer jobs one at a time."""
    store, generation = Store(), -1
    while True:
        message = conn.recv()
        if message is None:
            return
        wanted, job = message
        try:
            if wanted != generation:
                store = Store()
                path = Path(snapshot_dir) / f"{wanted}.nq"
                if path.exists():
                    store.bulk_load(path=str(path), format=RdfFormat.N_QUADS)
                generation = wanted
            conn.send(("ok", execute(store, job)))
        except QueryFailed as e:
            conn.send(("failed", str(e)))
        except Exception as e:  # report to the parent rather than die silently
            conn.send(("error", f"{type(e).__name__}: {e}"))


class _Slot:
    """One worker process and the pipe to it."""

    def __init__(self, context, snapshot_dir: Path):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, str(snapshot_dir)), daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryWorkers:
    """A pool of query processes over snapshots of a store."""

    def __init__(self, store, snapshot_dir: Path, workers: int = 2, timeout: float = 30.0):
        self.store, self.snapshot_dir, self.timeout = store, Path(snapshot_dir), timeout
        self.snapshot_dir.mkdir(parents=True, exist_ok=True)
        self._context = mp.get_context("spawn")
        self._lock = threading.Lock()
        self._free: list[_Slot] = []
        self._available = threading.Semaphore(workers)
        self.generation = 0
        self.snapshot()
        self._free = [_Slot(self._context, self.snapshot_dir) for _ in range(workers)]

    def snapshot(self) -> None:
        """Write the store as N-Quads for the replicas; call after every write."""
        with self._lock:
            generation = self.generation + 1
            tmp = self.snapshot_dir / f"{generation}.part"
            with tmp.open("wb") as f:
                self.store.dump(f, RdfFormat.N_QUADS)
            tmp.replace(self.snapshot_dir / f"{generation}.nq")
            old = self.snapshot_dir / f"{self.generation}.nq"
            self.generation = generation
        if old.exists() and generation > 1:
            # A worker may be loading it right now; on Linux the open file stays readable.
            old.unlink()

    def run(self, job: Job, timeout: float | None = None) -> Answer:
        limit = self.timeout if timeout is None else timeout
        self._available.acquire()
        with self._lock:
            slot = self._free.pop()
        healthy = True
        try:
            slot.conn.send((self.generation, job))
            if not slot.conn.poll(limit):
                healthy = False
                raise QueryTimeout(f"the query ran past the {limit:g} s limit and was stopped")
            status, payload = slot.conn.recv()
        except (EOFError, BrokenPipeError, OSError):
            healthy = False
            raise
        finally:
            if not healthy:
                slot.kill()
                slot = _Slot(self._context, self.snapshot_dir)
            with self._lock:
                self._free.append(slot)
            self._available.release()
        if status == "failed":
            raise QueryFailed(payload)
        if status == "error":
            raise RuntimeError(payload)
        return payload

    def close(self) -> None:
        with self._lock:
            for slot in self._free:
                with contextlib.suppress(BrokenPipeError, OSError):
                    slot.conn.send(None)
                slot.process.join(2)
                if slot.process.is_alive():
                    slot.kill()
            self._free = []

