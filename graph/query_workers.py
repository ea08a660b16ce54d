"""SPARQL queries run in worker processes, each holding an in-memory replica of the store.

Why processes: a running pyoxigraph query cannot be interrupted in-process (no timeout; signals do not
reach it; an abandoned thread keeps burning a core). A worker past the time limit is killed and
replaced, and the client gets a clear error. Why in memory: pyoxigraph answers 3-4x faster from memory
than from its on-disk RocksDB store; the disk store stays the durable source of truth. The replicas
load a full snapshot (N-Quads) at start and after large or unknown changes, and otherwise follow each
write by applying its delta (what it added and removed, with the changes of the inferred graph): dumping
and reloading 1.1M triples took 10 s + 5 s per write, a delta takes milliseconds. Two workers use both
cores. Each worker also keeps what anonymous readers may read as a replica of its own (replicas.py).
The service awaits a worker on its event loop (`run_async`); pages and reports wait in a thread (`run`).
"""

import asyncio
import contextlib
import itertools
import multiprocessing as mp
import os
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from pyoxigraph import (
    BlankNode,
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
from pic.graph.names import Names
from pic.graph.replicas import Replicas

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
    # The graphs named are exactly those anonymous readers may read: a runner with a replica of them
    # may answer from its union instead (faster; see replicas.py). Others use the lists.
    public: bool = False


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
    triples = triples[:job.max_rows]
    fmt, media = GRAPH_FORMATS[job.graph_format]
    return Answer(serialize(triples, format=fmt), media, "graph", len(triples), truncated,
                  time.perf_counter() - started)


def _worker(conn, snapshot_dir: str, base_iri: str, generation: tuple[int, int]) -> None:
    """Worker loop: keep the replicas at the newest generation, answer jobs one at a time.

    The replicas load as the worker starts, not on its first job: a job sent meanwhile waits in the
    pipe, but a worker started with the service (or replacing a stopped one) is ready before anyone asks.
    """
    replicas = Replicas(Names(base_iri))
    with contextlib.suppress(OSError):  # a newer snapshot replaced it meanwhile: the first job says which
        replicas.catch_up(*generation, Path(snapshot_dir))
    while True:
        message = conn.recv()
        if message is None:
            return
        (base, wanted), job = message
        try:
            if wanted != replicas.generation:
                replicas.catch_up(base, wanted, Path(snapshot_dir))
            store = replicas.full
            if job.public:  # the union of the public replica is the set of graphs the job stands for
                store = replicas.for_anonymous()
            conn.send(("ok", execute(store, job)))
        except QueryFailed as e:
            conn.send(("failed", str(e)))
        except Exception as e:  # report to the parent rather than die silently
            conn.send(("error", f"{type(e).__name__}: {e}"))


class _Slot:
    """One worker process and the pipe to it."""

    def __init__(self, context, snapshot_dir: Path, base_iri: str, generation: tuple[int, int]):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, str(snapshot_dir), base_iri, generation),
                                       daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


MAX_DELTAS = 500  # deltas a replica may have to replay before a new full snapshot is cheaper


def _unpacked(reply) -> Answer:
    status, payload = reply
    if status == "failed":
        raise QueryFailed(payload)
    if status == "error":
        raise RuntimeError(payload)
    return payload


