"""The rules conclude from facts only: no claim of one organisation about another's entity.

A graph describes its owner's things (`ownership.py`): what Q's graph says of P's project — that R's
actor took part in it — is Q's claim, shown on the project's page as Q's, and no premise of the rules
(else the public `inferred` graph would say, on Q's word alone, that P's and R's actors cooperate: issue
16, outside re-test finding 4b). The maps leave claims out with `claims.claimed`, asked per reader; the
rules run on each write, so here the owners are read from what the extract already holds plus one
query for the types of its subjects (`TYPED`), with the pending change applied, and a premise is kept
when its graph's speaker owns its subject — or is the platform, or a facilitator's accepted link
(`ownership.speaker` None), or nobody types or owns the subject. Each audience judges with what it
reads (`inference.py`): the public premises as anonymous readers see whose each entity is, an
organisation's private and embargoed premises as its members see it (its own typing first).
"""

from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from urllib.parse import quote

from pyoxigraph import NamedNode, Quad, Store, Triple

from pic.graph.access import ANONYMOUS, User, is_public, readable_by
from pic.graph.names import GraphName, Names, named
from pic.graph.reasoning.workspace import SAID_BY, SPEAKS_AS, TRUSTED
from pic.graph.store.interface import KnowledgeStore, Term, solutions
from pic.graph.writes import ownership  # which imports this module: its types are quoted below
from pic.ontology.namespaces import expand

RDF_TYPE = NamedNode(expand("rdf:type"))
SUB_PROPERTY = NamedNode(expand("rdfs:subPropertyOf"))
# The graphs that type each subject the rules read something of (bound: the source graphs).
TYPED = """SELECT DISTINCT ?s ?class ?g WHERE {{
  {{ SELECT DISTINCT ?s WHERE {{ {subjects} }} }}
  GRAPH ?g {{ ?s a ?class }} FILTER (isIRI(?s)) }}"""
Typing = tuple[Term, GraphName]  # (class, the graph that states it) of a subject
Typings = dict[NamedNode, set[Typing]]


def typings(
    store: KnowledgeStore,
    sources: list[GraphName],
    extract: str,
    added: Store | None = None,
    removed: Iterable[Quad] = (),
) -> Typings:
    """{subject: {(class, graph)}} for the subjects of the premises (`extract`: the pattern that binds
    them as ?s), from the store's `sources`, with the pending change applied."""
    found: Typings = {}
    if sources:
        text = TYPED.format(subjects=extract)
        for row in solutions(store.query(text, default_graph=sources, named_graphs=sources)):
            found.setdefault(row["s"], set()).add((row["class"], row["g"]))
    for q in removed:
        if q.predicate == RDF_TYPE and isinstance(q.subject, NamedNode):  # only IRIs are typed subjects
            found.get(q.subject, set()).discard((q.object, named(q.graph_name)))
    if added is not None:
        for q in added.quads_for_pattern(None, RDF_TYPE, None, None):
            if isinstance(q.subject, NamedNode):
                found.setdefault(q.subject, set()).add((q.object, named(q.graph_name)))
    return found


