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
(issue 15) — refusing would tell that it exists. So two organisations may come to type one IRI; once a
reader sees both, the first to have typed it (`earliest_typing`, from the change records) owns it.

Documents' descriptions (`dcat:distribution` and the `{base}document/…` nodes) are written by the
documents API alone (`access.DOCUMENTS_API`), for every role; the graphs APIs own are in `access.py`.
Only what a write adds is checked, less what it removes and puts back unchanged (a Graph Store PUT of a
graph as it was read): removing from one's own graph is always one's own business — but a Graph Store PUT
keeps the documents' descriptions and its DELETE waits (409) until `DELETE /api/studies/{key}/documents/{id}`
has removed them (`documents.attached_documents`): the Graph Store never drops what only an API writes back.
"""

from pyoxigraph import NamedNode, Quad, Variable

from pic.graph.access import DOCUMENTS_API, NotAllowed, User, may_read, owning_api
from pic.graph.names import Names
from pic.graph.store import bind_rows
from pic.graph.visible import seen_by

DISTRIBUTION = NamedNode("http://www.w3.org/ns/dcat#distribution")
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
# Links that make two other organisations' entities parts of one fact: a new node may make them only with
# the writer's own among them (a membership between two other organisations, a project of two others,
# would be a fact about both on the writer's word alone). Issue 16, outside test F3. An observation may
# join any data set: the series are shared, and the annual report names who gave each figure.
ORG_MEMBER = NamedNode("http://www.w3.org/ns/org#member")
ORG_ORGANIZATION = NamedNode("http://www.w3.org/ns/org#organization")
PROV_ASSOCIATED = NamedNode("http://www.w3.org/ns/prov#wasAssociatedWith")
PROV_QUALIFIED = NamedNode("http://www.w3.org/ns/prov#qualifiedAssociation")
PROV_AGENT = NamedNode("http://www.w3.org/ns/prov#agent")
JOINING = {ORG_MEMBER, ORG_ORGANIZATION, PROV_ASSOCIATED}
# what each joins, and how many others it takes before the writer must be among them
JOINING_RULE = {ORG_MEMBER: (2, "a membership is stated by one of its two parties"),
                ORG_ORGANIZATION: (2, "a membership is stated by one of its two parties"),
                PROV_ASSOCIATED: (2, "a project names other organisations taking part only with its own "
                                     "among them (they would be shown cooperating on its word alone)")}
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
    derived graph (conclusions and records are nobody's statement)."""
    if names.is_derived(graph):
        return None
    return names.owner_of(graph) or PLATFORM


def owners_from(described: list[tuple[NamedNode, bool]], names: Names, subject: NamedNode | None = None,
                earliest=None) -> set[str]:
    """The owners of an entity from (graph, states its type) pairs: who types it, else who describes it.

    Two organisations type it when one created it where the other could not see it (a private draft, an
    embargo) — the second create could not be refused without telling that the first exists. The first
    to type it owns it once both are seen (`earliest`: the typing graphs whose records come first); the
    other's statements are then its claims. `actor/{org}` is also organisation `org`'s own: the platform
    may have described it first, and an organisation describes itself."""
    typing = {g for g, t in described if t and speaker(names, g)}
    typed = {speaker(names, g) for g in typing}
    if len(typed) > 1 and earliest is not None:
        typed = {speaker(names, g) for g in earliest(subject, typing)}
    found = typed or {speaker(names, g) for g, _ in described} - {None}
    itself = own_actor(names, subject)
    return found | {itself} if found and itself else found


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
    """The owners of each subject, as the graphs `user` may read say (a subject nobody owns is absent)."""
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
    result = {s: owners_from(pairs, names, s, earliest) for s, pairs in found.items()}
    return {s: o for s, o in result.items() if o}


def is_document_description(quad: Quad, names: Names) -> bool:
    """A statement the document upload writes: a study's `dcat:distribution`, a document node's facts."""
    return quad.predicate == DISTRIBUTION or (
        isinstance(quad.subject, NamedNode) and quad.subject.value.startswith(f"{names.base}document/"))


def check(store, names: Names, user: User, added, removed: list[Quad], api: str | None = None) -> None:
    """Raise NotAllowed when the write says what its writer may not say where it says it."""
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
    for (node, org), targets in sorted(joins(checked).items(), key=lambda i: i[0][0].value):
        theirs = [known[t] for t in targets if t in known]
        least, rule = JOINING_RULE[next(iter(targets.values()))]
        if len(theirs) == len(targets) >= least and not any(org in o for o in theirs):
            raise NotAllowed(f"{node.value}: {rule} ({', '.join(sorted(t.value for t in targets))} belongs to "
                             f"{', '.join(sorted(set().union(*theirs)))})")


def joins(checked: list[tuple[Quad, str]]) -> dict[tuple[NamedNode, str], dict[NamedNode, NamedNode]]:
    """The entities each new node joins to others: a membership's parties, a project's agents (direct, or
    through its qualified associations' role nodes) —
    {(node, writer's organisation): {target: predicate}}."""
    agents: dict = {}
    for q, _ in checked:
        if q.predicate == PROV_AGENT and isinstance(q.object, NamedNode):
            agents.setdefault(q.subject, set()).add(q.object)
    found: dict[tuple[NamedNode, str], dict[NamedNode, NamedNode]] = {}
    for q, org in checked:
        if q.predicate in JOINING and isinstance(q.object, NamedNode):
            found.setdefault((q.subject, org), {})[q.object] = q.predicate
        elif q.predicate == PROV_QUALIFIED:
            for agent in agents.get(q.object, ()):
                found.setdefault((q.subject, org), {})[agent] = PROV_ASSOCIATED
    return found