class QueryWorkers:
    """A pool of query processes over snapshots of a store."""

    def __init__(self, store, snapshot_dir: Path, workers: int = 2, timeout: float = 30.0,
                 names: Names | None = None):
        self.store, self.snapshot_dir, self.timeout = store, Path(snapshot_dir), timeout
        self.names = names or Names()
        self.snapshot_dir.mkdir(parents=True, exist_ok=True)
        self._context = mp.get_context("spawn")
        self._lock = threading.Lock()
        self._free: list[_Slot] = []
        self._available = threading.Semaphore(workers)
        self.generation = self.base = 0
        self.snapshot()
        self._free = [self._new_slot() for _ in range(workers)]

    def snapshot(self) -> None:
        """Write the whole store as N-Quads for the replicas (at start, after large or unknown changes)."""
        with self._lock:
            generation = self.generation + 1
            tmp = self.snapshot_dir / f"{generation}.part"
            with tmp.open("wb") as f:
                self.store.dump(f, RdfFormat.N_QUADS)
            tmp.replace(self.snapshot_dir / f"{generation}.nq")
            old = [p for p in self.snapshot_dir.glob("*.nq") if int(p.name.split(".")[0]) < generation]
            self.generation = self.base = generation
        for path in old:
            # A worker may be loading it right now; on Linux the open file stays readable.
            path.unlink(missing_ok=True)

    def follow(self, written) -> None:
        """After a write: its delta for the replicas (a `write_path.Written`, inferences included), or a
        full snapshot when the write does not say what it did."""
        if (written is None or self.generation - self.base >= MAX_DELTAS
                or any(isinstance(t, BlankNode) for q in [*written.added, *written.removed]
                       for t in (q.subject, q.object))):
            self.snapshot()  # blank nodes get new labels in a replica: they cannot be matched by a delta
            return
        with self._lock:
            generation = self.generation + 1
            for kind, quads in (("removed", written.removed), ("added", written.added)):
                tmp = self.snapshot_dir / f"{generation}.{kind}.part"
                with tmp.open("wb") as f:
                    serialize(quads, f, RdfFormat.N_QUADS)
                tmp.replace(self.snapshot_dir / f"{generation}.{kind}.nq")
            self.generation = generation

    def run(self, job: Job, timeout: float | None = None) -> Answer:
        """Run a job, waiting in this thread (pages and reports call it from the threadpool)."""
        self._available.acquire()
        slot = self._take()
        healthy = False
        try:
            slot.conn.send(self._message(job))
            if not slot.conn.poll(self._limit(timeout)):
                raise QueryTimeout(self._timeout_message(timeout))
            reply = slot.conn.recv()
            healthy = True
        finally:
            self._give_back(slot, healthy)
        return _unpacked(reply)

    async def run_async(self, job: Job, timeout: float | None = None) -> Answer:
        """Run a job from the event loop, without a thread hop when a worker is free.

        The hop to the threadpool and back cost ~0.4 ms per request here, more than many saved queries
        take; the worker's pipe is watched by the loop instead. When every worker is busy the job waits
        in a thread, as `run` does, so the loop is never blocked on the semaphore.
        """
        if not self._available.acquire(blocking=False):
            return await asyncio.to_thread(self.run, job, timeout)
        slot = self._take()
        healthy = False
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        try:
            slot.conn.send(self._message(job))
            loop.add_reader(slot.conn.fileno(), lambda: ready.done() or ready.set_result(None))
            try:
                await asyncio.wait_for(ready, self._limit(timeout))
            except TimeoutError:
                raise QueryTimeout(self._timeout_message(timeout)) from None
            finally:
                loop.remove_reader(slot.conn.fileno())
                os.set_blocking(slot.conn.fileno(), True)  # uvloop made it non-blocking
            # The worker sends its answer whole once serialised: reading it takes the pipe's copy time
            # (~10 ms for a 14 MB answer), a pause the loop can afford.
            reply = slot.conn.recv()
            healthy = True
        finally:
            self._give_back(slot, healthy)  # cancelled or failed: the worker may still be busy, replace it
        return _unpacked(reply)

    def _message(self, job: Job) -> tuple:
        """What the worker gets: the generation to be at, and the job — without its graph lists when it
        is answered from the public replica (thousands of names, one per accepted annotation link, would
        be pickled for nothing)."""
        if job.public:
            job = replace(job, default_graph=None, named_graphs=None)
        return (self.base, self.generation), job

    def _limit(self, timeout: float | None) -> float:
        return self.timeout if timeout is None else timeout

    def _timeout_message(self, timeout: float | None) -> str:
        return f"the query ran past the {self._limit(timeout):g} s limit and was stopped"

    def _new_slot(self) -> _Slot:
        with self._lock:
            generation = (self.base, self.generation)
        return _Slot(self._context, self.snapshot_dir, self.names.base, generation)

    def _take(self) -> _Slot:
        with self._lock:
            return self._free.pop()

    def _give_back(self, slot: _Slot, healthy: bool) -> None:
        if not healthy:
            slot.kill()
            slot = self._new_slot()
        with self._lock:
            self._free.append(slot)
        self._available.release()

    def close(self) -> None:
        with self._lock:
            for slot in self._free:
                with contextlib.suppress(BrokenPipeError, OSError):
                    slot.conn.send(None)
                slot.process.join(2)
                if slot.process.is_alive():
                    slot.kill()
            self._free = []

