"""A graph describes its owner's things (ARCHITECTURE.md §8): what a write may say, and where.

An entity belongs to the organisation whose graph states its type (`rdf:type`): the graph it was created
in, by a form, an import or the Graph Store. An entity no graph types belongs to the organisations whose
graphs have it as a subject; one nobody describes yet becomes the writer's with its first statement. The
platform's graphs (ontology, territories) own the ontology's terms, the themes and the communes.

A partner's write to its organisation's graphs may say anything about that organisation's entities and
new ones — links from them to any entity included (a study `prov:wasDerivedFrom` another's study, a
project's role node naming another's actor: the node is the project's) — and nothing about another's:
"X belongs to A" (403). What one organisation says about another's entity in its own graph (a curator's
correction, data written before this rule) is shown on pages as theirs (`service/entities.py`), never
merged into the owner's facts (nor into search hits, `service/routers/search.py`, nor the annual
report's titles, `viz/report.py`). Facilitators and admins curate any partner graph and are not held to it.
A new node may not join two other organisations' entities into one fact (`JOINING`: a membership, a
project's participants) without the writer's own among them.

Whose an entity is, is asked of the graphs the writer may read (`visible.seen_by`): an entity only
another organisation's private graphs describe is nobody's to the writer, as for every other write
(issue 15) — refusing would tell that it exists. So two organisations may come to type one IRI (ids are
guessable: forms derive them from titles). Whose it is then depends on who reads (`first_typed`):
(a) a reader of an organisation that typed it sees its own organisation as owner, so neither loses its
own entity, and a writer's own typed entities are facts in its graphs; (b) otherwise the earliest typing
in a graph anonymous readers may read wins — an id typed first in a private draft cannot take over the
study another organisation later published under it; (c) otherwise the earliest typing among the graphs
the reader may read (`earliest_typing`, from the change records).

Documents' descriptions (`dcat:distribution` and the `{base}document/…` nodes) are written by the
documents API alone (`access.DOCUMENTS_API`), for every role; the graphs APIs own are in `access.py`.
Only what a write adds is checked, less what it removes and puts back unchanged (a Graph Store PUT of a
graph as it was read): removing from one's own graph is always one's own business — but a Graph Store PUT
keeps the documents' descriptions and its DELETE waits (409) until `DELETE /api/studies/{key}/documents/{id}`
has removed them (`documents.attached_documents`): the Graph Store never drops what only an API writes back.
"""

from pyoxigraph import NamedNode, Quad, Variable

from pic.graph.access import ANONYMOUS, DOCUMENTS_API, MODERATION_API, NotAllowed, User, may_read, owning_api
from pic.graph.names import Names
from pic.graph.store import bind_rows
from pic.graph.visible import seen_by

DISTRIBUTION = NamedNode("http://www.w3.org/ns/dcat#distribution")
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
# Links that make two other organisations' entities parts of one fact: a membership between two other
# organisations, a project naming two others, a study attributed to two others (a co-signature is a
# cooperation tie on the maps) would be a fact about both on the writer's word alone. Such a node, in
# the state the write leaves it in, names the writer's own actor `actor/{org}` among them. Issue 16,
# outside tests F3 and its re-test. An observation may join any data set: the series are shared, and the
# annual report names who gave each figure.
ORG_MEMBER = NamedNode("http://www.w3.org/ns/org#member")
ORG_ORGANIZATION = NamedNode("http://www.w3.org/ns/org#organization")
PROV_ASSOCIATED = NamedNode("http://www.w3.org/ns/prov#wasAssociatedWith")
PROV_QUALIFIED = NamedNode("http://www.w3.org/ns/prov#qualifiedAssociation")
PROV_AGENT = NamedNode("http://www.w3.org/ns/prov#agent")
ATTRIBUTED = NamedNode("http://www.w3.org/ns/prov#wasAttributedTo")
PIC = "https://w3id.org/pic-euralens/ontology#"
ATTRIBUTIONS = {ATTRIBUTED, NamedNode(f"{PIC}producedBy"), NamedNode(f"{PIC}commissionedBy")}
JOINING = {ORG_MEMBER, ORG_ORGANIZATION, PROV_ASSOCIATED, *ATTRIBUTIONS}
MEMBERSHIP_RULE = "a membership between two other organisations is stated by one of them"
JOINING_RULE = {ORG_MEMBER: MEMBERSHIP_RULE, ORG_ORGANIZATION: MEMBERSHIP_RULE,
                PROV_ASSOCIATED: "a project names two other organisations taking part only with its own "
                                 "organisation's actor among them (they would be shown cooperating on its word)",
                **{a: "a study is attributed to two other organisations only with the writer's own actor among "
                      "them (a co-signature is a cooperation tie)" for a in ATTRIBUTIONS}}
