"""The embedded store's SPARQL queries, answered by local engines holding in-memory copies of it.

Why copies: pyoxigraph answers 3-4x faster from memory than from its on-disk RocksDB store, which stays
the durable source of truth. Why two: a reader who may not read every graph gets a dataset naming the
graphs they may read, and the engine answers a named list 1.5-4x slower than the union of all graphs on
heavy queries (central-actors 38 ms as a union, 167 ms over the six public graphs of the regional store).
Most readers are anonymous researchers, so while some graph is not public a second copy holds only what
anonymous readers may read, and answers them from its union. It decides graph by graph as writes arrive
(`access.may_read` for an anonymous user), so a private graph written a moment ago never reaches it, and
an embargoed graph joins it on its day.

The copies follow each write by its delta (one SPARQL update of what it added and removed, inferences
included): reloading 1.1M triples took 10 s + 7 s, a delta milliseconds. They are rebuilt from a
snapshot at start and after large or unknown changes (a SPARQL update, a blank node): the new engines
load beside the old ones, which answer until the swap.
"""

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from pyoxigraph import BlankNode, NamedNode, RdfFormat

from pic.graph.access import ANONYMOUS, may_read, today
from pic.graph.local_engine import GRACE, EngineStuck, LocalEngine, engine_binary
from pic.graph.names import Names
from pic.graph.query_jobs import Answer, Job
from pic.graph.store import quads_to_update_data

log = logging.getLogger(__name__)
MAX_DELTA = 200_000  # quads in one write past which loading a snapshot is cheaper than an update


def _graph_of(quad) -> str:
    return getattr(quad.graph_name, "value", "")  # the default graph has no name


def _as_sent(job: Job) -> Job:
    """A public job without its graph lists: the union of the public copy stands for them."""
    return replace(job, default_graph=None, named_graphs=None) if job.public else job


def delta_update(removed: list, added: list) -> str:
    parts = []
    if removed:
        parts.append(f"DELETE DATA {{ {quads_to_update_data(removed)} }}")
    if added:
        parts.append(f"INSERT DATA {{ {quads_to_update_data(added)} }}")
    return " ;\n".join(parts)


