"""A graph describes its owner's things (docs/architecture.md §4): what a write may say, and where.

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
A new node may not join two other organisations' entities into one fact (`joining.JOINING`: a membership,
a project's participants) without the writer's own among them, and an entity's role nodes are its own: a
link to a role node (`prov:qualifiedAssociation`, `joining.QUALIFYING`) goes to one the writer's
organisation describes, in the same write or in its graphs, never to another's or to one nobody describes
(`joining.py`, issue 16 re-test finding 3). The platform's own entities (`change/…`, `user/…`, `graph/…`,
`report/…`, `annotation/…`, `usage/…`) are described by the platform alone — its records and the APIs that
mint them; admins may repair them (`platform_entities.py`, finding 5).

Whose an entity is, is asked of the graphs the writer may read (`visible.seen_by`): an entity only
another organisation's private graphs describe is nobody's to the writer, as for every other write
(issue 15) — refusing would tell that it exists. So two organisations may come to type one IRI (ids are
guessable: forms derive them from titles). Whose it is then depends on who reads (`first_typed`):
(a) a reader of an organisation that typed it sees its own organisation as owner, so neither loses its
own entity, and a writer's own typed entities are facts in its graphs; (b) otherwise the typing in a graph
anonymous readers may read that became public first wins: its first change record the reader may read
(`earliest_typing`), or for an embargoed graph (`private/{org}/until-YYYY-MM-DD`) its day when that is
later (`public_since`) — an id typed first in a private draft or under an embargo takes over no study
another organisation published under it before the draft was made public or the embargo lifted;
(c) otherwise the earliest typing among the graphs the reader may read. A typing whose time the reader
may not read counts last, never first: a draft moved to `partner/{org}` by its form is recorded in its
organisation's private records (a change's record goes to the narrowest audience of the graphs it
changed, `history.py`), which anonymous readers do not read (issue 16, outside re-test findings 1 and 2).
Where no typing is recorded (the demo), none comes first: all of them own it.

Documents' descriptions (`dcat:distribution` and the `{base}document/…` nodes) are written by the
documents API alone (`access.DOCUMENTS_API`), for every role; the graphs APIs own are in `access.py`.
Only what a write adds is checked, less what it removes and puts back unchanged (a Graph Store PUT of a
graph as it was read): removing from one's own graph is always one's own business — but a Graph Store PUT
keeps the documents' descriptions and its DELETE waits (409) until `DELETE /api/studies/{key}/documents/{id}`
has removed them (`documents.attached_documents`): the Graph Store never drops what only an API writes back.
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time

from pyoxigraph import BlankNode, NamedNode, Quad, Variable

from pic.graph.access import (
    ANONYMOUS,
    DOCUMENTS_API,
    EMBARGO,
    MODERATION_API,
    NotAllowed,
    User,
    is_public,
    owning_api,
    readable_by,
)
from pic.graph.names import GraphName, Names, named
from pic.graph.store.interface import KnowledgeStore, bind_rows, solutions
from pic.graph.writes import derived_predicates, joining, minted, platform_entities
from pic.graph.writes.minted import ParentOwners
from pic.graph.writes.visible import seen_by
from pic.ontology.namespaces import expand, sparql_prefixes

DISTRIBUTION = NamedNode(expand("dcat:distribution"))
RDF_TYPE = NamedNode(expand("rdf:type"))
PLATFORM = "the platform"  # who speaks in the platform's own graphs (ontology, territories, moderation)
# When each graph's records first list the subject: the change that put it there.
FIRST_RECORD = (
    sparql_prefixes("pic", "prov")
    + """