# A node's joining statements in one graph, a project's agents through its role nodes included.
JOINED = f"""SELECT ?n ?p ?o WHERE {{ GRAPH ?g {{
  {{ ?n ?p ?o FILTER (?p IN ({", ".join(str(p) for p in JOINING)})) }}
  UNION {{ ?n {PROV_QUALIFIED} ?a . ?a {PROV_AGENT} ?o BIND ({PROV_ASSOCIATED} AS ?p) }} }} }}"""
PARENTS = f"SELECT ?n ?a WHERE {{ GRAPH ?g {{ ?n {PROV_QUALIFIED} ?a }} }}"
AGENTS = f"SELECT ?a ?o WHERE {{ GRAPH ?g {{ ?a {PROV_AGENT} ?o }} }}"
PLATFORM = "the platform"  # who speaks in the platform's own graphs (ontology, territories, moderation)
# When each graph's records first list the subject: the change that put it there.
FIRST_RECORD = """PREFIX pic: <https://w3id.org/pic-euralens/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?g (MIN(?t) AS ?first) WHERE {
  GRAPH ?record { ?change pic:touched ?s ; pic:changedGraph ?g ; prov:startedAtTime ?t } } GROUP BY ?g"""
# The graphs that describe each subject, and whether they state its type.
DESCRIBED = f"""SELECT DISTINCT ?s ?g ?typed WHERE {{ GRAPH ?g {{ ?s ?p ?o }} BIND (?p = {RDF_TYPE} AS ?typed) }}"""
BATCH = 500


def speaker(names: Names, graph: NamedNode) -> str | None:
    """Who states what a graph holds: its organisation, `PLATFORM` for the platform's graphs, None for a
    derived graph (conclusions and records are nobody's statement) and for a link a facilitator
    accepted (`partner/{org}/link/…`, written by moderation alone: a decision, no organisation's claim)."""
    if names.is_derived(graph) or owning_api(graph, names) == MODERATION_API:
        return None
    return names.owner_of(graph) or PLATFORM


def owners_from(described: list[tuple[NamedNode, bool]], names: Names, subject: NamedNode | None = None,
                earliest=None, reader: str | None = None) -> set[str]:
    """The owners of an entity from (graph, states its type) pairs: who types it, else who describes it.

    Two organisations type it when one created it where the other could not see it (a private draft, an
    embargo) — the second create could not be refused without telling that the first exists. Which of
    them owns it is `first_typed`'s to say, for a reader of organisation `reader` (None: of none); the
    other's statements are then its claims. `actor/{org}` is also organisation `org`'s own: the platform
    may have described it first, and an organisation describes itself."""
    typing = {g for g, t in described if t and speaker(names, g)}
    typed = {speaker(names, g) for g in typing}
    if len(typed) > 1:
        typed = first_typed(typing, names, subject, earliest, reader)
    found = typed or {speaker(names, g) for g, _ in described} - {None}
    itself = own_actor(names, subject)
    return found | {itself} if found and itself else found


def first_typed(typing: set[NamedNode], names: Names, subject: NamedNode | None, earliest,
                reader: str | None) -> set[str]:
    """Who owns an entity several organisations' graphs type, as a reader of organisation `reader` sees
    it: (a) its own organisation, when it is one of them — B typing `study/foo` in its private draft must
    not make A's published `study/foo` B's to A's members, nor the reverse; (b) else the earliest typing
    in a public graph (`earliest`: the typing graphs whose records come first) — what anonymous readers
    were shown as A's stays A's for facilitators too, however early a private draft took the id; (c) else
    the earliest among them all (all the reader may read). Without `earliest`, all of them."""
    typed = {speaker(names, g) for g in typing}
    if reader is not None and reader in typed:
        return {reader}
    if earliest is None:
        return typed
    public = {g for g in typing if may_read(ANONYMOUS, g.value, names)}
    return {speaker(names, g) for g in earliest(subject, public or typing)}


def own_actor(names: Names, subject: NamedNode | None) -> str | None:
    """The organisation an `actor/{org}` IRI names."""
    prefix = f"{names.base}actor/"
    if subject is None or not subject.value.startswith(prefix):
        return None
    key = subject.value[len(prefix):]
    return key if key and "/" not in key else None


