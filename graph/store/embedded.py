"""pyoxigraph on disk: the default backend.

Small changes are one SPARQL update (a RocksDB transaction). Large ones go through pyoxigraph's bulk
loader, which is fast but not transactional; they are made atomic by a RocksDB checkpoint taken just
before (hard links, milliseconds) and a journal file: if the load fails, or the process dies in the
middle, the checkpoint replaces the store (on the spot, or when the store is next opened).

A full disk: once a write fails for lack of space, RocksDB refuses every later write, even after space is
freed, until it is reopened (every write failed until a restart). The store remembers the failure
(`write_error`) and `recover` reopens it; a read-only copy answers reads meanwhile.
"""

import gc
import logging
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

from pyoxigraph import NamedNode, Quad, RdfFormat, Store, Variable

from pic.graph.names import GraphName
from pic.graph.store.interface import (
    Change,
    Infer,
    IsInferred,
    QueryResult,
    Term,
    all_inferred,
    bind,
    emptied_graphs,
    known_types,
    replacement_update,
    solutions,
)

BULK_THRESHOLD = 20_000  # quads; below it a change is one transaction (tests lower it)
REOPEN_WAIT = 10.0  # seconds a reopening waits for readers still iterating the old store (they hold its lock)
log = logging.getLogger(__name__)


