"""Named graphs and IRIs minted by the platform (docs/architecture.md §3).

Derived graphs — written by the write path, never by a user — are as private as their least public
premise, so there is one per audience: `inferred` and `provenance` for everyone, `private/{org}/inferred`
and `private/{org}/provenance` for an organisation, `private/{org}/until-YYYY-MM-DD/inferred|provenance`
for an embargo (public from its day on, like its premise), and `restricted/provenance` (facilitators and
admins) for a change whose readers have nothing else in common.
"""

import re
from collections.abc import Collection
from dataclasses import dataclass

from pyoxigraph import BlankNode, DefaultGraph, NamedNode

from pic.ontology.namespaces import DEFAULT_BASE

GraphName = NamedNode | BlankNode  # a graph's name in a quad or a store: an IRI, or a blank node (TriG allows one)


def named(graph: NamedNode | BlankNode | DefaultGraph) -> GraphName:
    """A written quad's graph, where the code reads its name: never the default graph, which the write path
    maps to a named graph or refuses (`parsing._map_default_graph`, `update_change._refuse`)."""
    assert not isinstance(graph, DefaultGraph), "a write's statements are in named graphs"
    return graph


# Whole kinds only the write path writes: inferences, change records, and who reads which graph (issue 20).
DERIVED_KINDS = ("inferred", "provenance", "restricted", "access-control")
# The segment after `private/{org}/` that names a graph's audience when it is first written (`audiences.py`
# writes it down as an authorization, which is what readers are checked against from then on): an embargo
# (`until-YYYY-MM-DD`), all PIC members, named organisations (`with-a_b`), a working group (`group-g`).
# The same text is an XPath regex (SPARQL REGEX), so it keeps to what both languages read alike.
AUDIENCE_SEGMENT_TEXT = r"(until-[0-9]{4}-[0-9]{2}-[0-9]{2}|members|with-[a-z0-9-]+(_[a-z0-9-]+)*|group-[a-z0-9-]+)"
AUDIENCE_SEGMENT = re.compile(rf"^{AUDIENCE_SEGMENT_TEXT}$")
EMBARGO_SEGMENT = re.compile(r"^until-\d{4}-\d{2}-\d{2}$")
# After `{base}graph/`: an organisation's or one of its audiences' derived graphs.
PRIVATE_DERIVED = rf"private/[^/]+/({AUDIENCE_SEGMENT_TEXT}/)?"
PROVENANCE_PATH = rf"^(provenance|restricted/provenance|{PRIVATE_DERIVED}provenance)$"
INFERRED_PATH = rf"^(inferred|{PRIVATE_DERIVED}inferred)$"
_PROVENANCE, _INFERRED = re.compile(PROVENANCE_PATH), re.compile(INFERRED_PATH)
_PRIVATE_DERIVED = re.compile(rf"^{PRIVATE_DERIVED}(inferred|provenance)$")
RESTRICTED = "restricted"


