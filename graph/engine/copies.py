"""The embedded store's SPARQL queries, answered by local engines holding in-memory copies of it.

Why copies: pyoxigraph answers 3-4x faster from memory than from its on-disk RocksDB store, which stays
the durable source of truth. Why two: a reader who may not read every graph gets a dataset naming the
graphs they may read, and the engine answers a named list 1.5-4x slower than the union of all graphs on
heavy queries (central-actors 38 ms as a union, 167 ms over the six public graphs of the regional store).
Most readers are anonymous researchers, so while some graph is not public a second copy holds only what
anonymous readers may read, and answers them from its union. It decides graph by graph as writes arrive
(`access.is_public`), so a private graph written a moment ago never reaches it, and
an embargoed graph joins it on its day.

The copies follow each write by its delta (one SPARQL update of what it added and removed, inferences
included): reloading 1.1M triples took 10 s + 7 s, a delta milliseconds. They are rebuilt from a
snapshot at start and after large or unknown changes (a blank node, a file loaded directly): the new engines
load beside the old ones, in a thread (issue 17: a start took 15-25 s before the first answer, and the
first private graph's PUT 16-19 s, as its request built the public copy). Until they are loaded:
- while no copy holds every write (at start, after a change they cannot follow) the on-disk store
  answers, in this process, the platform's own jobs (`disk_answers.py`); the queries clients wrote wait
  for the copies, within their time limit, and so does every job after an engine stopped: nothing
  watches a query's memory in this process (thirteenth outside re-test);
- while the public copy loads beside an up-to-date full one, anonymous readers are answered by the full
  copy over the graphs they may read, listed (as everyone who may not read every graph is);
- the writes that come meanwhile are kept, and replayed onto the new copies before the swap (a delta
  removes and adds quads: replaying one the snapshot already holds changes nothing).
"""

import asyncio
import contextlib
import logging
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat

from pic.graph.access import is_public, today
from pic.graph.engine.cooldowns import Cooldowns
from pic.graph.engine.disk_answers import DiskAnswers
from pic.graph.engine.jobs import Answer, EngineFailed, Job, QueryTimeout
from pic.graph.engine.local import GRACE, EngineStuck, LocalEngine, engine_binary
from pic.graph.engine.memory_watch import EXIT_OVER_MEMORY
from pic.graph.names import Names
from pic.graph.store.atomic_file import atomic_file, part_of
from pic.graph.store.interface import KnowledgeStore, quads_to_update_data

if TYPE_CHECKING:  # the write path's module imports most of graph/
    from pic.graph.writes.path import Written

log = logging.getLogger(__name__)
MAX_DELTA = 200_000  # quads in one write past which loading a snapshot is cheaper than an update
RETRY = 30.0  # seconds before a failed load of the copies is tried again (the store answers meanwhile)


def _graph_of(quad: Quad) -> str:
    return getattr(quad.graph_name, "value", "")  # the default graph has no name


def _as_sent(job: Job) -> Job:
    """A public job without its graph lists, for the public copy: its union stands for them."""
    return replace(job, default_graph=None, named_graphs=None)


def delta_update(removed: list[Quad], added: list[Quad]) -> str:
    parts = []
    if removed:
        parts.append(f"DELETE DATA {{ {quads_to_update_data(removed)} }}")
    if added:
        parts.append(f"INSERT DATA {{ {quads_to_update_data(added)} }}")
    return " ;\n".join(parts)


