"""Who may read and who may write which named graph (docs/architecture.md §3, §6).

The reading rules are here, in the graph layer, because the query runner applies them too: it keeps a
copy of what anonymous readers may read (see graph/engine/copies.py).
"""

import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from pyoxigraph import BlankNode, NamedNode

from pic.graph.audiences import Audience, governing, rules_for
from pic.graph.errors import NotTheirs
from pic.graph.names import DERIVED_KINDS, GraphName, Names

ROLES = ("anonymous", "partner", "facilitator", "admin")
# Kinds written by the write path itself, never by a user (an organisation's and an embargo's derived
# graphs, `private/{org}/…/inferred|provenance`, are refused too: `Names.is_derived`).
DERIVED = DERIVED_KINDS
MODERATION = ("hidden", "moderation")  # hidden annotations and moderators' decisions: facilitators only


@dataclass(frozen=True)
class User:
    """An authenticated person or program; `org` is the slug of its partner organisation."""

    name: str
    role: str = "anonymous"
    org: str | None = None
    groups: frozenset[str] = frozenset()  # working groups its organisation belongs to (slugs)

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")


ANONYMOUS = User("anonymous", role="anonymous")
# `until-YYYY-MM-DD`, alone or followed by more path: the embargo's derived graphs lift with it.
EMBARGO = re.compile(r"^until-(\d{4}-\d{2}-\d{2})(?:/|$)")


def today() -> date:
    """The day the reading rules apply (embargoes end at midnight); one place for tests to move it."""
    return date.today()


def may_read(user: User, graph: str, names: Names) -> bool:
    """Public graphs: everyone. The admins' `access-control`: admins. Facilitators and admins read every
    other graph (a role). An organisation reads its own graphs (`private/{org}/…`, `annotations/{org}/…`);
    another reader reads a graph of one of its audiences — `private/{org}/{audience}` and what derives
    from it, an annotation graph shared with a working group — when the graph's authorization admits them
    (`audiences.py`: the Web Access Control data the write path keeps, an embargo's day included), and no
    other private graph. Hidden annotations (`hidden/{org}`) and the records of changes no narrower
    audience shares (`restricted/…`): facilitators and admins."""
    node = NamedNode(graph) if graph.startswith(names.base) else None
    kind = names.kind_of(node) if node else "other"
    if kind not in ("private", "hidden", "annotations", "restricted", "access-control"):
        return True
    if kind == "access-control":
        return user.role == "admin"
    if user.role in ("admin", "facilitator"):
        return True
    if kind in ("hidden", "restricted"):
        return False
    assert node is not None  # its kind is "other" otherwise
    if user.org is not None and names.owner_of(node) == user.org:
        return True
    decides = governing(node, names)
    if decides is None:
        return kind == "annotations" and names.group_of(node) is None  # `annotations/{org}`: public
    rule = rules_for(names.base).of(decides.value)  # none yet: the organisation's alone
    return rule is not None and rule.admits(user.role, user.org, user.groups, today())


def audience(graph: str, names: Names) -> Audience:
    """Who reads `graph`, facilitators and admins aside (they read every graph), as a page says it under
    an item: the graph's authorization, or what its kind gives — everyone for a public graph, the
    organisation for its other private graphs and a graph of an audience written before its rule."""
    node = NamedNode(graph) if graph.startswith(names.base) else None
    decides = governing(node, names) if node is not None else None
    if node is None or decides is None and may_read(ANONYMOUS, graph, names):
        return Audience(everyone=True)
    rule = rules_for(names.base).of(decides.value) if decides is not None else None
    owner = names.owner_of(node)
    return rule or Audience(orgs=frozenset({owner} if owner else set()))


@dataclass(frozen=True)
class View:
    """What a reader may read: every graph (`readable` None) or those listed — `public` when the list is
    exactly what anonymous readers read (the query runner answers that from a copy of its own)."""

    readable: list[str] | None
    public: bool = False


def reading_view(user: User, all_graphs: list[str], names: Names) -> View:
    readable = [g for g in all_graphs if may_read(user, g, names)]
    if len(readable) == len(all_graphs):
        return View(None)  # every graph: the union default graph applies
    return View(
        readable, user.role == "anonymous" or len(readable) == sum(may_read(ANONYMOUS, g, names) for g in all_graphs)
    )


def is_public(graph: str, names: Names) -> bool:
    """Whether anonymous readers read `graph` today (an embargo whose day has come included): the query
    runner's public copy holds these graphs, and the public inferences and records come from them."""
    return may_read(ANONYMOUS, graph, names)


Graph = TypeVar("Graph", bound=NamedNode | BlankNode)


def readable_by(user: User, graphs: Iterable[Graph], names: Names) -> list[Graph]:
    """Those of `graphs` that `user` may read, in their order (what a write may look up, the change
    records a reader's history comes from, an entity's graphs shown in its form)."""
    return [g for g in graphs if may_read(user, g.value, names)]


def cut_to(view: View, graphs: list[str]) -> list[str]:
    """The graphs a request names (the SPARQL protocol's parameters, a query's FROM, a map's dataset) cut
    to those the reader may read: a graph they may not read is left out, never an error that would tell
    it exists."""
    return list(graphs) if view.readable is None else [g for g in graphs if g in view.readable]


