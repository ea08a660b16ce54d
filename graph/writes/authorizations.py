"""The authorizations a write adds beside its data, and those a store from before issue 20 lacks.

A graph of an audience (`audiences.governing`) gets its authorization in the write that first puts
something in it, so that no reader ever finds the graph without its rule — and one the write path finds
already holding data without a rule (a store from before audiences existed, a dump loaded from one) keeps
what it was: its organisation's alone, but for an embargo or a working group's annotations, whose names
meant their audience before.
"""

import logging

from pyoxigraph import NamedNode, Quad, Variable

from pic.graph.access import ROLES, NotAllowed, User
from pic.graph.audiences import Audience, Rules, default_for, governing, quads
from pic.graph.names import GraphName, Names
from pic.graph.said import Said
from pic.graph.store.interface import KnowledgeStore, bind, quads_to_update_data

log = logging.getLogger(__name__)


def needed(store: KnowledgeStore, names: Names, rules: Rules, graphs: set[GraphName]) -> list[Quad]:
    """The authorizations to add with a write to `graphs` (the graphs it adds to)."""
    out: list[Quad] = []
    for graph in sorted({g for g in (governing(x, names) for x in graphs) if g is not None}, key=lambda g: g.value):
        if rules.of(graph.value) is not None:
            continue
        held = bool(store.query(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}"))
        asked = _as_it_was(graph, names) if held else default_for(graph, names) or _own(graph, names)
        out += quads(graph, asked, names)
    return out


TYPED = "ASK { GRAPH ?g { ?thing a ?class } }"


def check_new(
    store: KnowledgeStore, names: Names, rules: Rules, user: User, graphs: set[GraphName], organisations: set[str]
) -> None:
    """Refuse (NotAllowed) a write that would create a graph of an audience naming an organisation or a
    working group the platform does not know — a later account under that name would read it — or a
    working group the writer's organisation is not in, whatever the door (the Graph Store took what the
    contribution API refused: second outside re-test of issue 20, N2)."""
    for graph in sorted({g for g in (governing(x, names) for x in graphs) if g is not None}, key=lambda g: g.value):
        if rules.of(graph.value) is not None or store.query(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}"):
            continue
        asked = default_for(graph, names)
        if asked is None:
            continue
        private = names.kind_of(graph) == "private"  # an annotation's group is the annotation API's to check
        problem = refusal(
            store, names, user, asked, names.owner_of(graph), organisations, ("admin",) if private else ROLES
        )
        if problem:
            raise NotAllowed(f"{graph.value}: {problem}")


def refusal(
    store: KnowledgeStore,
    names: Names,
    user: User,
    audience: Audience,
    owner: str | None,
    organisations: set[str],
    any_group: tuple[str, ...] = ("admin",),
) -> str | None:
    """What is wrong with sharing with `audience` (None: nothing): an organisation or a working group the
    platform does not know, or a group the writer's organisation is not in (roles `any_group` name any)."""
    unknown = sorted(
        o for o in audience.orgs - {owner} if o not in organisations and not _typed(store, f"{names.base}actor/{o}")
    )
    if unknown:
        return Said("no organisation {orgs} on the platform", orgs=", ".join(unknown))
    for group in sorted(audience.groups):
        if not _typed(store, f"{names.base}group/{group}"):
            return Said("no working group {group!r} on the platform", group=group)
        if user.role not in any_group and group not in user.groups:
            return Said("{who} is not in the working group {group!r}", who=user.org or user.name, group=group)
    return None


def _typed(store: KnowledgeStore, iri: str) -> bool:
    return bool(store.query(bind(TYPED, {Variable("thing"): NamedNode(iri)})))


def ensure(store: KnowledgeStore, names: Names, rules: Rules) -> int:
    """At start: write the authorization of every governing graph that has data and none (a store from
    before issue 20, or restored from one); the number written."""
    missing = sorted(
        {g for g in (governing(x, names) for x in store.graphs()) if g is not None and rules.of(g.value) is None},
        key=lambda g: g.value,
    )
    held = [g for g in missing if store.query(f"ASK {{ GRAPH {g} {{ ?s ?p ?o }} }}")]
    if held:
        added = [q for g in held for q in quads(g, _as_it_was(g, names), names)]
        store.update(f"INSERT DATA {{ {quads_to_update_data(added)} }}")
        rules.load(store, names)
        log.info("wrote the authorizations of %d graphs from before audiences (issue 20)", len(held))
    return len(held)


def _as_it_was(graph: GraphName, names: Names) -> Audience:
    """Who read a graph before its audience was data: an embargo and a working group's annotations as
    their names said; any other private graph, its organisation."""
    asked = default_for(graph, names)
    segment = graph.value.rsplit("/", 1)[1]
    if asked is not None and (names.kind_of(graph) == "annotations" or segment.startswith("until-")):
        return asked
    return _own(graph, names)


def _own(graph: GraphName, names: Names) -> Audience:
    owner = names.owner_of(graph)
    return Audience(orgs=frozenset({owner} if owner else set()))
