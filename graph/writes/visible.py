"""What a write may look up: the store as its user reads it, so that a private entity is "not found" for
whoever may not read it, on every path, writes included (issue 15).

Creating an entity with an id another organisation uses privately, replacing or deleting it, referring to
it (a study's `builds_on`, a project's `studies_used`, a `producer`), annotating it or attaching a
document to it must answer exactly as for an entity that does not exist: a 409, a 403 "belongs to …" or
an accepted reference would each tell that it exists. So the lookups of these paths go through `seen_by`,
never straight to the store:

    current = owned(seen_by(writer.store, user, names), names, subject)

The derived graphs (inferred, provenance, of every audience: `Names.is_derived`) are left out: they
speak of the entities of the graphs they derive from (the inferred `pic:cooperatesWith` of an actor), so
what they say is no sign that an entity exists.
"""

from dataclasses import dataclass
from typing import Any

from pyoxigraph import NamedNode

from pic.graph.access import ANONYMOUS, User, is_public, readable_by
from pic.graph.names import GraphName, Names
from pic.graph.store.interface import KnowledgeStore, QueryResult


@dataclass(frozen=True)
class Seen:
    """`query` as the store's, over `graphs` only: their union is the default graph, and `GRAPH ?g`
    ranges over them."""

    store: Any  # the store's `query` (a `KnowledgeStore`, a pyoxigraph `Store`)
    graphs: list[GraphName]

    def query(self, sparql: str) -> QueryResult:
        result: QueryResult = self.store.query(sparql, default_graph=self.graphs, named_graphs=self.graphs)
        return result


def seen_by(store: KnowledgeStore, user: User, names: Names) -> Seen:
    """The user graphs of `store` that `user` may read (`access.readable_by` decides)."""
    graphs: list[GraphName] = list(readable_by(user, [g for g in store.graphs() if not names.is_derived(g)], names))
    # never an empty list: to a remote engine, no dataset at all means every graph
    return Seen(store, graphs or [names.graph("none")])


def seen_by_all(store: KnowledgeStore, names: Names, graph: NamedNode) -> Seen | None:
    """The store as anonymous readers read it when `graph`, where a write goes, is theirs to read; else
    None. A public statement naming an entity only private graphs describe (a public project "using"
    its organisation's draft study) would show its name to everyone before it is published."""
    return seen_by(store, ANONYMOUS, names) if is_public(graph.value, names) else None