def facts(
    premises: dict[GraphName, set[Triple]],
    typed: Typings,
    names: Names,
    target: Callable[[GraphName], NamedNode | None],
    records: "Callable[[User], ownership.Earliest]",
) -> dict[GraphName, set[Triple]]:
    """The premises less the claims, each audience's as its readers see whose each entity is. `target`:
    a premise graph's inferred graph (`names.inferred` for a public one); `records(user)`: the
    `earliest` of `ownership.owners_from` over the change records `user` may read."""
    audience = {g: target(g) for g in premises}
    public = {g for g, into in audience.items() if into == names.inferred}
    orgs = {names.owner_of(into) for g, into in audience.items() if into is not None and g not in public}
    views: dict[str | None, tuple[set[GraphName], User]] = {None: (public, ANONYMOUS)}
    org: str | None
    for org in sorted(o for o in orgs if o):
        own = {g for g, into in audience.items() if into is not None and names.owner_of(into) == org}
        views[org] = (public | own, User(f"inference-{org}", role="partner", org=org))
    owners_of = {
        org: _owners(premises, typed, names, graphs, org, records(user)) for org, (graphs, user) in views.items()
    }
    # an account is no actor: an accepted link's records made the moderator "inform" the author's account
    # in the public inferred graph (tenth outside re-test, finding 4)
    accounts = f"{names.base}user/"
    out = {}
    for graph, triples in premises.items():
        into = audience[graph]
        if into is None:
            continue
        org = None if graph in public else names.owner_of(into)
        said = ownership.speaker(names, graph)
        owners = owners_of.get(org, owners_of[None])
        out[graph] = {
            t
            for t in triples
            if not any(isinstance(n, NamedNode) and n.value.startswith(accounts) for n in (t.subject, t.object))
            and (
                said in (None, ownership.PLATFORM)
                or t.predicate == SUB_PROPERTY
                or not isinstance(t.subject, NamedNode)
                or said in owners.get(t.subject, {said})
            )
        }
        out[graph] |= speakers(out[graph], owners, names)
    return out


def org_node(org: str) -> NamedNode:
    return NamedNode(f"urn:pic:inference:org:{quote(org, safe='')}")


def speakers(triples: set[Triple], owners: dict[NamedNode, set[str]], names: Names) -> set[Triple]:
    """What the rules' workspace is told of who says what, for the ties between actors
    (`inference.spoken`): each premise entity's owners as the audience sees them (`SAID_BY`), the
    organisation an `actor/{org}` is (`SPEAKS_AS`), and who speaks for all: the curators and the
    platform (`TRUSTED`). They are no premise of any rule and never leave the workspace."""
    found = {Triple(org_node(who), RDF_TYPE, TRUSTED) for who in (*names.curators, ownership.PLATFORM)}
    for t in triples:
        for node in (t.subject, t.object):
            if not isinstance(node, NamedNode):
                continue
            found |= {Triple(node, SAID_BY, org_node(who)) for who in owners.get(node, ())}
            org = ownership.own_actor(names, node)
            if org:
                found.add(Triple(node, SPEAKS_AS, org_node(org)))
    return found


def _owners(
    premises: dict[GraphName, set[Triple]],
    typed: Typings,
    names: Names,
    graphs: AbstractSet[GraphName],
    org: str | None,
    earliest: "ownership.Earliest",
) -> dict[NamedNode, set[str]]:
    """The owners of the premises' subjects as a reader of `org` (None: anonymous) sees them, from
    `graphs` (what that audience reads of the premises) and the typings in those graphs or public ones."""
    described: dict[NamedNode, list[tuple[GraphName, bool]]] = {}
    for graph in graphs:
        for t in premises.get(graph, ()):
            if isinstance(t.subject, NamedNode):
                described.setdefault(t.subject, []).append((graph, False))
    result = {}
    for subject, pairs in described.items():
        typing = [(g, True) for _, g in typed.get(subject, ()) if g in graphs or _readable(names, g, org)]
        found = ownership.owners_from([*typing, *pairs], names, subject, earliest, reader=org)
        if found:
            result[subject] = found
    return result


def _readable(names: Names, graph: GraphName, org: str | None) -> bool:
    """A graph the audience reads: a public one, or (for an organisation's) one of its own."""
    if is_public(graph.value, names):
        return True
    return org is not None and names.owner_of(graph) == org and not names.is_derived(graph)


def record_reader(store: KnowledgeStore, names: Names) -> "Callable[[User], ownership.Earliest]":
    """`records` for `facts`: each audience's `earliest`, over the change records its readers may read."""
    graphs = ownership.record_graphs(store, names)

    def records(user: User) -> "ownership.Earliest":
        readable = readable_by(user, graphs, names) or [names.graph("none")]
        return ownership.earliest_typing(
            lambda text: [
                (row["g"].value, row["first"].value if row["first"] else None)
                for row in solutions(store.query(text, named_graphs=readable))
            ]
        )

    return records
