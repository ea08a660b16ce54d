"""Who reads a graph that is not public, as W3C Web Access Control data (issue 20, docs/data-governance.md).

Each such graph has one `acl:Authorization` in the admins' graph `graph/access-control`: `acl:accessTo`
the graph, `acl:mode acl:Read`, and its readers — `acl:agentClass foaf:Agent` (everyone),
`acl:agentClass acl:AuthenticatedAgent` (every signed-in member of the PIC), `acl:agentGroup` a group of
organisations (a `vcard:Group` whose `vcard:hasMember` are their actors, `actor/{org}`) or a working group
(`group/{slug}`). WAC has no time: an embargo adds `pic:until` a day and `pic:widensTo` the
`pic:PendingAuthorization` that holds from that day on. Other linked-data tools read the rules as they
are; `access.may_read` reads them from `Rules`, kept in memory and reloaded by the write path after any
change to the graph, never from a second copy.

The authorization is written by the platform, in the same write, when a graph of an audience is first
written: its name asks for the audience (`names.AUDIENCE_SEGMENT`: `private/{org}/members`,
`…/with-a_b`, `…/group-g`, `…/until-YYYY-MM-DD`, and annotations shared with a working group). From then
on the authorization decides, so a graph that existed before the audience's name meant anything keeps
the audience it had (`installation/authorizations.py`). Changing an item's audience moves it to the
graph of the new audience (`contributions.forms`); an authorization is never rewritten in place.
"""

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from pyoxigraph import Literal, NamedNode, Quad, Store

from pic.graph.names import AUDIENCE_SEGMENT, GraphName, Names
from pic.graph.store.interface import KnowledgeStore
from pic.ontology.namespaces import expand

ACL_AUTHORIZATION, ACL_ACCESS_TO, ACL_MODE, ACL_READ = (
    NamedNode(expand(f"acl:{t}")) for t in ("Authorization", "accessTo", "mode", "Read")
)
ACL_AGENT_CLASS, ACL_AGENT_GROUP, ACL_AUTHENTICATED = (
    NamedNode(expand(f"acl:{t}")) for t in ("agentClass", "agentGroup", "AuthenticatedAgent")
)
FOAF_AGENT = NamedNode(expand("foaf:Agent"))
VCARD_GROUP, VCARD_HAS_MEMBER = NamedNode(expand("vcard:Group")), NamedNode(expand("vcard:hasMember"))
PIC_UNTIL, PIC_WIDENS_TO, PIC_PENDING = (
    NamedNode(expand(f"pic:{t}")) for t in ("until", "widensTo", "PendingAuthorization")
)
RDF_TYPE, XSD_DATE = NamedNode(expand("rdf:type")), NamedNode(expand("xsd:date"))


@dataclass(frozen=True)
class Audience:
    """Who reads a graph: everyone, every signed-in member, some organisations, some working groups (the
    readers are the union); until a day, then `then`. Facilitators and admins read every graph: a role."""

    everyone: bool = False
    members: bool = False
    orgs: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    until: date | None = None
    then: "Audience | None" = None

    def now(self, day: date) -> "Audience":
        """The audience that holds on `day` (an embargo's next one from its day on)."""
        if self.until is not None and self.then is not None and self.until <= day:
            return self.then.now(day)
        return self

    def admits(self, role: str, org: str | None, groups: frozenset[str], day: date) -> bool:
        current = self.now(day)
        return (
            current.everyone
            or (current.members and role != "anonymous")
            or (org is not None and org in current.orgs)
            or bool(current.groups & groups)
        )

    def describe(self, lang: str = "fr", named: Mapping[str, str] | None = None) -> str:
        """What a page says under an item ("visible : membres de la PIC"); `named`: the organisations' and
        working groups' names, by identifier."""
        named = named or {}
        fr = lang != "en"
        parts = []
        if self.everyone:
            parts.append("tout le monde" if fr else "everyone")
        if self.members:
            parts.append("membres de la PIC" if fr else "PIC members")
        if self.orgs:
            parts.append(", ".join(sorted(named.get(o, o) for o in self.orgs)))
        if self.groups:
            word = "groupe de travail" if fr else "working group"
            parts.append(", ".join(f"{word} {named.get(g, g)}" for g in sorted(self.groups)))
        text = " ; ".join(parts) or ("animateurs et administrateurs" if fr else "facilitators and admins")
        if self.until is not None and self.then is not None:
            then = self.then.describe(lang, named)
            day = self.until.isoformat()
            text += f" (jusqu'au {day}, puis {then})" if fr else f" (until {day}, then {then})"
        return text


