"""A SPARQL Update as a change of the one write path: its exact effect is worked out first, then written
like any other change (permission and ownership, SHACL, history delta, one transaction with its PROV
activity, inferences, the query copies and the search index following by the delta).

How the effect is worked out: inside the writer's lock, the update runs on a scratch in-memory pyoxigraph
store holding the statements it can read or change (`service/update_scope.py` reads them off the parse
as quad patterns), in a child process stopped past the time and memory limits (`engine/update_sandbox.py`),
and the change is the difference, before and after, of the statements it can change.
So the engine's own semantics decide — operations in order within one request, each seeing the ones
before it; DELETE/INSERT with WITH and USING; DELETE WHERE; DROP, CLEAR, COPY, MOVE, ADD; blank nodes
a template makes; NOW(), UUID() and RAND() evaluated once — and nothing is implemented twice. The other
way, evaluating each operation's WHERE as a query and instantiating its templates, would re-implement
the update half of SPARQL beside the engine, operation by operation.

What it costs: the statements the patterns match, read from the store. One INSERT DATA, or a DELETE
WHERE about one subject, reads a few; `DROP GRAPH` reads the graph; a pattern of variables only
(`GRAPH ?g { ?s ?p ?o }`) reads every graph, which is what such an update ranges over anyway.
A change in the scratch store outside the patterns (the parse and the engine disagreeing) is caught by
counting, and the effect worked out again over the whole store.

The default graph: with the union setting on (PIC_UNION_DEFAULT_GRAPH, the platform's own mode), the
store's own default graph, read as the engine reads it (a WHERE without GRAPH or WITH matches nothing
here), and writing it is refused: every statement lives in a named graph, which says who may read it.
In the standard mode (the setting off) it is the named graph `Names.default_graph`, which the scratch
store holds as its default graph: an update reads and writes it without GRAPH, as on any SPARQL store,
and naming it with GRAPH is refused (it would be two graphs in the scratch store).
`DROP ALL`, `CLEAR ALL` and their `NAMED` forms apply to the graphs the user may write: the platform's
own graphs (change records, inferences, graphs an API owns) stay as they are. Statements with blank
nodes are removed only with their whole graph (`store.emptied_graphs`: DELETE DATA cannot name a blank
node; a DROP can). An update that changes nothing records nothing.
"""

import logging
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Protocol

from pyoxigraph import DefaultGraph, NamedNode, Quad, Store, Variable

from pic.graph.access import User, may_write
from pic.graph.engine.jobs import QueryFailed
from pic.graph.engine.update_sandbox import DEFAULT_LIMITS, Limits, evaluate
from pic.graph.names import GraphName
from pic.graph.store.interface import KnowledgeStore, Query, bind_rows, solutions

if TYPE_CHECKING:  # the write path's module imports most of graph/
    from pic.graph.writes.path import Writer, WriteResult

log = logging.getLogger(__name__)
SOURCE = "SPARQL Update"  # the activity's dcterms:source
MATCHING = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
DEFAULT_GRAPH = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
EVERYTHING = (None, None, None, None)
POSITIONS = [Variable(v) for v in ("s", "p", "o", "g")]
BATCH = 500
Pattern = tuple[str | None, str | None, str | None, str | None]  # (s, p, o, graph) IRIs, None for any


class UpdateScope(Protocol):
    """What an update can read and change, as the service parses it (`service.update_scope.Scope`)."""

    @property
    def reads(self) -> AbstractSet[Pattern]: ...
    @property
    def writes(self) -> AbstractSet[Pattern]: ...
    @property
    def graph_names(self) -> bool: ...
    @property
    def every_graph(self) -> bool: ...


class UpdateRefused(QueryFailed):
    """The update's effect is not a change the write path can make (400)."""


