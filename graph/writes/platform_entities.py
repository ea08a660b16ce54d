"""The platform's own entities are described by the platform alone (issue 16, outside re-test finding 5).

No organisation types a change record, an account, a graph, a report, an annotation or an accepted link:
the platform mints their IRIs. So "a graph describes its owner's things" (`ownership.py`) made them
nobody's, and a partner's graph could say anything about them — `<…/change/…> rdfs:comment "x"` was shown
on the change's page as fact, and a forged `change/forged-1` with its PROV statements as a real change.
What is said about them (as subject: a link to them from one's own entity is one's own business) is
written by the write path itself — the change records (`history.record_change`) never pass through
this check — or by the API that mints them (`api`, as `access.owning_api` names the APIs); a direct
write (Graph Store, `pic load`, imports, forms, reverts, SPARQL Update) by a partner or a facilitator is
refused (403) naming the IRI. An admin may still repair one through the Graph Store: admins write
everything but the derived graphs and the graphs an API owns. Documents' descriptions (`document/…`) are
the documents API's for every role, admins included (`ownership.is_document_description`).

The platform's ontology is its terms' only description: a partner's `pic:attributedX rdfs:subPropertyOf
prov:wasAttributedTo` in its own graph was accepted, and a SPARQL user reasoning over the union would have
taken it as the platform's vocabulary (seventh outside re-test). So a statement about a term of the
ontology (`ontology/pic.ttl`) is refused to partners and facilitators as well, and so is a statement that
makes vocabulary of another term (`VOCABULARY`: a sub-property of `pic:producedBy` in cd62's own namespace).
"""

import re
from urllib.parse import unquote

from pyoxigraph import NamedNode, Quad

from pic.graph.access import ANNOTATIONS_API, MODERATION_API, NotAllowed, User, owning_api
from pic.graph.names import GraphName, Names, named
from pic.ontology.namespaces import ONTOLOGY_IRI, expand

RDF_TYPE = NamedNode(expand("rdf:type"))
ANNOTATION = NamedNode(expand("oa:Annotation"))
# Statements that make an account a member of something: cd62's `membership/cd62-x org:member user/aula1 ;
# org:organization actor/cd62` counted aula1's annotations as cd62's in two saved queries (ninth re-test, F2).
MEMBERSHIP = {NamedNode(expand(f"org:{p}")) for p in ("member", "hasMember", "headOf")} | {
    NamedNode(expand("foaf:member"))
}
# Statements that make vocabulary: what another property or class means. The platform reads sub-properties
# from every graph (a sub-property of `prov:wasAttributedTo` attributes), so cd62's `ex:cosign
# rdfs:subPropertyOf pic:producedBy` made its study co-signed by aula and the museum, a tie the co-signature
# rule refuses when written with `pic:producedBy` (twelfth outside re-test, L1).
VOCABULARY = {
    NamedNode(expand(t))
    for t in (
        "rdfs:subPropertyOf",
        "rdfs:subClassOf",
        "owl:equivalentProperty",
        "owl:equivalentClass",
        "owl:inverseOf",
        "owl:propertyChainAxiom",
        "rdfs:domain",
        "rdfs:range",
    )
}
# What a change record says (`history.record_change`): only the write path writes it. cd62's own
# `ex:fake1 a pic:Change ; pic:touched actor/aula` showed on aula's page as a change to it (twelfth re-test, L2).
CHANGE = NamedNode(expand("pic:Change"))
RECORDS = {
    NamedNode(expand(f"pic:{p}"))
    for p in ("touched", "changedGraph", "deltaFile", "deltaChecksum", "addedTriples", "removedTriples")
}
PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9._~-]+")
RESERVED = {"link", "links", "annotations", "moderation", "hidden", "inferred", "provenance", "restricted"}

# {IRI space under the base: the APIs that write what is said about its entities}.
SPACES = {
    "change/": (),  # the change records: the write path, outside the permission step
    "report/": (),  # the annual report: computed (viz/report.py), never stored as statements
    "graph/": (MODERATION_API,),  # a graph's own description: an accepted link's graph (moderation)
    "user/": (ANNOTATIONS_API, MODERATION_API),  # an annotation's author, as the annotation protocol says
    "annotation/": (ANNOTATIONS_API, MODERATION_API),  # annotations, hidden and restored by moderation
    "usage/": (MODERATION_API,),  # the usage an accepted link states
}


def space_of(names: Names, term: object) -> str | None:
    """The platform's IRI space `term` is in, if any (read as a browser reads it: `%63hange/` opens
    the page of `change/`)."""
    if not isinstance(term, NamedNode) or not term.value.startswith(names.base):
        return None
    rest = unquote(term.value[len(names.base) :])
    return next((space for space in SPACES if rest.startswith(space)), None)