class EngineReplicas:
    """Query runner for the embedded store (the service's `queries`): `run` from a thread, `run_async`
    from the event loop, `follow` after each write, `close` with the service."""

    def __init__(self, store, snapshot_dir: Path, timeout: float = 30.0, names: Names | None = None,
                 binary: str | None = None):
        self.store, self.snapshot_dir, self.timeout = store, Path(snapshot_dir), timeout
        self.names, self.binary = names or Names(), binary or engine_binary()
        self.snapshot_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # one change of the copies at a time
        self.full: LocalEngine | None = None
        self.public: LocalEngine | None = None  # None while every graph is public: `full` serves
        self.excluded: set[str] = set()  # graphs kept out of `public`
        self.checked = today()  # the day the excluded graphs' embargoes were last looked at
        for left in [*self.snapshot_dir.glob("*.part"), *self.snapshot_dir.glob("*.nq")]:
            left.unlink()  # what a run killed while writing a snapshot left (234 MB at 1M triples)
        self.snapshot()

    def snapshot(self) -> None:
        """Rebuild the copies from the whole store."""
        with self._lock:
            self._rebuild()

    def _rebuild(self) -> None:
        path = self.snapshot_dir / "snapshot.nq"
        part = path.with_suffix(".part")
        with part.open("wb") as f:
            self.store.dump(f, RdfFormat.N_QUADS)
        part.replace(path)
        excluded = {g.value for g in self.store.graphs() if not self._is_public(g.value)}
        with ThreadPoolExecutor(2) as pool:  # two processes load at once (7 s each at 1.1M triples)
            loading = [pool.submit(self._engine, path), pool.submit(self._engine, path, excluded) if excluded else None]
            try:
                full, public = (f.result() if f else None for f in loading)
            except BaseException:
                for f in loading:  # the one that loaded is not left running
                    if f and f.exception() is None:
                        f.result().close()
                raise
        path.unlink()
        old = [self.full, self.public]
        self.full, self.public, self.excluded, self.checked = full, public, excluded, today()
        for engine in old:
            if engine is not None:
                engine.retire(self.timeout + GRACE)

    def _engine(self, snapshot: Path, without: set[str] = frozenset()) -> LocalEngine:
        engine = LocalEngine(self.binary, self.timeout, self.snapshot_dir / "engine.log")
        try:
            engine.load(snapshot)
            if without:
                engine.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in sorted(without)))
        except BaseException:
            engine.close()
            raise
        return engine

    def follow(self, written) -> None:
        """After a write: its delta (a `write_path.Written`, inferences included), or a new snapshot when
        the write does not say what it did or holds blank nodes (a copy would give them new labels,
        and a later delta could not name them)."""
        if (written is None or len(written.added) + len(written.removed) > MAX_DELTA
                or any(isinstance(t, BlankNode) for q in [*written.added, *written.removed]
                       for t in (q.subject, q.object))):
            self.snapshot()
            return
        with self._lock:
            if not (written.added or written.removed):
                return
            self.full.update(delta_update(written.removed, written.added))
            graphs = {_graph_of(q) for q in written.added}
            private = {g for g in graphs - self.excluded if not self._is_public(g)}
            if private and self.public is None:  # the first graph that is not public: a second copy
                self._rebuild()
                return
            self.excluded |= private
            if self.public is not None:
                public = delta_update([q for q in written.removed if _graph_of(q) not in self.excluded],
                                      [q for q in written.added if _graph_of(q) not in self.excluded])
                if public:
                    self.public.update(public)

    def _for(self, job: Job) -> LocalEngine:
        """The copy that answers a job: the public one for what anonymous readers read, else all."""
        return self.public if job.public and self.public is not None else self.full

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
        if job.public and today() != self.checked:
            self._lift_embargoes()
        engine = self._for(job)
        try:
            return engine.run(_as_sent(job), timeout)
        except EngineStuck:
            self._replace_later(engine)
            raise
        except ConnectionError:
            self._replace_if_gone(engine)
            return self._for(job).run(_as_sent(job), timeout)

    async def run_async(self, job: Job, timeout: float | None = None) -> Answer:
        """Run a job from the event loop: the engine is read over a socket the loop watches."""
        if job.public and today() != self.checked:
            await asyncio.to_thread(self._lift_embargoes)
        engine = self._for(job)
        try:
            return await engine.run_async(_as_sent(job), timeout)
        except EngineStuck:
            self._replace_later(engine)
            raise
        except ConnectionError:
            await asyncio.to_thread(self._replace_if_gone, engine)
            return await self._for(job).run_async(_as_sent(job), timeout)

    def _replace_later(self, engine: LocalEngine) -> None:
        """An engine still busy with a query past its limit: new copies are loaded in the background (the
        client has its 503 already), then the old engine is stopped, and the query with it."""
        def replace_it() -> None:
            with self._lock:
                if engine in (self.full, self.public):
                    log.warning("a query ran on past its limit: reloading the query engine to stop it")
                    self._rebuild()

        threading.Thread(target=replace_it, daemon=True).start()

    def _replace_if_gone(self, engine: LocalEngine) -> None:
        """The engine did not answer: either a newer copy replaced it meanwhile (the job is sent to that
        one), or its process ended (killed, out of memory): the copies are rebuilt, once."""
        with self._lock:
            if engine in (self.full, self.public) and engine.process.poll() is not None:
                log.error("the query engine stopped (exit code %s): reloading it", engine.process.returncode)
                self._rebuild()

    def _is_public(self, graph: str) -> bool:
        return may_read(ANONYMOUS, graph, self.names)

    def close(self) -> None:
        with self._lock:
            for engine in (self.full, self.public):
                if engine is not None:
                    engine.close()
            self.full = self.public = None
