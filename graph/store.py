"""The one store interface every caller goes through, and how a deployment picks its backend.

Two backends implement it: `EmbeddedStore` (pyoxigraph on disk, the default) and `RemoteStore` (any
SPARQL 1.1 engine over the Protocol and the Graph Store Protocol). Results are pyoxigraph objects in
both cases (QuerySolutions, QueryBoolean, QueryTriples), so callers never care which one runs.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from pyoxigraph import NamedNode, Quad, RdfFormat, Store


@dataclass
class Change:
    """Quads to add and to remove, applied together or not at all.

    `added` is usually a staging store straight from the parser; `record` is the provenance activity
    that describes the change, written in the same step.
    """

    added: Store
    removed: list[Quad]
    record: list[Quad]  # the provenance activity describing this change

    @property
    def size(self) -> int:
        return len(self.added) + len(self.removed)


class KnowledgeStore(Protocol):
    """What the platform needs from a triple store."""

    def query(self, sparql: str, *, union: bool = True, default_graph: list[NamedNode] | None = None,
              named_graphs: list[NamedNode] | None = None, substitutions: dict | None = None):
        """SELECT/ASK/CONSTRUCT/DESCRIBE; the default graph is the union of all graphs unless
        `default_graph` restricts it (then `named_graphs` restricts GRAPH too)."""

    def update(self, sparql: str) -> None:
        """A SPARQL 1.1 update, applied atomically."""

    def apply(self, change: Change, refresh: str | None = None) -> None:
        """Add and remove quads and write the change's record atomically, then run `refresh`
        (a SPARQL update); if `refresh` fails the change is undone."""

    def graphs(self) -> list[NamedNode]: ...

    def count(self, graph: NamedNode | None = None) -> int: ...

    def dump(self, out: IO[bytes], fmt: RdfFormat, graph: NamedNode | None = None) -> None: ...

    def quads(self, graph: NamedNode | None = None) -> Iterator[Quad]: ...

    def describe_types(self, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which (resource, class) pairs hold in the store, subclasses included (for sh:class)."""

    def close(self) -> None: ...


def quads_to_update_data(quads: Iterable[Quad]) -> str:
    """`GRAPH <g> { s p o . }` lines for INSERT DATA / DELETE DATA, terms serialised by pyoxigraph."""
    lines = []
    for q in quads:
        lines.append(f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}")
    return "\n".join(lines)


def bind(sparql: str, substitutions: dict) -> str:
    """Bind variables to RDF terms with a VALUES block at the start of the WHERE group.

    Terms are pyoxigraph objects serialised by pyoxigraph, so a parameter can never change the
    query's structure. (pyoxigraph's own `substitutions` only accepts projected variables.)
    """
    if not substitutions:
        return sparql
    names = " ".join(f"?{v.value}" for v in substitutions)
    terms = " ".join(str(t) for t in substitutions.values())
    block = f" VALUES ({names}) {{ ({terms}) }} "
    m = re.search(r"\bWHERE\s*\{", sparql, flags=re.IGNORECASE) or re.search(r"\{", sparql)
    if m is None:
        raise ValueError("cannot bind parameters: the query has no group pattern")
    return sparql[:m.end()] + block + sparql[m.end():]


def types_query(pairs: list[tuple[str, str]]) -> str:
    values = " ".join(f"(<{v}> <{c}>)" for v, c in pairs)
    return ("SELECT ?v ?c WHERE { VALUES (?v ?c) { " + values + " } "
            "?v a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?c }")


def open_store(settings) -> KnowledgeStore:
    """The store a deployment's settings ask for."""
    if settings.store == "remote":
        from pic.graph.remote_store import RemoteStore

        if not settings.sparql_query_url:
            raise ValueError("PIC_STORE=remote needs PIC_SPARQL_QUERY_URL")
        return RemoteStore(settings.sparql_query_url, settings.sparql_update_url,
                           settings.graph_store_url)
    from pic.graph.embedded_store import EmbeddedStore

    return EmbeddedStore(Path(settings.data_dir))
