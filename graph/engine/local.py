"""One `oxigraph serve` process holding an in-memory copy of the store, and its answers as `Answer`s.

Why the engine's own server, rather than pyoxigraph in worker processes (the design until 2026-11-26):
on the saved-query mix it answered the heavy queries 10-35% faster than pyoxigraph in-process on this
machine; it stops a query at the time limit itself (`--timeout-s`: the query is cancelled and its core
freed, where a worker had to be killed and its replica reloaded); it serves concurrent queries on every
core from one copy of the data (the workers held one copy each); and a kept-alive socket reaches it in
~0.2 ms. It listens on 127.0.0.1 only, on a free port, and is stopped with the service.

The answers are asked as TSV (SELECT, ASK) or N-Triples (CONSTRUCT, DESCRIBE): one row or triple per
line, so they are counted and cut at the row limit as they arrive, then written in the client's format.
"""

import contextlib
import math
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

from pyoxigraph import RdfFormat, parse, serialize

from pic.graph.engine.http_client import EngineHttp, Reply
from pic.graph.engine.jobs import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    Answer,
    EngineFailed,
    Job,
    LineLimit,
    QueryFailed,
    QueryTimeout,
    RowLimitReached,
    dataset_params,
    from_tsv,
)
from pic.graph.store.formats import BY_KEY, serialized

ACCEPT = "text/tab-separated-values, application/n-triples"
CANCELLED = b"The SPARQL operation has been cancelled"  # what the engine writes when its time limit stops a query
GRACE = 2.0  # seconds past the limit before the client gives up on an engine that did not stop itself
# The stack of each of the engine's answering threads (Rust's RUST_MIN_STACK; 2 MiB by default). The engine
# reads a query's tree recursively: with 2 MiB, 8,000 additions in one BIND, 2,200 objects of one triple
# pattern, a join of 2,000 patterns or 1,000 MINUS overflowed it and the process aborted (eleventh and
# twelfth outside re-tests); with 256 MiB none of them does within the longest query text taken
# (PIC_MAX_QUERY_BYTES). Address space only: a thread's memory grows as deep as its query goes.
ENGINE_STACK_BYTES = 256 * 1024 * 1024


class EngineStuck(QueryTimeout):
    """The engine did not stop a query at its limit (its cancellation is not checked everywhere: a
    three-way join counted over the union of graphs ran on): only stopping its process ends the query."""


class _Lines(LineLimit):
    """A local engine's reply as it arrives, cut at the job's row limit once its first chunk says what it
    is: TSV has a header line, N-Triples none; an error is read whole."""

    def __init__(self, max_rows: int):
        super().__init__()
        self.max_rows = max_rows
        self.reply: Reply | None = None

    def __call__(self, reply: Reply, chunk: bytes) -> None:
        if self.keep is None:
            self.reply = reply
            self.keep = self.max_rows + (0 if "n-triples" in reply.media_type else 1)
        self.add(chunk, stop=reply.status < 400)


