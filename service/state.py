"""What the service keeps between writes because every request needs it: the store's graph names (to
build a query's dataset) and which working groups each organisation belongs to (to read annotations
shared with a group). Both are refreshed by the write path's listeners."""

from pic.ontology.namespaces import sparql_prefixes

GROUPS = sparql_prefixes() + """
SELECT DISTINCT ?actor ?group WHERE { ?m org:member ?actor ; org:organization ?group . ?group a pic:WorkingGroup }"""


class GraphNames:
    def __init__(self, store):
        self.store = store
        self.refresh()

    def refresh(self) -> None:
        self.names = [g.value for g in self.store.graphs()]


class WorkingGroups:
    """Organisation slug → slugs of the working groups its actor is a member of."""

    def __init__(self, store, base: str):
        self.store, self.base = store, base
        self.refresh()

    def refresh(self) -> None:
        found: dict[str, set[str]] = {}
        actors, groups = f"{self.base}actor/", f"{self.base}group/"
        for row in self.store.query(GROUPS):
            actor, group = row["actor"].value, row["group"].value
            if actor.startswith(actors) and group.startswith(groups):
                found.setdefault(actor[len(actors):], set()).add(group[len(groups):])
        self.by_org = {org: frozenset(g) for org, g in found.items()}

    def of(self, org: str) -> frozenset[str]:
        return self.by_org.get(org, frozenset())
