"""IRIs the platform derives from another entity, and an organisation's own actor (issue 16, outside
re-test #3, findings 1 and 2): nobody else may take them first.

The forms and the spreadsheet import mint some IRIs from a pattern (`contributions.spreadsheet.subject_of`,
`cell`): an observation `observation/{dataset}/{code}/{year}` from its series, a membership
`membership/{member}--{organisation}` from its two actors, a project's role node
`association/{project}--{actor}--{role}` from its project. Typed first by another organisation (any class, in its
own public graph) such an IRI was that organisation's, and the real owner's form answered 409 or 403 for
good. So a minted IRI belongs to its parent's owner: an observation to its series' owner, a role node to
its project's owner, a membership to the owner of either actor (the form lets either party state it,
`joining.MEMBERSHIP_RULE`). A partner may describe one only if its organisation owns a parent
(`refuse_squats`: 403 naming the parent and its owner), and when reading whose one is, a describer that
owns none of its parents counts only if no parent's owner describes it (`ownership.owners`).

A role node the forms mint now is `association/{project}--{actor}--{role}`: a key has no `--`
(`contributions.kinds.SLUG`), so its project is what comes before the first `--`. An older one,
`association/{project}-{actor}`, is ambiguous — `a-b-c` is project `a-b`'s node for actor `c`, or project
`a`'s for actor `b-c` —: it is its longest owned project's. Before, it was the project that linked to it,
and a partner owning project `chaine` took `association/chaine-des-parcs-louvre-lens` by linking to it
(fourth outside re-test, F4): `chaine-des-parcs`'s owner then got 403 for its own participant.

`actor/{org}` of an organisation of the platform (one with users or graphs) is that organisation's own:
a partner of another organisation may not describe it (`refuse_others_actor`), even before anything
does — an outside tester's `actor/cd62 foaf:name "FAKE CD62"` in aula's graph made aula its owner. The
service tells the write path which organisations it has (`Writer.organisations`, from its accounts); the
graphs `partner/{org}` and `private/{org}/…` name the others (`organisations`).
"""

from collections.abc import Iterable

from pyoxigraph import NamedNode, Quad, Triple

from pic.graph.access import NotAllowed
from pic.graph.names import Names, named
from pic.graph.store.interface import KnowledgeStore
from pic.ontology.namespaces import PREFIXES, expand

# {parent: its owners} of a minted IRI (`parent_owners`).
ParentOwners = dict[NamedNode, set[str]]


def parents(names: Names, subject: NamedNode) -> list[NamedNode]:
    """The entities a minted IRI is derived from (none for an IRI no pattern mints)."""
    value = subject.value
    if not value.startswith(names.base):
        return []
    kind, _, rest = value[len(names.base) :].partition("/")
    if not rest:
        return []
    if kind == "observation":
        dataset = rest.split("/")[0]
        return [NamedNode(f"{names.base}dataset/{dataset}")] if dataset and rest.count("/") == 2 else []
    if kind == "membership" and "--" in rest:
        member, _, organisation = rest.partition("--")
        return [NamedNode(f"{names.base}actor/{a}") for a in (member, organisation) if a and "/" not in a]
    if kind == "association" and "/" not in rest:
        if "--" in rest:
            return [NamedNode(f"{names.base}project/{rest.partition('--')[0]}")] if not rest.startswith("-") else []
        return [NamedNode(f"{names.base}project/{rest[:i]}") for i, c in enumerate(rest) if c == "-" and i]
    return []