def engine_binary() -> str:
    """The `oxigraph` program installed with the service (the `oxigraph` package), else one on the PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.exists() else (shutil.which("oxigraph") or "oxigraph")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def query_request(job: Job) -> tuple[str, bytes, dict[str, str]]:
    """Target, body and headers asking the job's query on its dataset: the union of all graphs (the query
    as it is: encoding it as a form cost ~0.15 ms for a saved query), or the graphs listed, as a form."""
    if job.default_graph is None:
        return "/query?union-default-graph=true", job.query.encode(), QUERY_HEADERS
    return "/query", urlencode([("query", job.query), *dataset_params(job)]).encode(), FORM_HEADERS


QUERY_HEADERS = {"Content-Type": "application/sparql-query", "Accept": ACCEPT}
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded", "Accept": ACCEPT}


def engine_answer(job: Job, reply: Reply, lines: _Lines, started: float, limit: float) -> Answer:
    """The engine's answer in the job's format, or the error it stands for."""
    if reply.status >= 400:
        message = lines.text().decode("utf-8", "replace").strip()
        if reply.status < 500:
            raise QueryFailed(message)
        raise EngineFailed(f"the query engine failed ({reply.status}): {message}")
    body, truncated = lines.cut()
    if not truncated and body and not body.endswith(b"\n") and body not in (b"true", b"false"):
        if body.endswith(CANCELLED):
            raise QueryTimeout(f"the query ran past the {limit:g} s limit and was stopped")
        raise EngineFailed("the query engine's answer ended early")
    seconds = time.perf_counter() - started
    if "n-triples" in reply.media_type:
        triples = [q.triple for q in parse(body, RdfFormat.N_TRIPLES)]
        graph_fmt, graph_media = GRAPH_FORMATS[job.graph_format]
        return Answer(
            serialized(serialize(triples, format=graph_fmt)), graph_media, "graph", len(triples), truncated, seconds
        )
    fmt, media = RESULT_FORMATS[job.result_format]
    if body in (b"true", b"false"):
        return Answer(from_tsv(body, fmt), media, "boolean", 1, False, seconds)
    rows = max(body.count(b"\n") - 1, 0)
    return Answer(from_tsv(body, fmt), media, "solutions", rows, truncated, seconds)


class LocalEngine:
    """One engine process, in memory, on a free port of 127.0.0.1."""

    def __init__(self, binary: str, timeout: float, log: Path | None = None, memory_bytes: int | None = None):
        """`memory_bytes`: the resident memory past which the engine is stopped (its watchdog's exit code then
        says so: `memory_watch.EXIT_OVER_MEMORY`); None, no limit."""
        self.port, self.timeout = _free_port(), timeout
        log_file = log.open("ab") if log else subprocess.DEVNULL
        # Through its watchdog (engine_watchdog.py), which ends it when this process goes, even by SIGKILL;
        # the pipe to the watchdog's standard input stays open as long as this process lives.
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pic.graph.engine.watchdog",
                *(["--memory-bytes", str(memory_bytes)] if memory_bytes else []),
                binary,
                "serve",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout-s",
                str(max(1, math.ceil(timeout))),
            ],
            stdin=subprocess.PIPE,
            stdout=log_file,
            stderr=log_file,
            env={**os.environ, "RUST_MIN_STACK": str(ENGINE_STACK_BYTES)},
        )
        if not isinstance(log_file, int):  # a log file was opened (`log`)
            log_file.close()
        self.http = EngineHttp(self.port, max_idle=timeout / 2)
        self._users, self._retired, self._lock = 0, False, threading.Lock()
        self.closed = False
        self.stop_counted = False  # its ending on its own is counted (`copies.EngineReplicas.stops`)
        self._wait_until_ready()

    def _wait_until_ready(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the query engine stopped as it started (exit code {self.process.returncode})")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.close()
                    raise RuntimeError(f"the query engine did not start within {seconds:g} s") from None
                time.sleep(0.02)

    def load(self, path: Path) -> None:
        """Add an N-Quads file (a snapshot of the store) to the copy."""
        self._write("/store", path, BY_KEY["nq"].media_type)

    def update(self, sparql: str) -> None:
        self._write("/update", sparql.encode(), "application/sparql-update")

    def _write(self, target: str, body: bytes | Path, media_type: str) -> None:
        said: list[bytes] = []
        reply = self.http.post(target, body, {"Content-Type": media_type}, lambda _, chunk: said.append(chunk), 3600)
        if reply.status >= 300:
            raise RuntimeError(f"the query engine refused a change ({reply.status}): {b''.join(said)[:500]!r}")

    def run(self, job: Job, timeout: float | None = None) -> Answer:
        started, limit, lines = time.perf_counter(), timeout or self.timeout, _Lines(job.max_rows)
        with self._in_use():
            try:
                reply = self.http.post(*query_request(job), lines, limit + GRACE)
            except RowLimitReached:
                assert lines.reply is not None  # the reply's headers came before its rows
                reply = lines.reply
            except TimeoutError:
                raise EngineStuck(f"the query ran past the {limit:g} s limit and was stopped") from None
        return engine_answer(job, reply, lines, started, limit)

    async def run_async(self, job: Job, timeout: float | None = None) -> Answer:
        started, limit, lines = time.perf_counter(), timeout or self.timeout, _Lines(job.max_rows)
        with self._in_use():
            try:
                reply = await self.http.post_async(*query_request(job), lines, limit + GRACE)
            except RowLimitReached:
                assert lines.reply is not None  # the reply's headers came before its rows
                reply = lines.reply
            except TimeoutError:
                raise EngineStuck(f"the query ran past the {limit:g} s limit and was stopped") from None
        return engine_answer(job, reply, lines, started, limit)

    @contextlib.contextmanager
    def _in_use(self) -> Iterator[None]:
        with self._lock:
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                last = self._retired and self._users == 0
            if last:
                self.close()

    def retire(self, within: float) -> None:
        """Stop once the queries it is answering are answered, and within `within` seconds at most (a newer
        copy has replaced it; one of its queries may never end)."""
        with self._lock:
            self._retired = True
            idle = self._users == 0
        if idle:
            self.close()
        else:
            threading.Timer(within, self.close).start()

    def close(self) -> None:
        if self.process.poll() is None:
            self.closed = True  # stopped by this service, not by what it was answering
        self.http.close()
        self.process.kill()  # the watchdog: the engine dies with it
        self.process.wait(10)
        if self.process.stdin:
            self.process.stdin.close()
