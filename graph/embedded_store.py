"""pyoxigraph on disk: the default backend.

Small changes are one SPARQL update (a RocksDB transaction). Large ones go through pyoxigraph's bulk
loader, which is fast but not transactional; they are made atomic by a RocksDB checkpoint taken just
before (hard links, milliseconds) and a journal file: if the load fails, or the process dies in the
middle, the checkpoint replaces the store (on the spot, or when the store is next opened).
"""

import gc
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from pyoxigraph import NamedNode, Quad, RdfFormat, Store

from pic.graph.store import Change, Infer, IsInferred, bind, known_types, replacement_update

BULK_THRESHOLD = 20_000  # quads; below it a change is one transaction (tests lower it)


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
        self.recovered = self._recover()
        self._store = Store(str(self.path))

    # -- reading -------------------------------------------------------------------------------
    def query(self, sparql: str, *, union: bool = True, default_graph=None, named_graphs=None,
              substitutions=None):
        sparql = bind(sparql, substitutions)
        if default_graph is not None:
            return self._store.query(sparql, default_graph=default_graph,
                                     named_graphs=named_graphs if named_graphs is not None
                                     else default_graph)
        return self._store.query(sparql, use_default_graph_as_union=union)

    def graphs(self) -> list[NamedNode]:
        """Named graphs holding at least one quad (pyoxigraph keeps emptied graphs' names)."""
        names = (g for g in self._store.named_graphs()
                 if next(iter(self._store.quads_for_pattern(None, None, None, g)), None) is not None)
        return sorted(names, key=lambda g: g.value)

    def count(self, graph: NamedNode | None = None) -> int:
        """Counted by the engine, not by iterating quads in Python."""
        if graph is None:
            return len(self._store)
        rows = self._store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
        return int(next(iter(rows))["n"].value)

    def quads(self, graph: NamedNode | None = None) -> Iterator[Quad]:
        return self._store.quads_for_pattern(None, None, None, graph)

    def dump(self, out: IO[bytes], fmt: RdfFormat, graph: NamedNode | None = None) -> None:
        if graph is None:
            self._store.dump(out, fmt)
        else:
            self._store.dump(out, fmt, from_graph=graph)

    def describe_types(self, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
        return known_types(self.query, pairs, chunk=500)

    # -- writing -------------------------------------------------------------------------------
    def update(self, sparql: str) -> None:
        self._inferred = None  # an update may touch anything
        self._store.update(sparql)

    def apply(self, change: Change, inferred: IsInferred, infer: Infer) -> int:
        if change.size < self.bulk_threshold:
            quads = infer(change)
            if quads is not None and self._inferred is None:  # reading 70k inferred triples takes 1 s
                self._inferred = {q for g in self.graphs() if inferred(g)
                                  for q in self._store.quads_for_pattern(None, None, None, g)}
            self._store.update(replacement_update(change, quads, self._inferred))
            if quads is not None:
                self._inferred = set(quads)
            return len(change.added)
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
                self._store.bulk_load(path=str(change.file.path), format=change.file.format,
                                      to_graph=change.file.graph)
                added = self.count(change.file.graph) - before
            else:
                self._store.bulk_extend(change.added)
                added = len(change.added)
            self._store.extend(change.record(added))
            quads = infer(None)
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
        self._store = None
        gc.collect()  # the RocksDB lock is released when the last reference goes
        self._recover()
        self._store = Store(str(self.path))

    def close(self) -> None:
        if self._store is not None:
            self._store.flush()
        self._store = None
        gc.collect()