class EmbeddedStore:
    loads_files_atomically = True  # the checkpoint covers a syntax error half-way through a file

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.data_dir / "store"
        self.checkpoint = self.data_dir / "checkpoint"
        self.journal = self.data_dir / "bulk-load.journal"
        self.bulk_threshold = BULK_THRESHOLD
        self._inferred: set[Quad] | None = None  # every inferred quad as of the last write through `apply`
        self.write_error: str | None = None  # why RocksDB refuses writes until `recover` (a full disk)
        self.recovered = self._recover()
        self._store = Store(str(self.path))

    # -- reading -------------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        union: bool = True,
        default_graph: Sequence[GraphName] | None = None,
        named_graphs: Sequence[GraphName] | None = None,
        substitutions: Mapping[Variable, Term] | None = None,
    ) -> QueryResult:
        sparql = bind(sparql, substitutions)
        if default_graph is not None:
            return self._store.query(  # (copies: pyoxigraph's lists also take blank nodes)
                sparql,
                default_graph=[*default_graph],
                named_graphs=[*(named_graphs if named_graphs is not None else default_graph)],
            )
        return self._store.query(sparql, use_default_graph_as_union=union)

    def graphs(self) -> list[GraphName]:
        """Named graphs holding at least one quad (pyoxigraph keeps emptied graphs' names)."""
        names = (
            g
            for g in self._store.named_graphs()
            if next(iter(self._store.quads_for_pattern(None, None, None, g)), None) is not None
        )
        return sorted(names, key=lambda g: g.value)

    def count(self, graph: NamedNode | None = None) -> int:
        """Counted by the engine, not by iterating quads in Python."""
        if graph is None:
            return len(self._store)
        rows = solutions(self._store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"))
        return int(next(iter(rows))["n"].value)

    def quads(self, graph: NamedNode | None = None) -> Iterator[Quad]:
        return self._store.quads_for_pattern(None, None, None, graph)

    def dump(self, out: IO[bytes], fmt: RdfFormat, graph: NamedNode | None = None) -> None:
        if graph is None:
            self._store.dump(out, fmt)
        else:
            self._store.dump(out, fmt, from_graph=graph)

    def compact(self) -> None:
        """Rewrite the store's files without the statements deleted: RocksDB keeps one in its older files
        until they are compacted, so a withdrawal or an erasure (issue 20) would still be in the bytes of
        the store and of every backup taken after it. (Oxigraph never forgets a string it has stored — an
        IRI, a literal — even once no statement holds it: `rebuild` does, with the service stopped.)"""
        self._store.flush()
        self._store.optimize()

    def rebuild(self) -> int:
        """Copy every statement into a new store, which replaces this one: nothing deleted, not even a
        string, is left in its files (`pic compact`, with the service stopped). The statements copied."""
        fresh_path = self.data_dir / "store.rebuilding"
        if fresh_path.exists():
            shutil.rmtree(fresh_path)
        fresh = Store(str(fresh_path))
        fresh.bulk_extend(self._store.quads_for_pattern(None, None, None, None))
        fresh.flush()
        fresh.optimize()
        count = len(fresh)
        del fresh
        gc.collect()  # its RocksDB lock goes with the last reference
        self.close()
        old = self.data_dir / "store.old"
        if old.exists():
            shutil.rmtree(old)
        self.path.rename(old)
        fresh_path.rename(self.path)
        shutil.rmtree(old)
        self._store = Store(str(self.path))
        return count

    def backup(self, target: Path) -> None:
        """A consistent copy of the store in `target` (a new directory), openable as a store of its own:
        a RocksDB checkpoint, hard links to the store's immutable files on the same disk (milliseconds)."""
        self._store.flush()
        self._store.backup(str(target))

    def describe_types(self, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
        return known_types(self.query, pairs, chunk=500)

    # -- writing -------------------------------------------------------------------------------
    def update(self, sparql: str) -> None:
        self._inferred = None  # an update may touch anything
        try:
            self._store.update(sparql)
        except OSError as e:
            self.write_error = str(e)
            raise

    def apply(self, change: Change, inferred: IsInferred, infer: Infer) -> int:
        if change.size < self.bulk_threshold:
            quads = infer(change)
            if quads is not None and self._inferred is None:  # reading 70k inferred triples takes 1 s
                self._inferred = {
                    q for g in self.graphs() if inferred(g) for q in self._store.quads_for_pattern(None, None, None, g)
                }
            update = replacement_update(
                change, quads, self._inferred, emptied=emptied_graphs(change.removed, self.count)
            )
            try:
                self._store.update(update)
            except OSError as e:  # RocksDB refuses every write from now on, until reopened
                self.write_error = str(e)
                raise
            if quads is not None:
                self._inferred = set(quads)
            return len(change.staged)
        self._inferred = None
        return self._apply_bulk(change, inferred, infer)

    def _apply_bulk(self, change: Change, inferred: IsInferred, infer: Infer) -> int:
        self._store.flush()
        if self.checkpoint.exists():
            shutil.rmtree(self.checkpoint)
        self._store.backup(str(self.checkpoint))
        self.journal.write_text("bulk load in progress; the checkpoint replaces the store on open\n")
        try:
            for quad in change.removed:
                self._store.remove(quad)
            if change.file is not None:
                before = self.count(change.file.graph)
                self._store.bulk_load(path=str(change.file.path), format=change.file.format, to_graph=change.file.graph)
                added = self.count(change.file.graph) - before
            else:
                self._store.bulk_extend(change.staged)
                added = len(change.staged)
            self._store.extend(change.record(added))
            quads = all_inferred(infer)
            for graph in self.graphs():  # those no longer concluded in too
                if inferred(graph):
                    self._store.clear_graph(graph)
            self._store.bulk_extend(quads)
            self._store.flush()
        except BaseException:
            self._restore()
            raise
        self.journal.unlink()
        shutil.rmtree(self.checkpoint)
        return added

    # -- recovery ------------------------------------------------------------------------------
    def _recover(self) -> bool:
        """Put the checkpoint back if a bulk load died before finishing."""
        if not self.journal.exists():
            if self.checkpoint.exists():
                shutil.rmtree(self.checkpoint)
            return False
        if self.checkpoint.exists():
            broken = self.data_dir / "store.interrupted"
            if broken.exists():
                shutil.rmtree(broken)
            if self.path.exists():
                self.path.rename(broken)
            self.checkpoint.rename(self.path)
            shutil.rmtree(broken, ignore_errors=True)
        self.journal.unlink()
        return True

    def _restore(self) -> None:
        self._store = None  # type: ignore[assignment]  # reopened below: the lock goes with the last reference
        gc.collect()  # the RocksDB lock is released when the last reference goes
        self._recover()
        self._open()

    def recover(self) -> None:
        """Reopen the store if a write failed in RocksDB (see the module's docstring); a no-op otherwise.
        Raises if it cannot be reopened yet (the disk is still full): reads go on from a read-only copy."""
        if self.write_error is None:
            return
        log.warning("reopening the store, whose writes failed: %s", self.write_error)
        self._store = Store.read_only(str(self.path))  # answers reads meanwhile; takes no lock
        self._open()

    def _open(self) -> None:
        """Open the store for writing, waiting for the lock while readers finish with the old one. If it
        cannot be opened (no space for its new log), a read-only copy stands in and the error is raised."""
        deadline = time.monotonic() + REOPEN_WAIT
        while True:
            gc.collect()  # the RocksDB lock is released when the last reference goes
            try:
                self._store = Store(str(self.path))
            except OSError as e:
                if "lock" in str(e).lower() and time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                self.write_error = str(e)
                if self._store is None:
                    self._store = Store.read_only(str(self.path))
                raise
            self.write_error = None
            return

    def close(self) -> None:
        if self._store is not None:
            try:
                self._store.flush()
            except OSError as e:  # a full disk: what was committed is in RocksDB's log, replayed at the next open
                log.warning(
                    "the store could not write its memory to disk as it closed (%s); its log keeps "
                    "every committed write",
                    e,
                )
        self._store = None  # type: ignore[assignment]  # closed: the RocksDB lock goes with the last reference
        gc.collect()
