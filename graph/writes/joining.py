"""No fact between two other organisations on one organisation's word (issue 16: outside test F3, its
re-test, and the re-test's finding 3); `ownership.check` asks it of every partner's write.

Links that make two other organisations' entities parts of one fact (`JOINING`): a membership between two
other organisations, a project naming two others, a study attributed to two others (a co-signature is a
cooperation tie on the maps) would be a fact about both on the writer's word alone. Such a node, in the
state the write leaves it in, names the writer's own actor `actor/{org}` among them (`joins`, `refuse_joins`).
An observation may join any data set: the series are shared, and the annual report names who gave each figure.

A project's role nodes are its own (`refuse_borrowed`): a link to a qualified node (`QUALIFYING`: a
project's role node, `prov:qualifiedAssociation`; a qualified attribution; a membership node) goes to one
the writer's organisation describes — in the same write, or already in its graphs (`ownership.owners`
says it is theirs) — never to one another organisation or the platform describes, nor to one nobody does.
Pointing aula's project at the demo's `association/chaine-des-parcs--euralens--pilote`, whose agent
euralens' graph states, made the project name euralens with no statement of aula's saying so (204, and a
euralens–louvre-lens tie on the maps). And a role node's agents are read from every graph the writer may
read, not only the project's: the inference rules join a link in one graph to an agent in another.
Another organisation's private graphs are left out, as for every lookup of a write (`visible.seen_by`): a
refusal would tell what they say, and to the writer what they describe is nobody's.
"""

from collections.abc import Iterator

from pyoxigraph import NamedNode, Quad, QuerySolution, Variable

from pic.graph.access import NotAllowed, User, owning_api
from pic.graph.names import GraphName, Names
from pic.graph.store.interface import KnowledgeStore, bind_rows, solutions
from pic.graph.writes.visible import Seen, seen_by
from pic.ontology.namespaces import PREFIXES

# {(node, organisation): {target: predicate}}: what each node a write touches joins (`joins`).
Joined = dict[tuple[object, str], dict[NamedNode, NamedNode]]

ORG = PREFIXES["org"]
PROV = PREFIXES["prov"]
PIC = PREFIXES["pic"]
ORG_MEMBER, ORG_ORGANIZATION = NamedNode(f"{ORG}member"), NamedNode(f"{ORG}organization")
PROV_ASSOCIATED = NamedNode(f"{PROV}wasAssociatedWith")
PROV_QUALIFIED = NamedNode(f"{PROV}qualifiedAssociation")
PROV_AGENT = NamedNode(f"{PROV}agent")
ATTRIBUTED = NamedNode(f"{PROV}wasAttributedTo")
# prov:wasAttributedTo and the ontology's sub-properties of it (`pic:decidedBy` got round the rule:
# sixth outside re-test, finding 4)
ATTRIBUTIONS = {
    ATTRIBUTED,
    NamedNode(f"{PIC}producedBy"),
    NamedNode(f"{PIC}commissionedBy"),
    NamedNode(f"{PIC}decidedBy"),
    NamedNode(f"{PIC}hiddenBy"),
}
JOINING = {ORG_MEMBER, ORG_ORGANIZATION, PROV_ASSOCIATED, *ATTRIBUTIONS}
QUALIFYING = {PROV_QUALIFIED, NamedNode(f"{PROV}qualifiedAttribution"), NamedNode(f"{ORG}hasMembership")}
LINKS = JOINING | QUALIFYING | {PROV_AGENT}  # the links whose targets' owners these rules ask
MEMBERSHIP_RULE = "a membership between two other organisations is stated by one of them"
JOINING_RULE = {
    ORG_MEMBER: MEMBERSHIP_RULE,
    ORG_ORGANIZATION: MEMBERSHIP_RULE,
    PROV_ASSOCIATED: "a project names two other organisations taking part only with its own "
    "organisation's actor among them (they would be shown cooperating on its word)",
    **{
        a: "a study is attributed to two other organisations only with the writer's own actor among "
        "them (a co-signature is a cooperation tie)"
        for a in ATTRIBUTIONS
    },
}
# A node's joining statements and its role nodes, in every graph (kept: its organisation's).
STATED = f"""SELECT ?n ?g ?p ?o WHERE {{ GRAPH ?g {{ ?n ?p ?o
  FILTER (?p IN ({", ".join(str(p) for p in (*JOINING, PROV_QUALIFIED))})) }} }}"""
# The agents of a node's role nodes, whichever graph states them (blank role nodes included).
ROLE_AGENTS = f"SELECT ?a ?o ?h WHERE {{ GRAPH ?g {{ ?n {PROV_QUALIFIED} ?a }} GRAPH ?h {{ ?a {PROV_AGENT} ?o }} }}"
AGENTS = f"SELECT ?a ?o ?h WHERE {{ GRAPH ?h {{ ?a {PROV_AGENT} ?o }} }}"
PARENTS = f"SELECT ?n ?g WHERE {{ GRAPH ?g {{ ?n {PROV_QUALIFIED} ?a }} }}"
BATCH = 500


def org_of(names: Names, graph: GraphName) -> str | None:
    """The organisation whose word a graph is, for these rules: its partner and private graphs, less the
    graphs an API owns (an accepted link is moderation's decision)."""
    if names.kind_of(graph) not in ("partner", "private") or owning_api(graph, names) is not None:
        return None
    return names.owner_of(graph)