def ontology_term(iri: str) -> bool:
    """Whether an IRI is, or reads as, the ontology's or one of its terms: its version IRI, the scheme,
    host or path spelt otherwise, `%23` for `#` (eighth outside re-test, finding 4)."""
    seen = re.sub(r"^https?://([^/:]+)(:(80|443))?(?=/)", r"//\1", unquote(iri).lower())
    return re.sub("/{2,}", "/", seen[2:]).startswith(ONTOLOGY_IRI.split(":", 1)[1][2:])


def reserved_segment(names: Names, graph: GraphName) -> str | None:
    """The segment of an organisation's graph name (`partner/{org}/…`, `private/{org}/…`) that only the
    platform's graphs use, in any case: `partner/aula/LINK/x` or `private/aula/main/annotations` looked
    like an accepted link's or the annotation API's graph to SPARQL users (eighth outside re-test); one
    that is no plain ASCII segment; a public graph named like a private one (`partner/aula/main`)."""
    prefix = names.graph("").value
    if not isinstance(graph, NamedNode) or not graph.value.startswith(prefix):
        return None
    parts = graph.value[len(prefix) :].split("/")
    if parts[0] not in ("partner", "private"):
        return None
    odd = next((p for p in parts[1:] if not PLAIN_SEGMENT.fullmatch(p)), None)
    if odd is not None:  # `partner/aula/` and `partner/aula/lіnk/x` (a Cyrillic і): ninth re-test, F4
        return odd or "an empty segment"
    if parts[0] == "partner" and parts[2:3] and re.match(r"(main|until-|private)", parts[2], re.IGNORECASE):
        return parts[2]  # the names of private and embargoed graphs, public here: ninth and tenth re-tests
    # an embargo's day is the segment after the organisation, in lower case: `Until-2020-01-01` stayed
    # private though it read as lifted, a nested `until-2099-…` was public (tenth re-test)
    odd_day = next(
        (p for i, p in enumerate(parts[2:], 2) if p.lower().startswith("until-") and (i != 2 or p != p.lower())), None
    )
    if parts[0] == "private" and odd_day:
        return odd_day
    return next((p for p in parts[2:] if p.lower() in RESERVED), None)


def check(names: Names, user: User, new: list[Quad], api: str | None) -> None:
    """Raise NotAllowed when a write that is not the platform's says something about its entities."""
    if user.role == "admin":
        return
    for q in new:
        if isinstance(q.subject, NamedNode) and ontology_term(q.subject.value):
            raise NotAllowed(
                f"{q.subject.value}: a term of the platform's ontology is described by the "
                "ontology alone (ontology/pic.ttl); propose a change through an annotation"
            )
        if q.predicate in VOCABULARY:
            raise NotAllowed(
                f"{q.subject}: {q.predicate.value} makes vocabulary, which the platform's ontology alone does "
                "(ontology/pic.ttl): use its properties and classes, or propose one through an annotation"
            )
        if q.predicate in RECORDS or (q.predicate == RDF_TYPE and q.object == CHANGE):
            raise NotAllowed(
                f"{q.subject}: {q.predicate.value} {q.object} is a change record's, which the write path alone "
                "writes (every write is recorded: who, when, what)"
            )
        if q.predicate == RDF_TYPE and q.object == ANNOTATION and api not in (ANNOTATIONS_API, MODERATION_API):
            raise NotAllowed(
                f"{q.subject.value}: an annotation is written through the annotation API "  # type: ignore[union-attr]  # pyoxigraph 0.5 stubs: a subject is never a Triple
                "(/annotations/), which names its author; never typed in an organisation's graph"
            )
        graph = named(q.graph_name)
        reserved = reserved_segment(names, graph) if owning_api(graph, names) is None else None
        if reserved:
            raise NotAllowed(
                f"{graph.value}: {reserved!r} is no name for an organisation's graph: the platform's own "
                "graphs (accepted links, annotations, moderation, inferences, change records) and the private ones "
                "(`private/{org}/main`, `…/until-YYYY-MM-DD`) are named so; plain ASCII segments otherwise"
            )
        if (  # `prov:wasAssociatedWith user/root` forged who did something (thirteenth outside re-test)
            isinstance(q.object, NamedNode)
            and space_of(names, q.object) == "user/"
            and api not in SPACES["user/"]
            and (q.predicate in MEMBERSHIP or q.object != names.user(user.name))
        ):
            raise NotAllowed(
                f"{q.object.value}: what an account did or belongs to is the platform's word (its records, its "
                "organisation), never stated in an organisation's graph"
            )
        space = space_of(names, q.subject)
        if space is not None and api not in SPACES[space]:
            raise NotAllowed(
                f"{q.subject.value}: the platform's {space}… entities are written by the platform "  # type: ignore[union-attr]  # pyoxigraph 0.5 stubs: a subject is never a Triple
                "itself (its records and the APIs that make them), never in an organisation's graph"
            )