def apply_update(
    writer: "Writer",
    user: User,
    text: str,
    scope: UpdateScope,
    default: NamedNode | None = None,
    base_iri: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> "WriteResult | None":
    """Work out the update's change and write it. It is worked out first outside the writer's lock (an
    admin's 30 s update held every partner's write for 29 s, fourteenth outside re-test), then written
    under it if no write began meanwhile, else worked out again under the lock: nothing writes in between.
    `scope` is what the update can read and change (`update_scope.Scope`); `default` the named graph
    that stands for the default graph (the standard mode), None for the store's own; `base_iri` what
    relative IRIs resolve against. Returns the WriteResult, or None when the update changes nothing."""
    spared: Callable[[GraphName], bool] | None = None
    if scope.every_graph:  # DROP/CLEAR ALL or NAMED: the graphs the user may write

        def spared(graph: GraphName) -> bool:
            return not may_write(user, graph, writer.names)

    def change() -> tuple[Store, list[Quad]]:
        return update_change(
            writer.store,
            text,
            scope.reads,
            scope.writes,
            scope.graph_names,
            default=default,
            base_iri=base_iri,
            spared=spared,
            limits=limits,
        )

    with writer.lock:
        begun = writer.writes_begun
    added, removed = change()  # outside the lock: its evaluation may take the whole time limit
    with writer.lock:
        if writer.writes_begun != begun:  # another write came meanwhile: worked out again on what it left
            added, removed = change()
        if len(added) == 0 and not removed:
            return None
        return writer.write(added, removed, user, source=SOURCE, detail=text)


def update_change(
    store: KnowledgeStore,
    text: str,
    reads: AbstractSet[Pattern],
    writes: AbstractSet[Pattern],
    graph_names: bool = False,
    *,
    default: NamedNode | None = None,
    base_iri: str | None = None,
    spared: Callable[[GraphName], bool] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[Store, list[Quad]]:
    """(added, removed): what `text` does to `store`, worked out on a scratch copy of what it can read
    (`reads`, and what it can change, `writes`: (s, p, o, graph) IRI patterns, None for any) and compared
    on what it can change. `graph_names`: the update ranges over graph names (`GRAPH ?g`). `default`:
    the named graph the scratch store holds as its default graph (None: the store's own default graph,
    which may not be written). `spared`: graphs whose statements the update leaves as they are (what
    a DROP ALL does not remove). `limits`: the time and memory the update's evaluation may take (its
    child process is stopped past them: `engine.update_sandbox`)."""
    if default is not None and any(p[3] == default.value for p in (*reads, *writes)):
        raise UpdateRefused(f"<{default.value}> is the default graph here: read and write it without GRAPH (or WITH)")
    writes, reads = _pruned(writes), _pruned({*reads, *writes})
    if default is None:
        default_quads = {
            Quad(r["s"], r["p"], r["o"], DefaultGraph()) for r in solutions(store.query(DEFAULT_GRAPH, union=False))
        }
    else:
        default_quads = {Quad(q.subject, q.predicate, q.object, DefaultGraph()) for q in store.quads(default)}
    before = _named(_matching(store.query, writes), default) | default_quads
    sent = before | _named(_matching(store.query, reads - writes), default)
    graphs = [g for g in store.graphs() if isinstance(g, NamedNode) and g != default] if graph_names else []
    scratch = evaluate(sent, graphs, text, base_iri, limits)
    counted = len(sent)
    after = _matching(scratch.query, writes) | set(scratch.quads_for_pattern(None, None, None, DefaultGraph()))
    added, removed = after - before, before - after
    if len(scratch) - counted != len(added) - len(removed):
        if writes == {EVERYTHING} and reads == {EVERYTHING}:
            raise RuntimeError("the update's change could not be worked out")
        log.warning(
            "the update changed statements its parse did not say it could: worked out again over the whole store"
        )
        return update_change(
            store,
            text,
            {EVERYTHING},
            {EVERYTHING},
            True,
            default=default,
            base_iri=base_iri,
            spared=spared,
            limits=limits,
        )
    if spared is not None:
        removed = {q for q in removed if isinstance(q.graph_name, DefaultGraph) or not spared(q.graph_name)}
    if default is None:
        _refuse(added, removed)
    else:
        added, removed = _stored(added, default), _stored(removed, default)
    staged = Store()
    staged.extend(added)
    return staged, sorted(removed, key=str)


def _named(quads: set[Quad], default: NamedNode | None) -> set[Quad]:
    """The quads less those of the graph that stands for the default graph (held as the default)."""
    return quads if default is None else {q for q in quads if q.graph_name != default}


def _stored(quads: set[Quad], default: NamedNode) -> set[Quad]:
    """The scratch store's quads as the store keeps them: the default graph's in `default`."""
    return {
        Quad(q.subject, q.predicate, q.object, default) if isinstance(q.graph_name, DefaultGraph) else q for q in quads
    }


def _refuse(added: set[Quad], removed: set[Quad]) -> None:
    if any(isinstance(q.graph_name, DefaultGraph) for q in (*added, *removed)):
        raise UpdateRefused(
            "this update writes the default graph; every statement lives in a named graph "
            "here: name it with GRAPH <…> or WITH <…>"
        )


def _pruned(patterns: Iterable[Pattern]) -> set[Pattern]:
    """The patterns less those a whole graph's pattern (or everything) already covers."""
    patterns = set(patterns)
    if EVERYTHING in patterns:
        return {EVERYTHING}
    whole = {g for s, p, o, g in patterns if s is None and p is None and o is None}
    return {q for q in patterns if q[3] not in whole or q[:3] == (None, None, None)}


def _matching(query: Query, patterns: Iterable[Pattern]) -> set[Quad]:
    """Every named-graph quad matching one of the patterns, asked 500 patterns of a shape at a time."""
    shapes: dict[tuple[bool, ...], list[list[NamedNode]]] = {}
    for pattern in patterns:
        terms = [_node(t) for t in pattern]
        shapes.setdefault(tuple(t is not None for t in terms), []).append([t for t in terms if t is not None])
    found: set[Quad] = set()
    for shape, rows in shapes.items():
        names = [v for v, bound in zip(POSITIONS, shape, strict=True) if bound]
        for start in range(0, len(rows) if names else 1, BATCH):
            text = bind_rows(MATCHING, names, rows[start : start + BATCH]) if names else MATCHING
            found.update(Quad(r["s"], r["p"], r["o"], r["g"]) for r in solutions(query(text)))
    return found


def _node(iri: str | None) -> NamedNode | None:
    """An IRI of a pattern as a term; one the engine would not read stands for any term."""
    if iri is None:
        return None
    try:
        return NamedNode(iri)
    except ValueError:
        return None