def refuse_borrowed(checked: list[tuple[Quad, str]], known: dict[NamedNode, set[str]]) -> None:
    """Raise NotAllowed when a new link goes to a qualified node its writer's organisation does not
    describe. `checked`: the write's new statements in its organisation's graphs, with the organisation;
    `known`: the owners of the named nodes it links to, as the writer sees them."""
    described = {q.subject for q, _ in checked}
    for q, org in checked:
        node = q.object
        if q.predicate not in QUALIFYING or node in described:
            continue
        theirs = known.get(node) if isinstance(node, NamedNode) else None
        if theirs and org in theirs:
            continue
        whose = f"belongs to {', '.join(sorted(theirs))}" if theirs else f"is described in none of {org}'s graphs"
        raise NotAllowed(
            f"{term(node)}: {term(q.subject)} links to a qualified node (a role) that {whose}; an "
            f"entity's role nodes are its own: describe one in {org}'s graph (prov:agent, "
            "prov:hadRole) with the link to it"
        )


def term(node: object) -> str:
    return node.value if isinstance(node, NamedNode) else str(node)


def joins(
    store: KnowledgeStore,
    names: Names,
    user: User,
    checked: list[tuple[Quad, str]],
    removed: list[tuple[Quad, str | None]],
) -> Joined:
    """What each node a write touches joins once the write is applied — a membership's parties, a
    project's agents (direct, or through its role nodes), a study's attributions — {(node, organisation):
    {target: predicate}}: the statements of the organisation's graphs (its role nodes' agents from every
    graph `user` may read), less what the write removes, plus what it adds — so a node built over several
    writes, or edited by a PUT, is judged whole. `checked` and `removed`: the write's new and removed
    statements in organisations' graphs, each with its organisation."""
    writers = {org for _, org in [*checked, *removed] if org}
    nodes = {(q.subject, org) for q, org in [*checked, *removed] if org and q.predicate in JOINING | {PROV_QUALIFIED}}
    seen = seen_by(store, user, names)
    touched = sorted(
        {q.subject for q, _ in [*checked, *removed] if q.predicate == PROV_AGENT and isinstance(q.subject, NamedNode)},
        key=str,
    )
    for row in select(seen, PARENTS, "a", touched):  # the projects whose role's agent the write changes
        if (writer_org := org_of(names, row["g"])) in writers:
            nodes.add((row["n"], writer_org))
    direct: dict[tuple[object, str | None], set[tuple[object, NamedNode, object]]] = {}  # {(target, predicate, graph)}
    roles: dict[tuple[object, str | None], set[tuple[object, object]]] = {}  # (node, org): {(role node, graph)}
    agents: dict[object, set[tuple[object, object]]] = {}  # role node: {(agent, graph)}
    named = sorted({n for n, _ in nodes if isinstance(n, NamedNode)}, key=str)
    for row in select(seen, STATED, "n", named):
        key = (row["n"], org_of(names, row["g"]))
        if key in nodes and row["p"] == PROV_QUALIFIED:
            roles.setdefault(key, set()).add((row["o"], row["g"]))
        elif key in nodes:
            direct.setdefault(key, set()).add((row["o"], row["p"], row["g"]))
    for row in select(seen, ROLE_AGENTS, "n", named):
        agents.setdefault(row["a"], set()).add((row["o"], row["h"]))
    linked = sorted(
        {q.object for q, _ in checked if q.predicate == PROV_QUALIFIED and isinstance(q.object, NamedNode)}, key=str
    )
    for row in select(seen, AGENTS, "a", linked):  # role nodes written before the link to them
        agents.setdefault(row["a"], set()).add((row["o"], row["h"]))
    for statements, change in ((removed, set.discard), (checked, set.add)):
        for q, org in statements:
            if q.predicate == PROV_AGENT:
                change(agents.setdefault(q.subject, set()), (q.object, q.graph_name))
            elif q.predicate == PROV_QUALIFIED and org:
                change(roles.setdefault((q.subject, org), set()), (q.object, q.graph_name))
            elif q.predicate in JOINING and org:
                change(direct.setdefault((q.subject, org), set()), (q.object, q.predicate, q.graph_name))
    found: Joined = {}
    for key in sorted(nodes, key=str):
        linked_to = {o: p for o, p, _ in direct.get(key, ())}
        linked_to.update({o: PROV_ASSOCIATED for role, _ in roles.get(key, ()) for o, _ in agents.get(role, ())})
        targets = {t: p for t, p in linked_to.items() if isinstance(t, NamedNode)}
        if targets:
            found[key] = targets
    return found


def select(seen: Seen, text: str, variable: str, terms: list[NamedNode]) -> Iterator[QuerySolution]:
    """The rows of `text` with `?variable` bound to each of `terms` in turn, a batch at a time."""
    for start in range(0, len(terms), BATCH):
        yield from solutions(
            seen.query(bind_rows(text, [Variable(variable)], [[t] for t in terms[start : start + BATCH]]))
        )


def refuse_joins(names: Names, joined: Joined, known: dict[NamedNode, set[str]]) -> None:
    """Raise NotAllowed when a node joins two other organisations' entities without its organisation's
    own actor among them (`joined` from `joins`; `known`: their owners, as the writer sees them)."""
    for (node, org), targets in sorted(joined.items(), key=lambda i: str(i[0][0])):
        itself = NamedNode(f"{names.base}actor/{org}")
        if itself in targets:
            continue
        for rule in sorted({JOINING_RULE[p] for p in targets.values()}):
            theirs = sorted(
                t.value for t, p in targets.items() if JOINING_RULE[p] == rule and known.get(t) and org not in known[t]
            )
            if len(theirs) >= 2:
                raise NotAllowed(f"{term(node)}: {rule} ({', '.join(theirs)}; {org}'s own actor is {itself.value})")
