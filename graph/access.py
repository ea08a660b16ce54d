"""Who may write which named graph (ARCHITECTURE.md §8). Reading rules live with the service."""

from dataclasses import dataclass

from pyoxigraph import NamedNode

from pic.graph.names import Names

ROLES = ("anonymous", "partner", "facilitator", "admin")
DERIVED = ("inferred", "provenance")  # written by the write path itself, never by a user
MODERATION = ("hidden", "moderation")  # hidden annotations and moderators' decisions: facilitators only


@dataclass(frozen=True)
class User:
    """An authenticated person or program; `org` is the slug of its partner organisation."""

    name: str
    role: str = "anonymous"
    org: str | None = None
    groups: frozenset[str] = frozenset()  # working groups its organisation belongs to (slugs)

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")


class NotAllowed(PermissionError):
    """The user may not write that graph."""


def may_write(user: User, graph: NamedNode, names: Names) -> bool:
    kind = names.kind_of(graph)
    if kind in DERIVED:
        return False
    if user.role == "admin":
        return True
    if kind in MODERATION:
        return user.role == "facilitator"
    if kind not in ("partner", "annotations", "private"):
        return False
    if user.role == "facilitator" and kind != "private":
        return True
    return user.role in ("partner", "facilitator") and user.org is not None and names.owner_of(graph) == user.org


def check_write(user: User, graphs: set[NamedNode], names: Names) -> None:
    refused = sorted(g.value for g in graphs if not may_write(user, g, names))
    if refused:
        raise NotAllowed(f"{user.name} ({user.role}) may not write {', '.join(refused)}")
