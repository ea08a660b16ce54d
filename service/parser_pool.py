"""SPARQL texts read by the parser in separate processes, each reading bounded in time.

rdflib's parser is pure Python: 10-170 ms for the saved queries, seconds for a pathological 100 KB text
(bench/README.md). In the service's own process it would hold the event loop or a thread for that long
with no way to stop it, and a deeply nested text would exhaust its stack. A worker process can be killed
when its time is up, and it gets a deep stack of its own, so the parser reads anything the size limit
lets through and the nesting limit is decided from the parse. Answers are remembered by text (scripts
send the same query again and again), refusals included.

Workers come from a fork server (the service has threads; it is never forked itself) and end with the
service: each waits on a pipe the service holds, and leaves when it closes, whatever killed the service.
"""

import contextlib
import multiprocessing
import queue
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool

from pic.service.sparql_guard import Reading, Unreadable, read

RECURSION_LIMIT = 200_000  # a 100 KB text of 1,800 triple patterns needs ~20,000 frames
STACK_BYTES = 1 << 29  # room for that recursion (virtual memory: pages are used only as it goes)
STARTING = 120  # seconds a new worker may take to be ready
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["pic.service.sparql_guard"])


def _serve(conn) -> None:
    """A worker's loop: read texts until the service closes the pipe."""
    sys.setrecursionlimit(RECURSION_LIMIT)
    threading.stack_size(STACK_BYTES)

    def loop() -> None:
        conn.send(("ready", None))
        while True:
            try:
                text = conn.recv()
            except (EOFError, OSError):
                return
            try:
                conn.send(("read", read(text)))
            except Unreadable as e:
                conn.send(("unreadable", (e.message, e.line, e.column, e.code)))

    worker = threading.Thread(target=loop)
    worker.start()
    worker.join()


class _Worker:
    def __init__(self):
        self.conn, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(target=_serve, args=(child,), daemon=True, name="pic-sparql-parser")
        self.process.start()
        child.close()
        # A reading's time starts once the worker is ready: the first one starts the fork server, which
        # imports the parser (seconds on a busy machine), and a query then got "took longer than 5 s to read".
        if not self.conn.poll(STARTING):
            self.stop()
            raise RuntimeError(f"the SPARQL parser's worker did not start within {STARTING} s")
        self.conn.recv()

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


@dataclass
class _Turn:
    lock: threading.Lock = field(default_factory=threading.Lock)
    waiting: int = 0


class ParserPool:
    """`read(text)` from a thread, `read_async(text)` from the event loop; `close` with the service."""

    def __init__(self, processes: int = 2, timeout: float = 5.0, remembered: int = 256):
        self.timeout, self.remembered = timeout, remembered
        self._idle: queue.SimpleQueue[_Worker | None] = queue.SimpleQueue()
        for _ in range(processes):
            self._idle.put(None)  # started on first use: most test apps never parse a query
        self._answers: OrderedDict[str, Reading | Unreadable] = OrderedDict()
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []
        self._turns: dict[str, _Turn] = {}

    def read(self, text: str, sender: str | None = None) -> Reading:
        """`sender`: who sent the text (`routers.sparql.sender`); a sender's texts are read one at a time.
        A text that takes the whole time limit holds a worker for all of it, and there are two: two such
        texts at once held every reading up for 5 s (thirteenth and fourteenth outside re-tests). Now one
        sender holds one worker at most, and the others' texts are read by the other."""
        with self._lock:
            known = self._answers.get(text)
            if known is not None:
                self._answers.move_to_end(text)
        if known is None:
            with self._turn(sender):
                known, lasting = self._read(text)
            with self._lock:
                if lasting:  # a time-out or a lost worker may not happen again: not remembered
                    self._answers[text] = known
                while len(self._answers) > self.remembered:
                    self._answers.popitem(last=False)
        if isinstance(known, Unreadable):
            raise Unreadable(known.message, known.line, known.column, known.code)
        return known

    @contextlib.contextmanager
    def _turn(self, sender: str | None) -> Iterator[None]:
        """Wait for the sender's turn: their texts being read before this one are read."""
        if sender is None:
            yield
            return
        with self._lock:
            turn = self._turns.setdefault(sender, _Turn())
            turn.waiting += 1
        try:
            with turn.lock:
                yield
        finally:
            with self._lock:
                turn.waiting -= 1
                if turn.waiting == 0:
                    del self._turns[sender]

    async def read_async(self, text: str, sender: str | None = None) -> Reading:
        return await run_in_threadpool(self.read, text, sender)

    def _read(self, text: str) -> tuple[Reading | Unreadable, bool]:
        """The reading, and whether it lasts (the text's own answer, not the machine's state)."""
        worker = self._idle.get()
        try:
            if worker is None:
                worker = self._start()
            worker.conn.send(text)
            if not worker.conn.poll(self.timeout):
                worker = self._replace(worker)
                return Unreadable(
                    f"the text took longer than {self.timeout:g} s to read; simplify it", code="too_complex"
                ), False
            status, value = worker.conn.recv()
        except (EOFError, OSError):
            worker = self._replace(worker)
            return Unreadable("the parser could not read this text"), False
        finally:
            self._idle.put(worker)
        return (value if status == "read" else Unreadable(*value)), True

    def _start(self) -> _Worker:
        worker = _Worker()
        with self._lock:
            self._workers.append(worker)
        return worker

    def _replace(self, worker: _Worker | None) -> _Worker | None:
        if worker is None:
            return None
        worker.stop()
        with self._lock:
            self._workers.remove(worker)
        return None  # the next reading starts a fresh one

    def close(self) -> None:
        with self._lock:
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.stop()
