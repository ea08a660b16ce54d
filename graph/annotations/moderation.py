"""Facilitators' moderation: hide an annotation (moved, whole, to `hidden/{org}` with who, when and why,
so nobody else reads it anywhere), restore it, and decide on the links partners propose.

An accepted link becomes triples in a named graph of its own, `partner/{org}/link/{id}` (org: the
annotation's author's), which says it derives from the annotation and who proposed and accepted it: the
relation is attributed by construction, the knowledge-flow network reads it like any other, and undoing
it is dropping one graph. Every decision is recorded in `graph/moderation`, which everyone may read.
"""

import typing

from pyoxigraph import Literal, NamedNode, Quad, Store, Variable

from pic.graph.access import MODERATION_API, User
from pic.graph.annotations.model import DCTERMS, OA, PIC, TYPE, Statement, stamp
from pic.graph.annotations.storage import Annotations, Stored
from pic.graph.errors import AlreadyThere, Malformed
from pic.graph.said import Said
from pic.graph.store.interface import bind
from pic.graph.writes.history import now
from pic.ontology.namespaces import PREFIXES, expand, sparql_prefixes

PROV = PREFIXES["prov"]
RDFS_LABEL = NamedNode(expand("rdfs:label"))
DECISION = sparql_prefixes() + "SELECT ?status WHERE { GRAPH ?moderation { ?a pic:proposalStatus ?status } }"


class ModerationError(AlreadyThere):
    """The action does not apply to the annotation as it is (already hidden, already decided…)."""

    def __init__(self, message: str):
        super().__init__([(None, message)])


def hide(notes: Annotations, stored: Stored, user: User, reason: str) -> None:
    names = notes.names
    if names.kind_of(stored.graph) == "hidden":
        raise ModerationError("this annotation is already hidden")
    if names.kind_of(stored.graph) == "private":
        raise ModerationError("a private annotation is moderated by its own organisation")
    if not reason.strip():
        raise Malformed([("reason", Said("say why the annotation is hidden"))])
    hidden = names.graph(f"hidden/{names.owner_of(stored.graph)}")
    node = NamedNode(stored.iri)
    staged = Store()
    staged.extend(
        [Quad(q.subject, q.predicate, q.object, hidden) for q in stored.quads()]
        + [
            Quad(node, NamedNode(f"{PIC}hiddenBy"), names.user(user.name), hidden),
            Quad(node, NamedNode(f"{PIC}hiddenAt"), stamp(now()), hidden),
            Quad(node, NamedNode(f"{PIC}hiddenBecause"), Literal(reason.strip()[:2000]), hidden),
            Quad(node, NamedNode(f"{PIC}hiddenFrom"), stored.graph, hidden),
        ]
    )
    notes.writer.write(
        staged,
        [q for q in stored.quads() if not notes.shared_creator(q, stored)],
        user,
        source=f"moderation: hide {stored.iri}",
        api=MODERATION_API,
    )


def restore(notes: Annotations, stored: Stored, user: User) -> None:
    names = notes.names
    if names.kind_of(stored.graph) != "hidden":
        raise ModerationError("this annotation is not hidden")
    record = {p: o for s, p, o in stored.triples if s == stored.iri and p.startswith(f"{PIC}hidden")}
    home = record[f"{PIC}hiddenFrom"]
    assert isinstance(home, NamedNode)  # `hide` records the graph it came from
    back = Store()
    back.extend(
        [
            Quad(q.subject, q.predicate, q.object, home)
            for q in stored.quads()
            if not q.predicate.value.startswith(f"{PIC}hidden")
        ]
    )
    notes.writer.write(back, stored.quads(), user, source=f"moderation: restore {stored.iri}", api=MODERATION_API)


def decision(notes: Annotations, iri: str) -> str | None:
    rows = list(
        notes.query(
            bind(DECISION, {Variable("a"): NamedNode(iri), Variable("moderation"): notes.names.graph("moderation")}),
            None,
        )
    )
    return rows[0]["status"].value if rows else None