SELECT ?g (MIN(?t) AS ?first) WHERE {
  GRAPH ?record { ?change pic:touched ?s ; pic:changedGraph ?g ; prov:startedAtTime ?t } } GROUP BY ?g"""
)
# The graphs that describe each subject, and whether they state its type.
DESCRIBED = f"""SELECT DISTINCT ?s ?g ?typed WHERE {{ GRAPH ?g {{ ?s ?p ?o }} BIND (?p = {RDF_TYPE} AS ?typed) }}"""
BATCH = 500
# When a subject was first typed in each of the given graphs, as a reader sees the records (`earliest_typing`).
Earliest = Callable[[NamedNode, set[GraphName]], dict[GraphName, datetime]]
# A SELECT over what a reader may read, its rows as plain values (IRIs and lexical forms, None where
# unbound): how `earliest_typing` reads the change records, and `claims` the graphs.
Select = Callable[[str], Sequence[tuple[str | None, ...]]]


def speaker(names: Names, graph: GraphName) -> str | None:
    """Who states what a graph holds: its organisation, `PLATFORM` for the platform's graphs, None for a
    derived graph (conclusions and records are nobody's statement) and for a link a facilitator
    accepted (`partner/{org}/link/…`, written by moderation alone: a decision, no organisation's claim)."""
    if names.is_derived(graph) or owning_api(graph, names) == MODERATION_API:
        return None
    return names.owner_of(graph) or PLATFORM


def owners_from(
    described: Sequence[tuple[GraphName, bool]],
    names: Names,
    subject: NamedNode | None = None,
    earliest: Earliest | None = None,
    reader: str | None = None,
) -> set[str]:
    """The owners of an entity from (graph, states its type) pairs: who types it, else who describes it.

    Two organisations type it when one created it where the other could not see it (a private draft, an
    embargo) — the second create could not be refused without telling that the first exists. Which of
    them owns it is `first_typed`'s to say, for a reader of organisation `reader` (None: of none); the
    other's statements are then its claims. `actor/{org}` is also organisation `org`'s own: the platform
    may have described it first, and an organisation describes itself; another partner may not describe
    it (`minted.refuse_others_actor`). Once `org` describes it, it is `org`'s and the PIC's curators'
    (`Names.curators`) alone: what a partner wrote of it before `org` joined, or before the rule, is that
    partner's claim."""
    itself = own_actor(names, subject)
    speakers = {s for g, _ in described if (s := speaker(names, g)) is not None}
    if itself in speakers:  # it describes itself: what others wrote before is theirs (re-test 4, F5)
        return {itself} | (speakers & ({PLATFORM} | names.curators))
    typing = {g for g, t in described if t and speaker(names, g)}
    typed = {s for g in typing if (s := speaker(names, g))}  # all of them: `typing` has a speaker's
    if len(typed) > 1:
        typed = first_typed(typing, names, subject, earliest, reader)
    found = typed or speakers
    return found | {itself} if found and itself else found


def first_typed(
    typing: set[GraphName], names: Names, subject: NamedNode | None, earliest: Earliest | None, reader: str | None
) -> set[str]:
    """Who owns an entity several organisations' graphs type, as a reader of organisation `reader` sees
    it: (a) its own organisation, when it is one of them — B typing `study/foo` in its private draft must
    not make A's published `study/foo` B's to A's members, nor the reverse; (b) else the typing in a public
    graph that became public first — what anonymous readers were shown as A's stays A's for facilitators
    too, however early a private draft took the id, and whenever it was made public later (a draft moved
    to `partner/{org}`, an embargo lifting: `public_since`); (c) else the earliest among them all (all the
    reader may read). `earliest` gives each graph's first record the reader may read (`earliest_typing`);
    a typing without one counts last, never first. Without `earliest`, all of them."""
    typed = {s for g in typing if (s := speaker(names, g))}  # all of them: `owners_from` kept those with one
    if reader is not None and reader in typed:
        return {reader}
    if earliest is None:
        return typed
    assert subject is not None, "the time of a typing is asked of a subject"
    public = {g for g in typing if is_public(g.value, names)}
    times = earliest(subject, public or typing)
    if public:
        times = {g: max(t, public_since(names, g) or t) for g, t in times.items()}
    if not times:  # nobody's time is known to this reader: none of them is first
        return {s for g in public or typing if (s := speaker(names, g))}
    first = min(times.values())
    return {s for g, t in times.items() if t == first and (s := speaker(names, g))}


def public_since(names: Names, graph: GraphName) -> datetime | None:
    """When an embargoed graph (`private/{org}/until-YYYY-MM-DD`) became public: its day's start, local
    time, as `access.embargo_lifted` reads the day — a study written under embargo before another
    organisation published the same id is public only after it, and takes nothing over. None for other
    graphs: a public graph is public from its write."""
    if names.kind_of(graph) != "private":
        return None
    rest = graph.value[len(names.graph("private/").value) :].partition("/")[2]
    m = EMBARGO.match(rest)
    try:
        return datetime.combine(date.fromisoformat(m.group(1)), time()).astimezone(UTC) if m else None
    except (ValueError, OverflowError):  # a day the writes refuse today (`writes.checks.real_day`): never public
        return datetime.max.replace(tzinfo=UTC)


def instant(lexical: str) -> datetime | None:
    """An `xsd:dateTime` as an aware datetime (UTC when it names no zone); None when it is not one."""
    try:
        value = datetime.fromisoformat(lexical)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def own_actor(names: Names, subject: NamedNode | BlankNode | None) -> str | None:
    """The organisation an `actor/{org}` IRI names."""
    prefix = f"{names.base}actor/"
    if subject is None or not subject.value.startswith(prefix):
        return None
    key = subject.value[len(prefix) :]
    return key if key and "/" not in key else None


def earliest_typing(select: Select) -> Earliest:
    """`earliest` for `owners_from`, reading the change records (`pic:touched`) through `select`, which
    runs a SELECT over the records the reader may read and gives its rows as (?g, ?first) lexical values:
    {typing graph: when the first record the reader may read lists the subject in it}. A typing graph no
    such record lists is left out — its time is unknown to this reader, and `first_typed` counts it last:
    a draft moved to `partner/{org}` is recorded in its organisation's private records (the narrowest
    audience of the graphs the move changed), and counting it first would let it take over what another
    organisation published meanwhile (issue 16, outside re-test). Where no typing is recorded (the demo, a
    bulk load past `history.MAX_TOUCHED` entities), none comes first: all of them own it."""

    def earliest(subject: NamedNode, graphs: set[GraphName]) -> dict[GraphName, datetime]:
        ordered = sorted(graphs, key=lambda g: g.value)
        rows = select(bind_rows(FIRST_RECORD, [Variable("s"), Variable("g")], [[subject, g] for g in ordered]))
        first = {NamedNode(bound(g)): instant(when) for g, when in rows if when}
        return {g: t for g, t in first.items() if t is not None and g in graphs}

    return earliest


def bound(value: str | None) -> str:
    """A plain value of a row's variable its query always binds (?g, ?s): never None."""
    assert value is not None, "the query binds this variable in every row"
    return value


def record_graphs(store: KnowledgeStore, names: Names) -> list[NamedNode]:
    """The store's change-record graphs (the write path names each by an IRI)."""
    return [g for g in store.graphs() if isinstance(g, NamedNode) and names.is_provenance(g)]


def owners(store: KnowledgeStore, names: Names, user: User, subjects: set[NamedNode]) -> dict[NamedNode, set[str]]:
    """The owners of each subject, as the graphs `user` may read say, to `user` (`first_typed`: its own
    organisation first — so a writer writes its own typed entities as facts); a subject nobody owns is absent."""
    seen = seen_by(store, user, names)
    records = readable_by(user, record_graphs(store, names), names)
    earliest = earliest_typing(
        lambda text: [
            (row["g"].value, row["first"].value if row["first"] else None)
            for row in solutions(store.query(text, named_graphs=records or [names.graph("none")]))
        ]
    )
    found: dict[NamedNode, list[tuple[NamedNode, bool]]] = {}
    ordered = sorted(subjects, key=lambda n: n.value)
    for start in range(0, len(ordered), BATCH):
        text = bind_rows(DESCRIBED, [Variable("s")], [[s] for s in ordered[start : start + BATCH]])
        for row in solutions(seen.query(text)):
            found.setdefault(row["s"], []).append((row["g"], row["typed"].value == "true"))
    result = {s: owners_from(pairs, names, s, earliest, user.org) for s, pairs in found.items()}
    parented = minted_parents(store, names, user, set(found))
    for s, owned in parented.items():  # a minted IRI is its parent's owner's (`minted.py`)
        theirs = set().union(*owned.values())
        pairs = [(g, t) for g, t in found[s] if speaker(names, g) in theirs]
        result[s] = owners_from(pairs, names, s, earliest, user.org) if pairs else result[s] | theirs
    return {s: o for s, o in result.items() if o}


def refuse_minted_in_public(
    store: KnowledgeStore, names: Names, checked: list[tuple[Quad, str]], new: list[Quad]
) -> None:
    """The minted IRIs a write puts in public graphs, judged as everyone reads them: aula's private draft of
    series `ds-q` made it aula's to aula, and aula's public cell of cd62's published `ds-q` the public fact
    (sixth outside re-test, finding 1; the same with a project's role node)."""
    public = {
        q.subject: org
        for q, org in reversed(checked)
        if isinstance(q.subject, NamedNode)
        and becomes_public(names, named(q.graph_name))
        and minted.parents(names, q.subject)
    }
    if public:
        seen = minted_parents(store, names, ANONYMOUS, set(public))
        minted.refuse_squats(public, seen)
        minted.refuse_orphans(names, public, seen, [q for q in new if becomes_public(names, named(q.graph_name))])


def becomes_public(names: Names, graph: GraphName) -> bool:
    """Public now, or on an embargo's day (a cell in a future embargo graph got round the rule above:
    seventh outside re-test, finding 2)."""
    return is_public(graph.value, names) or public_since(names, graph) is not None


TYPED_IN = "SELECT ?s ?g WHERE { GRAPH ?g { ?s a ?class } }"  # the graphs that state what each ?s is


def refuse_taking_published(
    store: KnowledgeStore, names: Names, new: list[Quad], parented: dict[NamedNode, ParentOwners]
) -> None:
    """Raise NotAllowed when a partner's write types, in a public graph of its organisation, an entity
    another organisation's public graph types and none of its own public graphs does now. Fifth outside
    re-test, finding 2: aula published study `race-5`, made it private, cd62 published its own `race-5`
    (the id looked free), and aula's republishing took it over — its first public record came first.
    What anonymous readers see is asked, so the refusal tells nothing private. An organisation's own actor
    is its own to describe wherever the curators put it, and a minted IRI its parents' owners' (`parented`)."""
    typed = sorted(
        {
            (q.subject, named(q.graph_name))
            for q in new
            if q.predicate == RDF_TYPE
            and isinstance(q.subject, NamedNode)
            and is_public(named(q.graph_name).value, names)
        },
        key=str,
    )
    if not typed:
        return
    text = bind_rows(TYPED_IN, [Variable("s")], [[s] for s in sorted({s for s, _ in typed}, key=str)])
    public: dict[NamedNode, set[str]] = {}
    for row in solutions(store.query(text)):
        if (owner := names.owner_of(row["g"])) and is_public(row["g"].value, names):
            public.setdefault(row["s"], set()).add(owner)
    for subject, graph in typed:
        org, publishers = names.owner_of(graph), public.get(subject, set())
        party = minted.owns_parent(org, parented.get(subject))  # a membership is either party's
        if org and publishers and org not in publishers and own_actor(names, subject) != org and not party:
            raise NotAllowed(
                f"{subject.value} is published by {', '.join(sorted(publishers))}: another entity "
                f"needs another id (an organisation's entity that another has published since it "
                "was withdrawn is no longer its own to publish)"
            )


def minted_parents(
    store: KnowledgeStore, names: Names, user: User, subjects: set[NamedNode]
) -> dict[NamedNode, ParentOwners]:
    """{minted subject: {parent: its owners}}, as `user` sees them (`minted.parent_owners`)."""
    asked = {p for s in subjects for p in minted.parents(names, s)}
    if not asked:
        return {}
    return minted.parent_owners(
        names,
        subjects,
        owners(store, names, user, asked),
        typed_by(store, names, user, {s for s in subjects if minted.older_role_node(names, s)}),
    )


def typed_by(store: KnowledgeStore, names: Names, user: User, subjects: set[NamedNode]) -> dict[NamedNode, set[str]]:
    """{subject: the organisations whose graphs `user` may read type it}."""
    found: dict[NamedNode, set[str]] = {}
    if subjects:
        text = bind_rows(TYPED_IN, [Variable("s")], [[s] for s in sorted(subjects, key=lambda n: n.value)])
        for row in solutions(seen_by(store, user, names).query(text)):
            who = speaker(names, row["g"])
            if who:
                found.setdefault(row["s"], set()).add(who)
    return found


def is_document_description(quad: Quad, names: Names) -> bool:
    """A statement the document upload writes: a study's `dcat:distribution`, a document node's facts."""
    return quad.predicate == DISTRIBUTION or (
        isinstance(quad.subject, NamedNode) and quad.subject.value.startswith(f"{names.base}document/")
    )


def check(
    store: KnowledgeStore,
    names: Names,
    user: User,
    added: Iterable[Quad],
    removed: list[Quad],
    api: str | None = None,
    organisations: set[str] | None = None,
) -> None:
    """Raise NotAllowed when the write says what its writer may not say where it says it. `organisations`:
    the platform's organisations the service knows (its accounts'), beside those with graphs."""
    added = list(added)
    unchanged = set(removed)
    new = [q for q in added if q not in unchanged]
    if api != DOCUMENTS_API:
        forged = next((q for q in new if is_document_description(q, names)), None)
        if forged is not None:
            raise NotAllowed(
                f"{forged.subject.value} {forged.predicate.value}: a document's description is "  # type: ignore[union-attr]  # pyoxigraph 0.5 stubs: a subject is never a Triple
                "written by uploading the document (POST /api/studies/{key}/documents)"
            )
    platform_entities.check(names, user, new, api)
    derived_predicates.check(user, new)
    if user.role != "partner":
        return  # facilitators and admins curate any partner graph
    stated = [
        (q, names.owner_of(named(q.graph_name)))
        for q in new
        if not (api == DOCUMENTS_API and is_document_description(q, names))
    ]  # the upload checked the study is theirs
    checked = [
        (q, org)
        for q, org in stated
        if org
        and names.kind_of(named(q.graph_name)) in ("partner", "private")
        and owning_api(named(q.graph_name), names) is None
    ]
    subjects = {q.subject: org for q, org in reversed(checked) if isinstance(q.subject, NamedNode)}
    targets = {q.object for q, _ in checked if q.predicate in joining.LINKS and isinstance(q.object, NamedNode)}
    minted.refuse_others_actor(names, subjects, minted.organisations(store, names) | (organisations or set()))
    parented = minted_parents(store, names, user, set(subjects))
    minted.refuse_squats(subjects, parented)
    minted.refuse_orphans(names, subjects, parented, new)
    refuse_minted_in_public(store, names, checked, new)
    minted.refuse_misnamed(names, [q for q, _ in checked])
    known = owners(store, names, user, set(subjects) | targets)
    for subject in sorted(subjects, key=lambda n: n.value):
        org, theirs = subjects[subject], known.get(subject)
        if theirs and org not in theirs and not minted.owns_parent(org, parented.get(subject)):
            raise NotAllowed(
                f"{subject.value} belongs to {', '.join(sorted(theirs))}: the graphs of {org} say "
                f"things about {org}'s own entities (and link them to any other); propose a link "
                "to this one through an annotation"
            )
    refuse_taking_published(store, names, [q for q, _ in checked], parented)
    joining.refuse_borrowed(checked, known)
    kept = set(added)
    dropped = [(q, joining.org_of(names, named(q.graph_name))) for q in removed if q not in kept]
    joined = joining.joins(store, names, user, checked, [(q, org) for q, org in dropped if org])
    others = {t for targets in joined.values() for t in targets} - set(known)
    known.update(owners(store, names, user, others))
    joining.refuse_joins(names, joined, known)