@dataclass(frozen=True)
class Names:
    """The IRIs of one deployment, derived from its base IRI."""

    base: str = DEFAULT_BASE
    curators: frozenset[str] = frozenset({"euralens"})
    """The organisations whose graphs hold the PIC's own curated descriptions (its facilitators': the demo
    describes the actors in `partner/euralens`). An organisation's own actor is its own once it describes
    it, and theirs (`ownership.owners_from`)."""

    def graph(self, path: str) -> NamedNode:
        return NamedNode(f"{self.base}graph/{path}")

    @property
    def ontology(self) -> NamedNode:
        return self.graph("ontology")

    @property
    def territories(self) -> NamedNode:
        return self.graph("territories")

    @property
    def default_graph(self) -> NamedNode:
        """The standard dataset's default graph (`PIC_UNION_DEFAULT_GRAPH=false`): a named graph in the
        store, so that who may read and write it is decided like any other graph's, and so that a query
        over HTTP can name it beside a list of named graphs (the SPARQL protocol cannot name an
        engine's own default graph). Queries see it as their default graph and never in `GRAPH ?g`."""
        return self.graph("default")

    def is_validated(self, graph: NamedNode | BlankNode | DefaultGraph) -> bool:
        """Whether the SHACL shapes check what a graph says: the platform's graphs (`{base}graph/…`),
        whose entities the shapes describe, but the standard dataset's default graph; a graph named
        outside the base, like that default graph, is a plain SPARQL graph an admin fills with any
        vocabulary (the W3C suites' data among them) and the platform's pages do not read as its own."""
        value = getattr(graph, "value", None)
        return value is not None and value.startswith(f"{self.base}graph/") and value != self.default_graph.value

    @property
    def inferred(self) -> NamedNode:
        """The conclusions drawn from public premises only."""
        return self.graph("inferred")

    @property
    def provenance(self) -> NamedNode:
        """The records of changes to public graphs only."""
        return self.graph("provenance")

    @property
    def restricted_provenance(self) -> NamedNode:
        """The records of changes no narrower audience may read (several organisations' private graphs,
        hidden graphs; a SPARQL Update's text; before issue 17, SPARQL Updates whose effect was not
        known): facilitators and admins."""
        return self.graph("restricted/provenance")

    @property
    def access_control(self) -> NamedNode:
        """Who reads which graph, as Web Access Control authorizations (`audiences.py`): admins only."""
        return self.graph("access-control")

    def partner(self, org: str) -> NamedNode:
        return self.graph(f"partner/{org}")

    def annotations(self, org: str) -> NamedNode:
        return self.graph(f"annotations/{org}")

    def change(self, change_id: str) -> NamedNode:
        return NamedNode(f"{self.base}change/{change_id}")

    def user(self, name: str) -> NamedNode:
        return NamedNode(f"{self.base}user/{name}")

    def kind_of(self, graph: GraphName) -> str:
        """'ontology', 'territories', 'partner', 'annotations', 'private', 'hidden', 'inferred',
        'provenance', 'restricted', … or 'other'."""
        rest = self._rest(graph)
        return "other" if rest is None else rest.split("/", 1)[0]

    def owner_of(self, graph: GraphName) -> str | None:
        """The organisation slug of a partner, annotation, private or hidden graph: the segment after the
        kind (`partner/{org}`, `annotations/{org}/group/{group}`, `private/{org}/…`, `hidden/{org}`)."""
        rest = graph.value[len(f"{self.base}graph/") :]
        parts = rest.split("/", 2)
        if len(parts) >= 2 and parts[0] in ("partner", "annotations", "private", "hidden"):
            return parts[1]
        return None

    def group_of(self, graph: GraphName) -> str | None:
        """The working group an annotation graph is shared with (`annotations/{org}/group/{group}`)."""
        parts = graph.value[len(f"{self.base}graph/") :].split("/")
        return parts[3] if len(parts) == 4 and parts[0] == "annotations" and parts[2] == "group" else None

    # -- derived graphs ------------------------------------------------------------------------
    def is_derived(self, graph: GraphName) -> bool:
        """Written by the write path alone: inferences and change records of every audience."""
        rest = self._rest(graph)
        return rest is not None and (rest.split("/", 1)[0] in DERIVED_KINDS or bool(_PRIVATE_DERIVED.match(rest)))

    def is_inferred(self, graph: GraphName) -> bool:
        rest = self._rest(graph)
        return rest is not None and bool(_INFERRED.match(rest))

    def is_provenance(self, graph: GraphName) -> bool:
        rest = self._rest(graph)
        return rest is not None and bool(_PROVENANCE.match(rest))

    def audience_of(self, graph: GraphName) -> str:
        """Who reads what derives from the graph, as the path of its derived graphs: '' for everyone,
        `private/{org}` (also for an annotation graph shared with a working group: the organisation's members
        are the readers the group's members all share), `private/{org}/{audience}` for a graph of one of the
        organisation's audiences (`AUDIENCE_SEGMENT`: an embargo, members, named organisations, a working
        group), whose own derived graphs its readers read, or `RESTRICTED` (hidden and derived graphs). The
        day is not looked at: an embargo's audience keeps its name, and grows on its day (its authorization:
        `audiences.py`)."""
        rest = self._rest(graph)
        if rest is None:
            return ""  # not one of ours: public, as `access.may_read` says
        kind, owner = rest.split("/", 1)[0], self.owner_of(graph)
        if self.is_derived(graph) or kind == "hidden" or kind == "private" and not owner:
            return RESTRICTED
        if kind == "private":
            parts = rest.split("/")
            audience = len(parts) > 2 and AUDIENCE_SEGMENT.match(parts[2])
            return f"private/{owner}/{parts[2]}" if audience else f"private/{owner}"
        if kind == "annotations" and self.group_of(graph) is not None:
            return f"private/{owner}" if owner else RESTRICTED
        return ""

    def inferred_for(self, graph: GraphName) -> NamedNode | None:
        """Where the conclusions a premise graph leads to go (beyond those public premises lead to):
        `inferred`, `private/{org}/inferred` or `private/{org}/until-…/inferred`; None for a graph that
        plays no part in the rules (derived, hidden, shared with a working group)."""
        audience = self.audience_of(graph)
        if audience == RESTRICTED or self.group_of(graph) is not None:
            return None
        return self.graph(f"{audience}/inferred" if audience else "inferred")

    def provenance_for(self, graphs: Collection[GraphName]) -> NamedNode:
        """Where the record of a change to these graphs goes: the narrowest audience they share.
        Public graphs add nothing; one organisation's graphs give its `private/{org}/provenance` (or an
        embargo's, the latest day when all are embargoes); anything else — several organisations, a
        hidden graph, no graph known — `restricted/provenance`. The authorizations a write adds beside
        its data (`access-control`) are the platform's and change nothing of who reads the record."""
        graphs = [g for g in graphs if g != self.access_control] or graphs
        audiences = {self.audience_of(g) for g in graphs} - {""}
        if not graphs or RESTRICTED in audiences:
            return self.restricted_provenance
        if not audiences:
            return self.provenance
        owners = {a.split("/")[1] for a in audiences}
        if len(owners) > 1:
            return self.restricted_provenance
        if len(audiences) == 1:
            return self.graph(f"{audiences.pop()}/provenance")
        if all(a.count("/") == 2 and EMBARGO_SEGMENT.match(a.split("/")[2]) for a in audiences):
            return self.graph(f"{max(audiences)}/provenance")  # embargoes only: public from the last day
        # the organisation and several of its audiences: the organisation, whom every audience of its includes
        return self.graph(f"private/{owners.pop()}/provenance")

    def _rest(self, graph: GraphName) -> str | None:
        """What follows `{base}graph/`, or None for a graph the platform did not name."""
        prefix = f"{self.base}graph/"
        return graph.value[len(prefix) :] if graph.value.startswith(prefix) else None
