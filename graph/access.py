"""Who may read and who may write which named graph (docs/architecture.md §3, §6).

The reading rules are here, in the graph layer, because the query runner applies them too: it keeps a
copy of what anonymous readers may read (see graph/engine/copies.py).
"""

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date

from pyoxigraph import NamedNode

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


def embargo_lifted(graph_rest: str, day: date | None = None) -> bool:
    """`graph_rest` is what follows `private/{org}/`: true once an embargo's day has come, for the
    embargoed graph `until-YYYY-MM-DD` and for what lies under it (`until-YYYY-MM-DD/inferred`)."""
    m = EMBARGO.match(graph_rest)
    return m is not None and m.group(1) <= (day or today()).isoformat()


def may_read(user: User, graph: str, names: Names) -> bool:
    """Private graphs `{base}graph/private/{org}/…`: that organisation's members, facilitators, admins;
    an embargoed one (`private/{org}/until-YYYY-MM-DD`, and its derived graphs below it) is everyone's
    from that day on. Annotations shared with a working group (`annotations/{org}/group/{group}`): the
    group's members too. Hidden annotations (`hidden/{org}`) and the records of changes no narrower
    audience shares (`restricted/…`): facilitators and admins."""
    node = NamedNode(graph) if graph.startswith(names.base) else None
    kind = names.kind_of(node) if node else "other"
    if kind not in ("private", "hidden", "annotations", "restricted"):
        return True
    if user.role in ("admin", "facilitator"):
        return True
    if kind in ("hidden", "restricted"):
        return False
    assert node is not None  # its kind is "other" otherwise
    own = user.org is not None and names.owner_of(node) == user.org
    if kind == "annotations":
        group = names.group_of(node)
        return group is None or own or group in user.groups
    rest = graph[len(f"{names.base}graph/private/") :].partition("/")[2]
    return own or embargo_lifted(rest)


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