def annotation_graphs(
    user: User, view: View, all_graphs: list[str], names: Names, hidden: bool = False
) -> list[str] | None:
    """The graphs the annotation routes read for `user` (`view` is theirs): what they may read — but
    facilitators and admins, who read every graph, see hidden annotations (`hidden/{org}`) only when they
    ask for them (`hidden`: a listing's `?hidden=true`, one annotation by its IRI, moderation), so that a
    hidden annotation stays out of their listings and of what they write beside."""
    if hidden or user.role not in ("facilitator", "admin"):
        return view.readable
    return [g for g in all_graphs if not g.startswith(f"{names.base}graph/hidden/")]


def standard_dataset(view: View, all_graphs: list[str], names: Names) -> tuple[list[str], list[str]]:
    """The SPARQL standard mode's dataset (PIC_UNION_DEFAULT_GRAPH off): its default graph, and as named
    graphs those the reader may read but the records of changes (`…/provenance`), which every write adds
    to: a client that loads its data and asks `GRAPH ?g` finds its own graphs, as on any SPARQL store.
    FROM NAMED and `named-graph-uri` still name the records (`cut_to`)."""
    default = names.default_graph.value
    readable = all_graphs if view.readable is None else view.readable
    return [default], [g for g in readable if g != default and not names.is_provenance(NamedNode(g))]


class NotAllowed(PermissionError):
    """The user may not write that graph."""


# The APIs that own graphs (docs/architecture.md §3: "graphs an API owns are written only through that API").
# Their code passes its name to the write path (`Writer.write(…, api=…)`); the Graph Store, `pic load`,
# imports, forms and reverts pass none, so they write none of these graphs, whoever the user is.
ANNOTATIONS_API, MODERATION_API, DOCUMENTS_API = "annotations", "moderation", "documents"
# The API-owned graphs each API writes: moderation also moves annotations to `hidden/` and back.
# (Documents' descriptions are statements in the study's graph, not graphs: `ownership.py`.)
WRITES_THROUGH: dict[str | None, set[str]] = {
    ANNOTATIONS_API: {ANNOTATIONS_API},
    MODERATION_API: {ANNOTATIONS_API, MODERATION_API},
}
DOORS = {
    ANNOTATIONS_API: "the annotation protocol (/annotations/)",
    MODERATION_API: "moderation (/annotations/{id}/hide, /restore, /accept, /reject)",
}


def owning_api(graph: GraphName, names: Names) -> str | None:
    """The API a graph belongs to: annotations (`annotations/{org}…`, `private/{org}/annotations`),
    moderation (`hidden/{org}`, `moderation`, the accepted links `partner/{org}/link/…`), or None."""
    prefix = names.graph("").value
    if not graph.value.startswith(prefix):
        return None
    parts = graph.value[len(prefix) :].split("/")
    if parts[0] == "annotations" or (parts[0] == "private" and parts[2:3] == ["annotations"]):
        return ANNOTATIONS_API
    if parts[0] in MODERATION or (parts[0] == "partner" and parts[2:3] == ["link"]):
        return MODERATION_API
    return None


def through_other_api(graph: GraphName, names: Names, api: str | None) -> str | None:
    """The API that owns `graph` when it is not one `api` writes (None: writing it is up to the role)."""
    owner = owning_api(graph, names)
    return owner if owner is not None and owner not in WRITES_THROUGH.get(api, set()) else None


def may_write(user: User, graph: GraphName, names: Names, api: str | None = None) -> bool:
    """Whether `user` may write `graph` through `api` (None: directly, as the Graph Store and loads do)."""
    if names.is_derived(graph) or through_other_api(graph, names, api):
        return False
    kind = names.kind_of(graph)
    if user.role == "admin":
        return True
    if kind in MODERATION:
        return user.role == "facilitator"
    if kind not in ("partner", "annotations", "private"):
        return False
    if user.role == "facilitator" and kind != "private":
        return True
    return user.role in ("partner", "facilitator") and user.org is not None and names.owner_of(graph) == user.org


def check_write(user: User, graphs: AbstractSet[GraphName], names: Names, api: str | None = None) -> None:
    """Decided from the graphs' IRIs alone (a graph's existence is never looked at)."""
    for graph in sorted(graphs, key=lambda g: g.value):
        owner = through_other_api(graph, names, api)
        if owner:
            raise NotAllowed(f"{graph.value} is written only through {DOORS[owner]}, by every role")
    refused = sorted(g.value for g in graphs if not may_write(user, g, names, api))
    if refused:
        raise NotAllowed(f"{user.name} ({user.role}) may not write {', '.join(refused)}")


def writes_for(user: User, asked: str | None) -> str | None:
    """The organisation a contribution or an import goes to: a partner's own — naming another is refused
    (it was dropped, and the rows written to their own: issue 16, 6c and 6d); admins and facilitators name
    it, or None, and an edited entity stays in its owner's graph (before, a facilitator's edit moved the
    demo's study into the facilitator's own organisation's graph)."""
    if user.role in ("admin", "facilitator"):
        return asked or None
    if asked and asked != user.org:
        raise NotTheirs([("org", f"a partner writes for their own organisation only ({user.org})")])
    return user.org