@typing.overload
def decide(notes: Annotations, stored: Stored, user: User, accept: typing.Literal[True]) -> NamedNode: ...
@typing.overload
def decide(notes: Annotations, stored: Stored, user: User, accept: bool) -> NamedNode | None: ...
def decide(notes: Annotations, stored: Stored, user: User, accept: bool) -> NamedNode | None:
    """Accept (the link's triples in their own graph) or reject a linking annotation; once only."""
    names = notes.names
    relation = next((o.value for s, p, o in stored.triples if p == f"{PIC}relation"), None)
    if relation is None:
        raise ModerationError("only a linking annotation proposes a link")
    if decision(notes, stored.iri):
        raise ModerationError("this proposal has already been decided")
    node = NamedNode(stored.iri)
    moderation = names.graph("moderation")
    key = stored.iri.rsplit("/", 1)[-1]
    staged = Store()
    staged.extend(
        [
            Quad(node, NamedNode(f"{PIC}proposalStatus"), Literal("accepted" if accept else "rejected"), moderation),
            Quad(node, NamedNode(f"{PIC}decidedBy"), names.user(user.name), moderation),
            Quad(node, NamedNode(f"{PIC}decidedAt"), stamp(now()), moderation),
        ]
    )
    graph = None
    if accept:
        graph = names.graph(f"partner/{names.owner_of(stored.graph)}/link/{key}")
        staged.extend(Quad(s, p, o, graph) for s, p, o in link_triples(stored, relation, names.base, key))
        assert stored.creator is not None  # every annotation is written with its creator (`creator_quads`)
        staged.extend(
            [
                Quad(graph, NamedNode(f"{PROV}wasDerivedFrom"), node, graph),
                Quad(graph, NamedNode(f"{PROV}wasAttributedTo"), NamedNode(stored.creator), graph),
                Quad(graph, NamedNode(f"{DCTERMS}created"), stamp(now()), graph),
                Quad(node, NamedNode(f"{PIC}acceptedAs"), graph, moderation),
            ]
        )
    notes.writer.write(
        staged, [], user, source=f"moderation: {'accept' if accept else 'reject'} {stored.iri}", api=MODERATION_API
    )
    return graph


def link_triples(stored: Stored, relation: str, base: str, key: str) -> list[Statement]:
    """The relation the annotation proposes, as the graph says it elsewhere (what the maps read). A use
    (`used-by`) is an activity of its own whose association, like every qualified association
    (`shapes.ttl`), has its role: `role/utilisateur` (`schemes.ttl`)."""
    study = next(o for s, p, o in stored.triples if s == stored.iri and p == f"{OA}hasTarget")
    study = next((o for s, p, o in stored.triples if s == study.value and p == f"{OA}hasSource"), study)
    entity = next(o for s, p, o in stored.triples if p == f"{OA}hasSource" and "#body-" in s)
    # targets and sources are IRIs (`model.iri`): they are the subjects of the link's triples
    assert isinstance(study, NamedNode) and isinstance(entity, NamedNode)
    if relation == "informs":
        return [(entity, NamedNode(f"{PROV}used"), study)]
    if relation == "builds-on":  # the annotated study builds on the linked one
        return [(study, NamedNode(f"{PROV}wasDerivedFrom"), entity)]
    usage, association = NamedNode(f"{base}usage/{key}"), NamedNode(f"{base}usage/{key}#association")
    return [
        (usage, TYPE, NamedNode(f"{PROV}Activity")),
        (usage, NamedNode(f"{PROV}used"), study),
        (usage, RDFS_LABEL, Literal("Utilisation d'une étude (lien accepté)", language="fr")),
        (usage, RDFS_LABEL, Literal("Use of a study (accepted link)", language="en")),
        (usage, NamedNode(f"{PROV}startedAtTime"), stamp(now())),
        (usage, NamedNode(f"{PROV}qualifiedAssociation"), association),
        (association, TYPE, NamedNode(f"{PROV}Association")),
        (association, NamedNode(f"{PROV}agent"), entity),
        (association, NamedNode(f"{PROV}hadRole"), NamedNode(f"{base}role/utilisateur")),
    ]
