"""Named graphs and IRIs minted by the platform (ARCHITECTURE.md §3 and §5)."""

from dataclasses import dataclass

from pyoxigraph import NamedNode

from pic.ontology.namespaces import DEFAULT_BASE


@dataclass(frozen=True)
class Names:
    """The IRIs of one deployment, derived from its base IRI."""

    base: str = DEFAULT_BASE

    def graph(self, path: str) -> NamedNode:
        return NamedNode(f"{self.base}graph/{path}")

    @property
    def ontology(self) -> NamedNode:
        return self.graph("ontology")

    @property
    def territories(self) -> NamedNode:
        return self.graph("territories")

    @property
    def inferred(self) -> NamedNode:
        return self.graph("inferred")

    @property
    def provenance(self) -> NamedNode:
        return self.graph("provenance")

    def partner(self, org: str) -> NamedNode:
        return self.graph(f"partner/{org}")

    def annotations(self, org: str) -> NamedNode:
        return self.graph(f"annotations/{org}")

    def change(self, change_id: str) -> NamedNode:
        return NamedNode(f"{self.base}change/{change_id}")

    def user(self, name: str) -> NamedNode:
        return NamedNode(f"{self.base}user/{name}")

    def kind_of(self, graph: NamedNode) -> str:
        """'ontology', 'territories', 'partner', 'annotations', 'inferred', 'provenance' or 'other'."""
        prefix = f"{self.base}graph/"
        if not graph.value.startswith(prefix):
            return "other"
        return graph.value[len(prefix):].split("/", 1)[0]

    def owner_of(self, graph: NamedNode) -> str | None:
        """The organisation slug of a partner, annotation, private or hidden graph: the segment after the
        kind (`partner/{org}`, `annotations/{org}/group/{group}`, `private/{org}/…`, `hidden/{org}`)."""
        rest = graph.value[len(f"{self.base}graph/"):]
        parts = rest.split("/", 2)
        if len(parts) >= 2 and parts[0] in ("partner", "annotations", "private", "hidden"):
            return parts[1]
        return None

    def group_of(self, graph: NamedNode) -> str | None:
        """The working group an annotation graph is shared with (`annotations/{org}/group/{group}`)."""
        parts = graph.value[len(f"{self.base}graph/"):].split("/")
        return parts[3] if len(parts) == 4 and parts[0] == "annotations" and parts[2] == "group" else None