def parent_owners(
    names: Names,
    subjects: Iterable[NamedNode],
    known: dict[NamedNode, set[str]],
    typed_by: dict[NamedNode, set[str]] | None = None,
) -> dict[NamedNode, ParentOwners]:
    """{minted subject: {parent: its owners}} for the parents someone owns (`known`: owners of the
    parents, as the writer or reader sees them). A role node has one: its longest owned project — for an
    older one (`association/{project}-{actor}`, several candidate projects), among the projects whose
    owners already type it (`typed_by`) if any: cd62 typed `association/cd62-proj-louvre-lens` for its
    `cd62-proj`, aula then made project `cd62-proj-louvre` and wrote the node as its own (eighth outside
    re-test, finding 3)."""
    found: dict[NamedNode, ParentOwners] = {}
    for subject in subjects:
        owned = {p: known[p] for p in parents(names, subject) if known.get(p)}
        if owned and f"{names.base}association/" in subject.value:
            held = {p: o for p, o in owned.items() if o & (typed_by or {}).get(subject, set())}
            owned = held or owned
            longest = max(owned, key=lambda p: len(p.value))
            owned = {longest: owned[longest]}
        if owned:
            found[subject] = owned
    return found


def older_role_node(names: Names, subject: NamedNode) -> bool:
    """An `association/{project}-{actor}` IRI of before the forms minted `--` names: ambiguous."""
    prefix = f"{names.base}association/"
    return subject.value.startswith(prefix) and "--" not in subject.value[len(prefix) :]


def owns_parent(org: str | None, owned: ParentOwners | None) -> bool:
    """Whether `org` owns one of a minted IRI's parents (`owned`: {parent: its owners}, `parent_owners`)."""
    return any(org in owners for owners in (owned or {}).values())


def refuse_squats(subjects: dict[NamedNode, str], parented: dict[NamedNode, ParentOwners]) -> None:
    """Raise NotAllowed when a partner's write describes a minted IRI none of whose parents its
    organisation owns. `subjects`: {subject: the organisation whose graph the write describes it in}."""
    for subject in sorted(subjects, key=lambda n: n.value):
        org, owned = subjects[subject], parented.get(subject)
        if not owned or owns_parent(org, owned):
            continue
        whose = "; ".join(
            f"{p.value} belongs to {', '.join(sorted(o))}" for p, o in sorted(owned.items(), key=lambda i: i[0].value)
        )
        raise NotAllowed(
            f"{subject.value} is derived from another entity, and is its owner's: {whose}. "
            f"{org}'s graphs describe only what is derived from {org}'s own entities; propose it "
            "to the owner through an annotation"
        )


def refuse_orphans(
    names: Names, subjects: dict[NamedNode, str], parented: dict[NamedNode, ParentOwners], new: Iterable[Quad]
) -> None:
    """Raise NotAllowed when a partner's write describes a minted IRI whose parents nobody describes yet,
    unless the same write describes one of them in the writer's graphs (a form's new project and its role
    nodes). Fifth outside re-test, findings 1 and 3: aula typed `association/zzz-nouveau--cd62` before
    cd62 made project `zzz-nouveau`, and cd62's form then got 403 "belongs to aula"; the same with a
    series' cell and a membership of actors to come."""
    described = {(q.subject, names.owner_of(named(q.graph_name))) for q in new}
    for subject in sorted(subjects, key=lambda n: n.value):
        org, among = subjects[subject], parents(names, subject)
        if not among or subject in parented or any((p, org) in described for p in among):
            continue
        raise NotAllowed(
            f"{subject.value} is derived from {', '.join(p.value for p in among)}, which nobody "
            f"describes yet: only the owner of what it comes from describes it; describe that first"
        )


PROV, QB, ORG = PREFIXES["prov"], PREFIXES["qb"], PREFIXES["org"]
NAMED_BY = {  # what a minted IRI's name says, statement by statement: (kind, predicate) → (part, what it names)
    ("membership", f"{ORG}member"): (0, "actor/"),
    ("membership", f"{ORG}organization"): (1, "actor/"),
    ("observation", f"{QB}dataSet"): (0, "dataset/"),
    ("observation", expand("pic:refArea")): (1, "territory/"),
    ("observation", expand("pic:refYear")): (2, ""),
    ("association", f"{PROV}agent"): (1, "actor/"),
    ("association", f"{PROV}hadRole"): (2, "role/"),
}
PARTS = {"membership": 2, "observation": 3, "association": 3}


