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
merged into the owner's facts. Facilitators and admins curate any partner graph and are not held to it.

Whose an entity is, is asked of the graphs the writer may read (`visible.seen_by`): an entity only
another organisation's private graphs describe is nobody's to the writer, as for every other write
(issue 15) — refusing would tell that it exists.

Documents' descriptions (`dcat:distribution` and the `{base}document/…` nodes) are written by the
documents API alone (`access.DOCUMENTS_API`), for every role; the graphs APIs own are in `access.py`.
Only what a write adds is checked, less what it removes and puts back unchanged (a Graph Store PUT of a
graph as it was read): removing from one's own graph is always one's own business.
"""

from pyoxigraph import NamedNode, Quad, Variable

from pic.graph.access import DOCUMENTS_API, NotAllowed, User, owning_api
from pic.graph.names import Names
from pic.graph.store import bind_rows
from pic.graph.visible import seen_by

DISTRIBUTION = NamedNode("http://www.w3.org/ns/dcat#distribution")
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PLATFORM = "the platform"  # who speaks in the platform's own graphs (ontology, territories, moderation)
# The graphs that describe each subject, and whether they state its type.
DESCRIBED = f"""SELECT DISTINCT ?s ?g ?typed WHERE {{ GRAPH ?g {{ ?s ?p ?o }} BIND (?p = {RDF_TYPE} AS ?typed) }}"""
BATCH = 500


def speaker(names: Names, graph: NamedNode) -> str | None:
    """Who states what a graph holds: its organisation, `PLATFORM` for the platform's graphs, None for a
    derived graph (conclusions and records are nobody's statement)."""
    if names.is_derived(graph):
        return None
    return names.owner_of(graph) or PLATFORM


def owners_from(described: list[tuple[NamedNode, bool]], names: Names) -> set[str]:
    """The owners of an entity from (graph, states its type) pairs: who types it, else who describes it."""
    typed = {speaker(names, g) for g, t in described if t} - {None}
    return typed or {speaker(names, g) for g, _ in described} - {None}


def owners(store, names: Names, user: User, subjects: set[NamedNode]) -> dict[NamedNode, set[str]]:
    """The owners of each subject, as the graphs `user` may read say (a subject nobody owns is absent)."""
    seen = seen_by(store, user, names)
    found: dict[NamedNode, list[tuple[NamedNode, bool]]] = {}
    ordered = sorted(subjects, key=lambda n: n.value)
    for start in range(0, len(ordered), BATCH):
        text = bind_rows(DESCRIBED, [Variable("s")], [[s] for s in ordered[start:start + BATCH]])
        for row in seen.query(text):
            found.setdefault(row["s"], []).append((row["g"], row["typed"].value == "true"))
    result = {s: owners_from(pairs, names) for s, pairs in found.items()}
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
    subjects: dict[NamedNode, str] = {}
    for q in new:
        if api == DOCUMENTS_API and is_document_description(q, names):
            continue  # the upload checked the study is the writer's; one file may serve several studies
        graph, org = q.graph_name, names.owner_of(q.graph_name)
        if org and isinstance(q.subject, NamedNode) and names.kind_of(graph) in ("partner", "private") \
                and owning_api(graph, names) is None:
            subjects.setdefault(q.subject, org)
    for subject, theirs in sorted(owners(store, names, user, set(subjects)).items(), key=lambda i: i[0].value):
        org = subjects[subject]
        if org not in theirs:
            raise NotAllowed(f"{subject.value} belongs to {', '.join(sorted(theirs))}: the graphs of {org} say "
                             f"things about {org}'s own entities (and link them to any other); propose a link "
                             "to this one through an annotation")