class EngineReplicas:
    """Query runner for the embedded store (the service's `queries`): `run` from a thread, `run_async`
    from the event loop, `follow` after each write, `close` with the service."""

    def __init__(
        self,
        store: KnowledgeStore,
        snapshot_dir: Path,
        timeout: float = 30.0,
        names: Names | None = None,
        binary: str | None = None,
        wait: bool = True,
        memory_bytes: int | None = None,
    ):
        """`wait` False: return at once, the copies loading in a thread while the store answers.
        `memory_bytes`: the resident memory past which an engine is stopped and reloaded."""
        self.store, self.snapshot_dir, self.timeout = store, Path(snapshot_dir), timeout
        self.memory_bytes = memory_bytes
        self.cooldowns = Cooldowns()
        # An engine stopped (its memory watch, a crash): jobs wait for its reload (`_waits`).
        self._stopped = False
        self.names, self.binary = names or Names(), binary or engine_binary()
        self.snapshot_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # one change of the copies at a time
        self.full: LocalEngine | None = None
        self.public: LocalEngine | None = None  # None while every graph is public: `full` serves
        self.excluded: set[str] = set()  # graphs kept out of `public`
        self.checked = today()  # the day the excluded graphs' embargoes were last looked at
        # What /metrics reports (service/metrics.py): engines reloaded, by copy and reason ("reload": a
        # write the copies cannot follow by its delta; "stuck": a query ran past its limit; "stopped": the
        # process ended); queries stopped at the time limit, by copy; when each write not yet in the
        # copies arrived: being applied, or kept while new copies load, to be replayed onto them.
        self.restarts: Counter[tuple[str, str]] = Counter()
        self.timeouts: Counter[str] = Counter()
        # Engines that ended on their own while answering, by copy and cause ("memory": past
        # PIC_ENGINE_MEMORY_MB; "crash"): each once, however many queries it was answering. Reloads count
        # stops only once per load, and a stop during a reload not at all (fourteenth outside re-test).
        self.stops: Counter[tuple[str, str]] = Counter()
        self._arrived: list[float] = []
        self._replaying: list[float] = []
        self._counting = threading.Lock()
        self.disk = DiskAnswers(store, timeout)  # answers while no copy holds every write
        self._current = False  # `full` holds every write (False: the store answers)
        self._pending: list[tuple[list[Quad], list[Quad]]] | None = None  # writes that came while copies load
        self._load_number = 0  # of the newest load: an older one's engines are thrown away
        self._loading: list[LocalEngine] = []  # engines being loaded (stopped by `close`)
        self._idle = threading.Event()  # no load running
        self._idle.set()
        self.load_error: str | None = None  # why the last load failed (health reports it)
        self._closed = False
        for left in [*self.snapshot_dir.glob("*.part"), *self.snapshot_dir.glob("*.nq")]:
            left.unlink()  # what a run killed while writing a snapshot left (234 MB at 1M triples)
        if wait:
            self.snapshot(reason=None)
        else:
            with self._lock:
                self._load_later("all", None)

    def snapshot(self, reason: str | None = "reload") -> None:
        """Rebuild the copies from the whole store, now (`reason` None: the first copies, not a restart)."""
        with self._lock:
            self._load_number += 1  # a load running in a thread is outdated
            self._pending = None
            self._rebuild(reason)
            self._current = True
            self._idle.set()  # what a thread still loads will be thrown away

    def _rebuild(self, reason: str | None = "reload") -> None:
        path = self.snapshot_dir / "snapshot.nq"
        with atomic_file(path) as f:
            self.store.dump(f, RdfFormat.N_QUADS)
        excluded = {g.value for g in self.store.graphs() if not self._is_public(g.value)}
        with ThreadPoolExecutor(2) as pool:  # two processes load at once (7 s each at 1.1M triples)
            loading = [pool.submit(self._engine, path), pool.submit(self._engine, path, excluded) if excluded else None]
            try:
                full, public = (f.result() if f else None for f in loading)
            except BaseException:
                for future in loading:  # the one that loaded is not left running
                    if future and future.exception() is None:
                        future.result().close()
                raise
        path.unlink()
        old = [self.full, self.public]
        self.full, self.public, self.excluded, self.checked = full, public, excluded, today()
        self._stopped = False
        if reason is not None:
            with self._counting:
                self.restarts.update((name, reason) for name, e in (("full", full), ("public", public)) if e)
        for engine in old:
            if engine is not None:
                engine.retire(self.timeout + GRACE)

    # -- loading in a thread ------------------------------------------------------------------------
    def _load_later(self, which: str, reason: str | None) -> None:
        """Load new copies in a thread — "all", or the "public" one beside a full copy that follows the
        writes — keeping the writes that come meanwhile to replay them. Called holding the lock."""
        if self._closed or (which == "public" and not self._idle.is_set()):
            return  # a load on its way makes the public copy too if some graph is not public by then
        if self._pending is None or which == "all":
            # A full load's snapshot is dumped after this call, so it holds every write kept so far: replaying
            # one of them could bring back what a later write, one the copies cannot follow and so not kept,
            # removed (a W3C test's emptied default graph showed an earlier test's triples).
            self._pending = []
        self._load_number += 1
        self._idle.clear()
        threading.Thread(
            target=self._load, args=(self._load_number, which, reason), daemon=True, name="copies-load"
        ).start()

    def _load(self, number: int, which: str, reason: str | None) -> None:
        path = self.snapshot_dir / f"snapshot-{number}.nq"
        loaded: dict[str, LocalEngine] = {}
        try:
            with atomic_file(path) as f:
                self.store.dump(f, RdfFormat.N_QUADS)  # RocksDB reads one consistent state of the store
            without = {g.value for g in self.store.graphs() if not self._is_public(g.value)}
            wanted = [name for name, needed in (("full", which == "all"), ("public", bool(without))) if needed]
            with ThreadPoolExecutor(2) as pool:  # two processes load at once (7 s each at 1.1M triples)
                futures = {
                    name: pool.submit(self._loaded_engine, path, without if name == "public" else set())
                    for name in wanted
                }
                for name, future in futures.items():
                    if future.exception() is None:
                        loaded[name] = future.result()
                for future in futures.values():
                    error = future.exception()
                    if error is not None:
                        raise error
            with self._lock:
                if number == self._load_number and not self._closed:
                    self._swap(which, loaded, without, reason)
                    loaded = {}
        except BaseException as e:
            if not self._closed:
                log.exception("loading the query engines' copies failed; trying again in %s s", RETRY)
                self.load_error = f"{type(e).__name__}: {e}"[:300]
                retry = threading.Timer(RETRY, self._retry, (number, which, reason))
                retry.daemon = True
                retry.start()
        finally:
            for engine in loaded.values():  # thrown away: outdated, closed, or the other one failed
                engine.close()
            path.unlink(missing_ok=True)
            part_of(path).unlink(missing_ok=True)
            with self._lock:
                if number == self._load_number:
                    self._idle.set()

    def _retry(self, number: int, which: str, reason: str | None) -> None:
        with self._lock:
            if number == self._load_number:  # nothing newer was asked meanwhile
                self._load_later(which, reason)

    def _swap(self, which: str, loaded: dict[str, LocalEngine], without: set[str], reason: str | None) -> None:
        """Replay the writes that came during the load onto the new copies, then let them answer."""
        excluded = {g.value for g in self.store.graphs() if not self._is_public(g.value)}
        full, public = loaded.get("full", self.full), loaded.get("public")
        for removed, added in self._pending or []:
            if "full" in loaded:
                loaded["full"].update(delta_update(removed, added))
            if public is not None:
                kept = delta_update(
                    [q for q in removed if _graph_of(q) not in excluded],
                    [q for q in added if _graph_of(q) not in excluded],
                )
                if kept:
                    public.update(kept)
        if public is not None and excluded - without:  # graphs that became private during the load
            public.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in sorted(excluded - without)))
        if public is not None:
            for graph in sorted(without - excluded):  # an embargo lifted meanwhile
                quads = list(self.store.quads(NamedNode(graph)))
                if quads:
                    public.update(delta_update([], quads))
        old = [self.public, *([self.full] if "full" in loaded else [])]
        self.full, self.public, self.excluded, self.checked = full, public, excluded, today()
        self._pending, self._current, self.load_error = None, True, None
        if "full" in loaded:
            self._stopped = False
        if reason is not None:
            with self._counting:
                self.restarts.update((name, reason) for name in loaded)
        for engine in old:
            if engine is not None and engine not in (full, public):
                engine.retire(self.timeout + GRACE)
        if excluded and public is None:  # the first private graph came during the load
            self._load_later("public", reason)

    def _loaded_engine(self, snapshot: Path, without: set[str]) -> LocalEngine:
        engine = LocalEngine(self.binary, self.timeout, self.snapshot_dir / "engine.log", self.memory_bytes)
        with self._lock:
            self._loading.append(engine)
        try:
            if self._closed:
                raise RuntimeError("the service is stopping")
            engine.load(snapshot)
            if without:
                engine.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in sorted(without)))
        except BaseException:
            engine.close()
            raise
        finally:
            with self._lock:
                self._loading.remove(engine)
        return engine

    @property
    def copies(self) -> str:
        """ "ready" when a copy holding every write answers, else "loading" (the store answers)."""
        return "ready" if self._current and self._idle.is_set() else "loading"

    def wait_loaded(self, seconds: float = 600) -> bool:
        """Wait for the loads under way (tests; a benchmark asks `/health`)."""
        return self._idle.wait(seconds)

    def _engine(self, snapshot: Path, without: AbstractSet[str] = frozenset()) -> LocalEngine:
        engine = LocalEngine(self.binary, self.timeout, self.snapshot_dir / "engine.log", self.memory_bytes)
        try:
            engine.load(snapshot)
            if without:
                engine.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in sorted(without)))
        except BaseException:
            engine.close()
            raise
        return engine

    def follow(self, written: "Written | None") -> None:
        """After a write: its delta (a `writes.path.Written`, inferences included), or a new snapshot when
        the write does not say what it did or holds blank nodes (a copy would give them new labels,
        and a later delta could not name them)."""
        arrived = time.monotonic()
        with self._counting:
            self._arrived.append(arrived)
        try:
            self._follow(written)
        finally:
            with self._counting:
                self._arrived.remove(arrived)
                if self._pending is not None:  # new copies are loading: they get it when they swap in
                    self._replaying.append(arrived)

    def lag(self) -> tuple[int, float]:
        """Writes the store has and some copy does not have yet, and for how many seconds the oldest has
        waited: (0, 0.0) but during a write, or while new copies load (the store, or the full copy,
        answers for them meanwhile, so answers are not behind; queries are slower)."""
        with self._counting:
            if self._pending is None:  # no load under way: the writes kept were replayed at the swap
                self._replaying.clear()
            waiting = [*self._arrived, *self._replaying]
        return len(waiting), (time.monotonic() - min(waiting)) if waiting else 0.0

    def _follow(self, written: "Written | None") -> None:
        if (
            written is None
            or len(written.added) + len(written.removed) > MAX_DELTA
            or any(isinstance(t, BlankNode) for q in [*written.added, *written.removed] for t in (q.subject, q.object))
        ):
            with self._lock:
                self._current = False  # the copies miss this write: the store answers until new ones load
                self._load_later("all", "reload")
            return
        with self._lock:
            if not (written.added or written.removed):
                return
            if self._pending is not None:
                self._pending.append((written.removed, written.added))
            if self._current:
                assert self.full is not None  # current copies are loaded copies
                self.full.update(delta_update(written.removed, written.added))
            graphs = {_graph_of(q) for q in written.added}
            private = {g for g in graphs - self.excluded if not self._is_public(g)}
            self.excluded |= private
            if private and self.public is None:  # the first graph that is not public: a second copy
                self._load_later("public", "reload")
            if self.public is not None:
                public = delta_update(
                    [q for q in written.removed if _graph_of(q) not in self.excluded],
                    [q for q in written.added if _graph_of(q) not in self.excluded],
                )
                if public:
                    self.public.update(public)

    def _for(self, job: Job) -> tuple[LocalEngine | None, Job]:
        """The copy that answers a job, and the job as sent to it: the public copy's union for what
        anonymous readers read, else the full copy (with the job's graph lists); None while no copy holds
        every write (the store answers)."""
        full, public = self.full, self.public
        if not self._current or full is None:
            return None, job
        if job.public and public is not None:
            return public, _as_sent(job)
        if job.public and job.default_graph is None:  # while the public copy loads: the graphs it will hold
            readable = [
                g.value for g in self.store.graphs() if g.value not in self.excluded and self._is_public(g.value)
            ]
            return full, replace(job, default_graph=readable, named_graphs=readable)
        return full, job

    def _lift_embargoes(self) -> None:
        """An embargo ends at midnight: once a day, the graphs whose day has come join the public copy."""
        with self._lock:
            if today() == self.checked:
                return
            self.checked = today()
            lifted = sorted(g for g in self.excluded if self._is_public(g))
            for graph in lifted:
                quads = list(self.store.quads(NamedNode(graph)))
                if quads and self.public is not None:
                    self.public.update(delta_update([], quads))
                self.excluded.discard(graph)

    def run(self, job: Job, timeout: float | None = None) -> Answer:
        """Run a job, waiting in this thread (pages and reports call it from the threadpool)."""
        self.cooldowns.check(job.sender)
        if job.public and today() != self.checked:
            self._lift_embargoes()
        for _attempt in (1, 2):
            engine, sent = self._for(job)
            if engine is None and self._waits(job):
                engine, sent = self._copy_for(job, timeout)
            if engine is None:
                return self.disk.run(job, timeout)
            copy = "public" if engine is self.public else "full"  # before a reload may swap them
            if engine.process.poll() is not None:  # it ended before this job was sent: not the job's doing
                self._replace_if_gone(engine)
                continue
            try:
                with self._time_limit_counted(engine, copy):
                    return engine.run(sent, timeout)
            except ConnectionError:
                self._refuse_if_killed_by(engine, job, copy)
        raise EngineFailed("the query engine closed the connection twice without answering")

    async def run_async(self, job: Job, timeout: float | None = None) -> Answer:
        """Run a job from the event loop: the engine is read over a socket the loop watches."""
        self.cooldowns.check(job.sender)
        if job.public and today() != self.checked:
            await asyncio.to_thread(self._lift_embargoes)
        for _attempt in (1, 2):
            engine, sent = self._for(job)
            if engine is None and self._waits(job):
                engine, sent = await asyncio.to_thread(self._copy_for, job, timeout)
            if engine is None:
                return await self.disk.run_async(job, timeout)
            copy = "public" if engine is self.public else "full"
            if engine.process.poll() is not None:  # it ended before this job was sent: not the job's doing
                await asyncio.to_thread(self._replace_if_gone, engine)
                continue
            try:
                with self._time_limit_counted(engine, copy):
                    return await engine.run_async(sent, timeout)
            except ConnectionError:
                await asyncio.to_thread(self._refuse_if_killed_by, engine, job, copy)
        raise EngineFailed("the query engine closed the connection twice without answering")

    @contextlib.contextmanager
    def _time_limit_counted(self, engine: LocalEngine, copy: str) -> Iterator[None]:
        """A query past its time limit counts against its copy; one the engine did not stop has the copy
        reloaded (the client has its 503 already)."""
        try:
            yield
        except EngineStuck:
            self._timed_out(copy)
            self._replace_later(engine)
            raise
        except QueryTimeout:
            self._timed_out(copy)
            raise

    def _waits(self, job: Job) -> bool:
        """Whether a job waits for the copies rather than be answered by the store in this process, where
        nothing watches a query's memory: a query a client wrote (a 351-byte one built gigabytes), and
        every job after an engine stopped (the query that stopped it may come again). The platform's own
        queries (pages, maps, saved queries: bounded shapes) are answered from disk meanwhile."""
        return job.sender is not None or self._stopped

    def _copy_for(self, job: Job, timeout: float | None) -> tuple[LocalEngine, Job]:
        """The copy that answers a job once the copies are loaded, within the job's time limit (another
        write the copies cannot follow may start a new load meanwhile: the job waits for that one too)."""
        limit = timeout or self.timeout
        deadline = time.monotonic() + limit
        while True:
            engine, sent = self._for(job)
            if engine is not None:
                return engine, sent
            if self._idle.is_set() and self.load_error is not None:
                raise EngineFailed(f"the query engines' copies could not be loaded: {self.load_error}")
            left = deadline - time.monotonic()
            if left <= 0 or not self._idle.wait(left):
                raise QueryTimeout(f"the query engines' copies are being loaded: not ready within {limit:g} s")
            time.sleep(0.05)  # (set between a swap and the next write's new load: look again)

    def _refuse_if_killed_by(self, engine: LocalEngine, job: Job, copy: str) -> None:
        """The connection to the engine broke. If its process ended and this service did not stop it, the
        query may be what stopped it (too much memory; a chain too long for its stack, eleventh outside
        re-test), and would stop the next copy too: the copy is reloaded, every job it was answering is
        refused (502) and not run again, and their senders wait (`cooldowns.py`). Until the thirteenth
        outside re-test only the first job to see the stop was: the others ran again — from the store in
        this process when no copy was left, which grew to 23 GB until the kernel killed it. An engine this
        service stopped (a newer copy replaced it) or still running: the job is sent once more."""
        if engine.closed:
            return
        try:
            engine.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return  # it is running: the connection broke for another reason
        if engine.closed:
            return
        self._replace_if_gone(engine)
        self.cooldowns.stopped(job.sender)
        memory = engine.process.returncode == EXIT_OVER_MEMORY
        with self._counting:
            if not engine.stop_counted:
                engine.stop_counted = True
                self.stops[copy, "memory" if memory else "crash"] += 1
        if memory:
            why = f"held more than {(self.memory_bytes or 0) // 2**20} MiB of memory while answering this query"
        else:
            why = f"stopped while answering this query (exit code {engine.process.returncode})"
        raise EngineFailed(f"the query engine {why}; it is being reloaded, and this query is not run again")

    def _timed_out(self, copy: str) -> None:
        with self._counting:
            self.timeouts[copy] += 1

    def _replace_later(self, engine: LocalEngine) -> None:
        """An engine still busy with a query past its limit: new copies are loaded in the background (the
        client has its 503 already), then the old engine is stopped, and the query with it."""
        with self._lock:
            if engine in (self.full, self.public):
                log.warning("a query ran on past its limit: reloading the query engine to stop it")
                self._load_later("all", "stuck")

    def _replace_if_gone(self, engine: LocalEngine) -> None:
        """The engine did not answer: either a newer copy replaced it meanwhile (the job is sent to that
        one), or its process ended (killed, out of memory): that copy is reloaded, once, in a thread (the
        full copy's readers are answered by the store meanwhile, the public copy's by the full copy)."""
        with self._lock:
            if engine in (self.full, self.public) and engine.process.poll() is not None:
                log.error("the query engine stopped (exit code %s): reloading it", engine.process.returncode)
                engine.close()
                if engine is self.public:
                    self.public = None
                    self._load_later("public", "stopped")
                else:
                    self.full, self._current, self._stopped = None, False, True
                    self._load_later("all", "stopped")

    def _is_public(self, graph: str) -> bool:
        return is_public(graph, self.names)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for engine in (self.full, self.public, *self._loading):
                if engine is not None:
                    engine.close()
            self.full = self.public = None
        self._idle.wait(30)  # a load stops once its engines are gone
        self.disk.close()
