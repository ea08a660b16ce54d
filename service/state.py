"""What the service keeps between writes because every request needs it: the store's graph names (to
build a query's dataset) and which working groups each organisation belongs to (to read annotations
shared with a group). Both are refreshed by the write path's listeners."""

from pic.graph.access import User, View, reading_view, today
from pic.graph.names import Names
from pic.ontology.namespaces import sparql_prefixes

GROUPS = (
    sparql_prefixes()
    + """
SELECT DISTINCT ?actor ?group ?said ?owner WHERE {
  GRAPH ?owner { ?group a pic:WorkingGroup } GRAPH ?said { ?m org:member ?actor ; org:organization ?group } }"""
)


class GraphNames:
    """The store's graph names, and each kind of reader's view of them, kept until the next write:
    checking every name on every request costs milliseconds once there are thousands of graphs (one
    per accepted annotation link)."""

    def __init__(self, store, names: Names):
        self.store, self.iris = store, names
        self.refresh()

    def refresh(self) -> None:
        # One swap: a view computed from the old names lands in the old cache, which is dropped.
        self._state: tuple[list[str], dict] = ([g.value for g in self.store.graphs()], {})

    @property
    def names(self) -> list[str]:
        return self._state[0]

    def view(self, user: User) -> View:
        """What `user` may read (an embargo ends at midnight: the day is part of the key)."""
        graphs, views = self._state
        key = (user.role, user.org, user.groups, today())
        if key not in views:
            views[key] = reading_view(user, graphs, self.iris)
        return views[key]


class WorkingGroups:
    """Organisation slug → slugs of the working groups its actor is a member of, as the group's owner (the
    organisation whose graph types it) or the curators say: cd62 wrote in its own graph that its actor
    was a member of the demo's group, and read the group's annotations (tenth outside re-test, finding 2)."""

    def __init__(self, store, names):
        self.store, self.names, self.base = store, names, names.base
        self.refresh()

    def refresh(self) -> None:
        found: dict[str, set[str]] = {}
        actors, groups = f"{self.base}actor/", f"{self.base}group/"
        for row in self.store.query(GROUPS):
            actor, group = row["actor"].value, row["group"].value
            said, owner = self.names.owner_of(row["said"]), self.names.owner_of(row["owner"])
            if not said or said not in {owner, *self.names.curators}:
                continue
            if actor.startswith(actors) and group.startswith(groups):
                found.setdefault(actor[len(actors) :], set()).add(group[len(groups) :])
        self.by_org = {org: frozenset(g) for org, g in found.items()}

    def of(self, org: str) -> frozenset[str]:
        return self.by_org.get(org, frozenset())