def governing(graph: GraphName, names: Names) -> NamedNode | None:
    """The graph whose authorization says who reads `graph`: an annotation graph shared with a working
    group itself; for `private/{org}/{audience}` and what lies under it (its derived graphs
    `…/inferred|provenance`, a graph a partner named below it), that graph. None where the kind decides:
    public graphs, an organisation's other private graphs (its own), the platform's."""
    owner, kind = names.owner_of(graph), names.kind_of(graph)
    if owner is None:
        return None
    if kind == "annotations":
        return NamedNode(graph.value) if names.group_of(graph) else None
    if kind != "private":
        return None
    parts = graph.value[len(names.graph("private/").value) :].split("/")
    if len(parts) < 2 or not AUDIENCE_SEGMENT.match(parts[1]):
        return None
    return names.graph(f"private/{owner}/{parts[1]}")


def default_for(graph: GraphName, names: Names) -> Audience | None:
    """The audience the name of a governing graph (`governing`) asks for when it is first written."""
    owner, kind = names.owner_of(graph), names.kind_of(graph)
    if owner is None or governing(graph, names) != graph:
        return None
    own = frozenset({owner})
    if kind == "annotations":
        return Audience(orgs=own, groups=frozenset({names.group_of(graph) or ""}))
    segment = graph.value.rsplit("/", 1)[1]
    if segment.startswith("until-"):
        try:
            day = date.fromisoformat(segment[len("until-") :])
        except ValueError:  # a day the writes refuse (`writes.checks`): never lifted
            return Audience(orgs=own)
        return Audience(orgs=own, until=day, then=Audience(everyone=True))
    if segment == "members":
        return Audience(orgs=own, members=True)
    if segment.startswith("with-"):
        return Audience(orgs=own | frozenset(segment[len("with-") :].split("_")))
    return Audience(orgs=own, groups=frozenset({segment[len("group-") :]}))


def authorization_of(graph: GraphName, names: Names) -> NamedNode:
    """`{base}access/{the graph's path under graph/}`: one authorization per graph, named after it."""
    return NamedNode(f"{names.base}access/{graph.value[len(names.graph('').value) :]}")


def rules_of(store: KnowledgeStore, graphs: Iterable[GraphName], names: Names) -> list[Quad]:
    """The statements of the authorizations of `graphs` (an authorization and its groups, `…#…`), as the
    access-control graph holds them: what an export carries and a withdrawal removes."""
    wanted = {authorization_of(g, names).value for g in graphs}
    return [q for q in store.quads(names.access_control) if text_of(q.subject).partition("#")[0] in wanted]


def quads(graph: GraphName, audience: Audience, names: Names) -> list[Quad]:
    """The authorization of `graph`, as quads of `graph/access-control`."""
    auth = authorization_of(graph, names)
    into = names.access_control
    out = [
        Quad(auth, RDF_TYPE, ACL_AUTHORIZATION, into),
        Quad(auth, ACL_ACCESS_TO, graph, into),
        Quad(auth, ACL_MODE, ACL_READ, into),
        *_readers(auth, audience, names),
    ]
    if audience.until is not None and audience.then is not None:
        then = NamedNode(f"{auth.value}#then")
        out += [
            Quad(auth, PIC_UNTIL, Literal(audience.until.isoformat(), datatype=XSD_DATE), into),
            Quad(auth, PIC_WIDENS_TO, then, into),
            Quad(then, RDF_TYPE, PIC_PENDING, into),
            *_readers(then, audience.then, names),
        ]
    return out


