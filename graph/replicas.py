"""A query worker's in-memory replicas of the store: everything, and what anonymous readers may read.

Why two: a reader who may not read every graph gets a dataset naming the graphs they may read, and
pyoxigraph answers a named list of graphs 1.5-4x slower than the union of all graphs on heavy queries
(central-actors 38 ms as a union, 167 ms over the six public graphs of the regional store). Most
readers are anonymous researchers, so the worker keeps a second replica without the graphs they may
not read, and answers them with its union. The public replica decides for itself which graphs it
holds (`access.may_read` for an anonymous user), graph by graph as deltas arrive, so a private graph
created a moment ago can never be in it; an embargoed graph joins it on the day its embargo ends.
It exists only while some graph is not public (it costs a second copy of the data in memory).
"""

from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store, parse

from pic.graph.access import ANONYMOUS, may_read, today
from pic.graph.names import Names


def _graph_of(quad) -> str:
    return getattr(quad.graph_name, "value", "")  # the default graph has no name


class Replicas:
    def __init__(self, names: Names):
        self.names = names
        self.full = Store()
        self.public: Store | None = None  # None while every graph is public: `full` serves
        self.excluded: set[str] = set()  # graphs kept out of `public`
        self.checked = today()  # the day the excluded graphs' embargoes were last looked at
        self.generation = -1

    def catch_up(self, base: int, wanted: int, folder: Path) -> None:
        """Reach generation `wanted`: by deltas from where the replicas are, else from the snapshot `base`."""
        if self.generation < base or self.generation > wanted:
            self.generation = -1  # until the load succeeds
            self._load(folder / f"{base}.nq")
            self.generation = base
        for generation in range(self.generation + 1, wanted + 1):
            for kind in ("removed", "added"):
                path = folder / f"{generation}.{kind}.nq"
                quads = list(parse(path=str(path), format=RdfFormat.N_QUADS)) if path.exists() else []
                self._apply(quads, added=kind == "added")
        self.generation = wanted

    def for_anonymous(self) -> Store:
        """The store to answer an anonymous reader from, as the union of its graphs.

        An embargo ends at midnight, so the excluded graphs are looked at again once a day, not on every
        query: with thousands of them (hidden annotations, partners' private graphs) that took
        milliseconds per query."""
        if today() == self.checked:
            return self.full if self.public is None else self.public
        self.checked = today()
        lifted = [g for g in self.excluded if self._is_public(g)]  # embargoes whose day has come
        for graph in lifted:
            self.excluded.discard(graph)
            if self.public is not None:
                self.public.extend(self.full.quads_for_pattern(None, None, None, NamedNode(graph)))
        return self.full if self.public is None else self.public

    def _load(self, snapshot: Path) -> None:
        # A missing snapshot is an error, never an empty replica answering as if the store were empty.
        full = Store()
        full.bulk_load(path=str(snapshot), format=RdfFormat.N_QUADS)
        self.full, self.public = full, None
        self.excluded = {g.value for g in self.full.named_graphs() if not self._is_public(g.value)}
        if self.excluded:
            self.public = Store()
            self.public.bulk_load(path=str(snapshot), format=RdfFormat.N_QUADS)
            for graph in self.excluded:
                self.public.remove_graph(NamedNode(graph))

    def _apply(self, quads: list, added: bool) -> None:
        seen: set[str] = set()  # graphs of this delta already checked (a delta may hold 50k quads)
        for q in quads:
            graph = _graph_of(q)
            if graph not in seen:
                seen.add(graph)
                if graph not in self.excluded and not self._is_public(graph):
                    self._exclude(graph)  # a new graph anonymous readers may not read
            stores = [self.full] if graph in self.excluded or self.public is None else [self.full, self.public]
            for store in stores:
                if added:
                    store.add(q)
                else:
                    store.remove(q)

    def _exclude(self, graph: str) -> None:
        self.excluded.add(graph)
        if self.public is None:  # the first graph that is not public: copy the rest once
            self.public = Store()
            self.public.extend(q for q in self.full if _graph_of(q) not in self.excluded)

    def _is_public(self, graph: str) -> bool:
        return may_read(ANONYMOUS, graph, self.names)