def name_parts(names: Names, subject: NamedNode) -> tuple[str, list[str]]:
    """(kind, the parts of its name) of an IRI a pattern mints; ("", []) for any other. Older role nodes say
    less: `association/{project}-{actor}` (no `--`) nothing of its actor, `{project}--{actor}` nothing of
    its role."""
    kind, _, rest = subject.value[len(names.base) :].partition("/")
    if kind not in PARTS or not parents(names, subject):
        return "", []
    return kind, rest.split("/") if kind == "observation" else rest.split("--")


def names_match(names: Names, prefix: str, part: str, value: str) -> bool:
    """Whether a statement's object is what the name's part says: the entity `{base}{prefix}{part}`, a
    territory of any kind whose code is `part`, or a year literal `part`."""
    if not prefix:
        return value == part
    if prefix == "territory/":
        return value.startswith(f"{names.base}territory/") and value.rsplit("/", 1)[-1] == part
    return value == f"{names.base}{prefix}{part}"


def refuse_misnamed(names: Names, quads: Iterable[Quad]) -> None:
    """Raise NotAllowed when a write says of a minted IRI other than its name says: aula's
    `membership/aula--mel` whose organisation was ville-de-lens took mel's membership, and ville-de-lens's
    page listed it (sixth outside re-test, findings 2 and 8); a role node `association/p--mel--pilote`
    whose agent was cd62, and an observation of cell `…/62480/…` whose area was `epci/62480`, a name
    matched on its last segment only (seventh re-test)."""
    for q in quads:
        if not isinstance(q.subject, NamedNode) or not q.subject.value.startswith(names.base):
            continue
        kind, parts = name_parts(names, q.subject)
        said = NAMED_BY.get((kind, q.predicate.value))
        if said is None or (kind == "association" and len(parts) <= said[0]):  # older role nodes say less
            continue
        part, prefix = said
        wrong_length = len(parts) > PARTS[kind] or (kind != "association" and len(parts) < PARTS[kind])
        said_value = str(q.object) if isinstance(q.object, Triple) else q.object.value  # (parsing refuses triples)
        if wrong_length or not names_match(names, prefix, parts[part], said_value):
            rest = q.subject.value[len(names.base) + len(kind) + 1 :]
            expected = (
                f"{names.base}{prefix}{parts[part]}"
                if part < len(parts) and prefix != "territory/"
                else f"a territory whose code is {parts[part]!r}"
                if part < len(parts)
                else "?"
            )
            raise NotAllowed(
                f"{q.subject.value}: its name says {rest!r}, so its "
                f"{q.predicate.value.rsplit('#', 1)[-1]} is {expected}, not {said_value!r}"
            )


def organisations(store: KnowledgeStore, names: Names) -> set[str]:
    """The organisations whose graphs (`partner/{org}`, `private/{org}/…`) the store holds."""
    return {org for g in store.graphs() if names.kind_of(g) in ("partner", "private") and (org := names.owner_of(g))}


def refuse_others_actor(names: Names, subjects: dict[NamedNode, str], known_orgs: set[str]) -> None:
    """Raise NotAllowed when a partner's write describes `actor/{X}` of an organisation X of the platform
    other than its own."""
    prefix = f"{names.base}actor/"
    for subject in sorted(subjects, key=lambda n: n.value):
        key = subject.value[len(prefix) :] if subject.value.startswith(prefix) else ""
        org = subjects[subject]
        if key and "/" not in key and key in known_orgs and key != org:
            raise NotAllowed(
                f"{subject.value}: actor/{key} is organisation {key}'s own: only {key} describes "
                f"it (a facilitator may curate it); {org}'s graphs may link to it, and propose "
                "corrections through an annotation"
            )