def _readers(node: NamedNode, audience: Audience, names: Names) -> list[Quad]:
    into = names.access_control
    out = []
    if audience.everyone:
        out.append(Quad(node, ACL_AGENT_CLASS, FOAF_AGENT, into))
    if audience.members:
        out.append(Quad(node, ACL_AGENT_CLASS, ACL_AUTHENTICATED, into))
    if audience.orgs:
        group = NamedNode(f"{node.value.partition('#')[0]}#{'then-' if '#' in node.value else ''}organisations")
        out += [Quad(node, ACL_AGENT_GROUP, group, into), Quad(group, RDF_TYPE, VCARD_GROUP, into)]
        out += [Quad(group, VCARD_HAS_MEMBER, NamedNode(f"{names.base}actor/{o}"), into) for o in sorted(audience.orgs)]
    out += [Quad(node, ACL_AGENT_GROUP, NamedNode(f"{names.base}group/{g}"), into) for g in sorted(audience.groups)]
    return out


def read(said: Iterable[Quad], names: Names) -> dict[str, Audience]:
    """Every authorization `said` (the access-control graph's quads), by the graph it gives access to."""
    by_subject: dict[str, list[Quad]] = {}
    for q in said:
        by_subject.setdefault(q.subject.value, []).append(q)  # type: ignore[union-attr]  # pyoxigraph 0.5 stubs: a subject is never a Triple
    found: dict[str, Audience] = {}
    for subject, said in by_subject.items():
        targets = [text_of(q.object) for q in said if q.predicate == ACL_ACCESS_TO]
        if not any(q.predicate == RDF_TYPE and q.object == ACL_AUTHORIZATION for q in said) or len(targets) != 1:
            continue
        found[targets[0]] = _audience(subject, by_subject, names)
    return found


def _audience(subject: str, by_subject: dict[str, list[Quad]], names: Names, depth: int = 0) -> Audience:
    said = by_subject.get(subject, [])
    classes = {q.object for q in said if q.predicate == ACL_AGENT_CLASS}
    orgs, groups = set(), set()
    actors, working = f"{names.base}actor/", f"{names.base}group/"
    for q in said:
        if q.predicate != ACL_AGENT_GROUP:
            continue
        value = text_of(q.object)
        if value.startswith(working):
            groups.add(value[len(working) :])
            continue
        for member in by_subject.get(value, []):
            if member.predicate == VCARD_HAS_MEMBER and text_of(member.object).startswith(actors):
                orgs.add(text_of(member.object)[len(actors) :])
    until = next((text_of(q.object) for q in said if q.predicate == PIC_UNTIL), None)
    then = next((text_of(q.object) for q in said if q.predicate == PIC_WIDENS_TO), None)
    day: date | None = None
    if until is not None:
        try:
            day = date.fromisoformat(until)
        except ValueError:
            day = None  # no day it widens on: it never does
    return Audience(
        everyone=FOAF_AGENT in classes,
        members=ACL_AUTHENTICATED in classes,
        orgs=frozenset(orgs),
        groups=frozenset(groups),
        until=day if then else None,
        then=_audience(then, by_subject, names, depth + 1) if then and day and depth < 4 else None,
    )


def text_of(term: object) -> str:
    """An IRI's or a literal's text ('' for a quoted triple or a default graph, which no rule names)."""
    return str(getattr(term, "value", ""))


class Rules:
    """The authorizations in memory, by graph IRI: `access.may_read` asks them on every read, so they are
    replaced whole (a reader sees the old table or the new one, never half of each)."""

    def __init__(self) -> None:
        self.by_graph: dict[str, Audience] = {}
        self._lock = threading.Lock()

    def load(
        self, store: KnowledgeStore, names: Names, pending: Store | None = None, removed: Iterable[Quad] = ()
    ) -> None:
        """Read the rules from the store — with a write's change applied, before it commits (`pending`,
        `removed`), so that what it infers and where its record goes follow the rules it brings."""
        gone = {q for q in removed if q.graph_name == names.access_control}
        said = [q for q in store.quads(names.access_control) if q not in gone]
        if pending is not None:
            said += pending.quads_for_pattern(None, None, None, names.access_control)
        found = read(said, names)
        with self._lock:
            self.by_graph = found

    def of(self, graph: str) -> Audience | None:
        return self.by_graph.get(graph)


_RULES: dict[str, Rules] = {}


def rules_for(base: str) -> Rules:
    """The rules of the deployment whose base IRI is `base` (one store per base in a process)."""
    return _RULES.setdefault(base, Rules())