def earliest_typing(select):
    """`earliest` for `owners_from`, reading the change records (`pic:touched`) through `select`, which
    runs a SELECT over the records the reader may read and gives its rows as (?g, ?first) lexical values.
    A typing graph no record lists (the demo, a bulk load past `history.MAX_TOUCHED` entities) counts as
    first: it was there before the records."""

    def earliest(subject: NamedNode, graphs: set[NamedNode]) -> set[NamedNode]:
        ordered = sorted(graphs, key=lambda g: g.value)
        rows = select(bind_rows(FIRST_RECORD, [Variable("s"), Variable("g")], [[subject, g] for g in ordered]))
        first = {NamedNode(g): when for g, when in rows if when}
        unrecorded = {g for g in ordered if g not in first}
        if unrecorded:
            return unrecorded
        when = min(first.values())
        return {g for g, t in first.items() if t == when}

    return earliest


def owners(store, names: Names, user: User, subjects: set[NamedNode]) -> dict[NamedNode, set[str]]:
    """The owners of each subject, as the graphs `user` may read say, to `user` (`first_typed`: its own
    organisation first — so a writer writes its own typed entities as facts); a subject nobody owns is absent."""
    seen = seen_by(store, user, names)
    records = [g for g in store.graphs() if names.is_provenance(g) and may_read(user, g.value, names)]
    earliest = earliest_typing(lambda text: [
        (row["g"].value, row["first"].value if row["first"] else None)
        for row in store.query(text, named_graphs=records or [names.graph("none")])])
    found: dict[NamedNode, list[tuple[NamedNode, bool]]] = {}
    ordered = sorted(subjects, key=lambda n: n.value)
    for start in range(0, len(ordered), BATCH):
        text = bind_rows(DESCRIBED, [Variable("s")], [[s] for s in ordered[start:start + BATCH]])
        for row in seen.query(text):
            found.setdefault(row["s"], []).append((row["g"], row["typed"].value == "true"))
    result = {s: owners_from(pairs, names, s, earliest, user.org) for s, pairs in found.items()}
    return {s: o for s, o in result.items() if o}


def is_document_description(quad: Quad, names: Names) -> bool:
    """A statement the document upload writes: a study's `dcat:distribution`, a document node's facts."""
    return quad.predicate == DISTRIBUTION or (
        isinstance(quad.subject, NamedNode) and quad.subject.value.startswith(f"{names.base}document/"))


def check(store, names: Names, user: User, added, removed: list[Quad], api: str | None = None) -> None:
    """Raise NotAllowed when the write says what its writer may not say where it says it."""
    added = list(added)
    unchanged = set(removed)
    new = [q for q in added if q not in unchanged]
    if api != DOCUMENTS_API:
        forged = next((q for q in new if is_document_description(q, names)), None)
        if forged is not None:
            raise NotAllowed(f"{forged.subject.value} {forged.predicate.value}: a document's description is "
                             "written by uploading the document (POST /api/studies/{key}/documents)")
    if user.role != "partner":
        return  # facilitators and admins curate any partner graph
    checked = [(q, names.owner_of(q.graph_name)) for q in new if not (
        api == DOCUMENTS_API and is_document_description(q, names))]  # the upload checked the study is theirs
    checked = [(q, org) for q, org in checked if org and names.kind_of(q.graph_name) in ("partner", "private")
               and owning_api(q.graph_name, names) is None]
    subjects = {q.subject: org for q, org in reversed(checked) if isinstance(q.subject, NamedNode)}
    targets = {q.object for q, _ in checked
               if q.predicate in JOINING | {PROV_AGENT} and isinstance(q.object, NamedNode)}
    known = owners(store, names, user, set(subjects) | targets)
    for subject in sorted(subjects, key=lambda n: n.value):
        org, theirs = subjects[subject], known.get(subject)
        if theirs and org not in theirs:
            raise NotAllowed(f"{subject.value} belongs to {', '.join(sorted(theirs))}: the graphs of {org} say "
                             f"things about {org}'s own entities (and link them to any other); propose a link "
                             "to this one through an annotation")
    kept = set(added)
    dropped = [(q, names.owner_of(q.graph_name)) for q in removed if q not in kept
               and names.kind_of(q.graph_name) in ("partner", "private") and owning_api(q.graph_name, names) is None]
    joined = joins(store, names, checked, dropped)
    others = {t for targets in joined.values() for t in targets} - set(known)
    known.update(owners(store, names, user, others))
    for (node, org), targets in sorted(joined.items(), key=lambda i: str(i[0][0])):
        itself = NamedNode(f"{names.base}actor/{org}")
        if itself in targets:
            continue
        for rule in {JOINING_RULE[p] for p in targets.values()}:
            theirs = sorted(t.value for t, p in targets.items() if JOINING_RULE[p] == rule
                            and known.get(t) and org not in known[t])
            if len(theirs) >= 2:
                raise NotAllowed(f"{node}: {rule} ({', '.join(theirs)}; {org}'s own actor is {itself.value})")


def joins(store, names: Names, checked: list[tuple[Quad, str]], removed: list[tuple[Quad, str | None]]
          ) -> dict[tuple[object, str], dict[NamedNode, NamedNode]]:
    """What each node a write touches joins once the write is applied — a membership's parties, a
    project's agents (direct, or through its role nodes), a study's attributions — {(node, writer's
    organisation): {target: predicate}}: the store's statements in the writer's graph, less what the
    write removes, plus what it adds (so a node built over several writes, or edited by a PUT, is
    judged whole)."""
    watched = JOINING | {PROV_QUALIFIED, PROV_AGENT}
    touched = [(q, org) for q, org in [*checked, *removed] if org and q.predicate in watched]
    graph_of = {q.subject: (q.graph_name, org) for q, org in touched if q.predicate != PROV_AGENT}
    roles = {(q.subject, q.graph_name): org for q, org in touched if q.predicate == PROV_AGENT}
    new_parents = {(q.object, q.graph_name): q.subject for q, _ in checked if q.predicate == PROV_QUALIFIED}
    named_roles = [(a, g) for a, g in roles if isinstance(a, NamedNode)]
    if named_roles:
        for row in store.query(bind_rows(PARENTS, [Variable("a"), Variable("g")], [list(r) for r in named_roles])):
            graph_of.setdefault(row["n"], next((g, roles[(row["a"], g)]) for a, g in named_roles if a == row["a"]))
    for (role, graph), org in roles.items():
        parent = new_parents.get((role, graph))
        if parent is not None:
            graph_of.setdefault(parent, (graph, org))
    state: dict[tuple[object, NamedNode], set[tuple[NamedNode, NamedNode]]] = {}
    named = [(n, g) for n, (g, _) in graph_of.items() if isinstance(n, NamedNode)]
    for start in range(0, len(named), BATCH):
        rows = bind_rows(JOINED, [Variable("n"), Variable("g")], [list(r) for r in named[start:start + BATCH]])
        for row in store.query(rows):
            if isinstance(row["o"], NamedNode):
                state.setdefault((row["n"], graph_of[row["n"]][0]), set()).add((row["o"], row["p"]))
    gone = {(q.subject, q.object, q.predicate) for q, _ in removed}
    agents_gone = {q.object for q, _ in removed if q.predicate == PROV_AGENT}
    agents: dict = {}
    for q, _ in checked:
        if q.predicate == PROV_AGENT and isinstance(q.object, NamedNode):
            agents.setdefault(q.subject, set()).add(q.object)
    linked = sorted({(q.object, q.graph_name) for q, _ in checked
                     if q.predicate == PROV_QUALIFIED and isinstance(q.object, NamedNode)}, key=str)
    if linked:  # role nodes written before the project that now names them
        for row in store.query(bind_rows(AGENTS, [Variable("a"), Variable("g")], [list(r) for r in linked])):
            if isinstance(row["o"], NamedNode) and row["o"] not in agents_gone:
                agents.setdefault(row["a"], set()).add(row["o"])
    for (node, _graph), pairs in state.items():
        pairs -= {(o, p) for n, o, p in gone if n == node}
        pairs -= {(o, PROV_ASSOCIATED) for o in agents_gone}  # a role node's agent removed: judged without it
    for q, _ in checked:
        if q.predicate in JOINING and isinstance(q.object, NamedNode):
            state.setdefault((q.subject, q.graph_name), set()).add((q.object, q.predicate))
        elif q.predicate == PROV_QUALIFIED:
            for agent in agents.get(q.object, ()):
                state.setdefault((q.subject, q.graph_name), set()).add((agent, PROV_ASSOCIATED))
    found: dict[tuple[object, str], dict[NamedNode, NamedNode]] = {}
    for (node, graph), pairs in state.items():
        org = names.owner_of(graph)
        for target, predicate in pairs if org else ():
            found.setdefault((node, org), {})[target] = predicate
    return found
