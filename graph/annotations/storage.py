"""Annotations in the store: each one in its author's organisation's graph for its visibility —
`annotations/{org}` (public), `annotations/{org}/group/{group}` (a working group), `private/{org}/annotations`
(the organisation and facilitators) — written through the one write path, read only from the graphs the
reader may read. The model itself (JSON-LD ⇄ RDF) is in `annotations.model`."""

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from pyoxigraph import Literal, NamedNode, Quad, QuerySolutions, Store, Variable

from pic.graph.access import ANNOTATIONS_API, ANONYMOUS, User
from pic.graph.annotations import model
from pic.graph.annotations.model import AnnotationError
from pic.graph.contributions.documents import described, text_of
from pic.graph.contributions.kinds import term
from pic.graph.errors import AlreadyThere, NotPublic, NotTheirs
from pic.graph.said import Said
from pic.graph.store.interface import Term, bind, bind_rows, solutions
from pic.graph.writes.history import now
from pic.graph.writes.visible import seen_by
from pic.ontology.namespaces import expand, sparql_prefixes

if TYPE_CHECKING:  # the write path's module imports most of graph/
    from pic.graph.writes.path import Writer

P = sparql_prefixes()
# The annotation, its own nodes (`#body-1`, `#target-1`, …) and its author; never what it points at.
DESCRIPTION = (
    P
    + """SELECT ?g ?s ?p ?o WHERE { GRAPH ?g {
  { ?a a oa:Annotation ; ?p ?o BIND (?a AS ?s) }
  UNION { ?a oa:hasBody|oa:hasTarget|oa:hasTarget/oa:hasSelector ?s . ?s ?p ?o
          FILTER (STRSTARTS(STR(?s), CONCAT(STR(?a), "#"))) }
  UNION { ?a dcterms:creator ?s . ?s ?p ?o }
} }"""
)
ABSTRACT = P + "SELECT ?text WHERE { ?study dcterms:abstract ?text }"
# The annotations one person has flagged: their own `moderating` annotations' targets.
FLAGGED_BY = (
    P
    + """SELECT DISTINCT ?a WHERE { GRAPH ?g {
  ?flag oa:motivatedBy oa:moderating ; dcterms:creator ?who ; oa:hasTarget ?a } }"""
)
LINK_KINDS = {
    "informs": ("pic:Project", "pic:EvaluationQuestion"),
    "builds-on": ("pic:Study",),
    "used-by": ("org:Organization", "foaf:Agent"),
}


@dataclass
class Stored:
    iri: str
    graph: NamedNode
    triples: list[tuple[str, str, model.Term]]

    @property
    def etag(self) -> str:
        lines = sorted(f"{s} {p} {o}" for s, p, o in self.triples) + [self.graph.value]
        return '"' + hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32] + '"'

    @property
    def creator(self) -> str | None:
        return next((o.value for s, p, o in self.triples if s == self.iri and p == f"{model.DCTERMS}creator"), None)

    def quads(self) -> list[Quad]:
        return [Quad(NamedNode(s), NamedNode(p), o, self.graph) for s, p, o in self.triples]


class Annotations:
    """`public`: where the protocol serves annotations (`http://host/annotations/`). An annotation's `id`
    in JSON-LD is its IRI there (the protocol's Location); the store names it `{base}annotation/{key}`,
    which the JSON-LD gives as `canonical` unless the client gave a `canonical` of its own (kept
    unchanged, as the protocol asks); clients may use either IRI to point at an annotation."""

    def __init__(self, writer: "Writer", documents_dir: Path, public: str | None = None):
        self.writer, self.names, self.documents = writer, writer.names, documents_dir
        self.stored_prefix = f"{writer.names.base}annotation/"
        self.public = public or self.stored_prefix

    @overload
    def canonical(self, data: str) -> str: ...
    @overload
    def canonical(self, data: object) -> object: ...
    def canonical(self, data: object) -> object:
        """The client's JSON with protocol IRIs of annotations replaced by their canonical IRIs."""
        return swap(data, self.public, self.stored_prefix)

    def public_iri(self, iri: str) -> str:
        """A stored annotation's IRI in the protocol (its `id`)."""
        return swap(iri, self.stored_prefix, self.public)

    # -- reading -----------------------------------------------------------------------------------
    def query(self, text: str, readable: list[str] | None) -> QuerySolutions:
        """A SELECT's rows over the graphs the reader may read (every graph: None)."""
        if readable is None:
            return solutions(self.writer.store.query(text))
        graphs = [NamedNode(g) for g in readable]
        return solutions(self.writer.store.query(text, default_graph=graphs, named_graphs=graphs))

    def get(self, iri: str, readable: list[str] | None) -> Stored | None:
        rows = list(self.query(bind(DESCRIPTION, {Variable("a"): NamedNode(iri)}), readable))
        if not rows:
            return None
        graph = rows[0]["g"]
        return Stored(iri, graph, [(r["s"].value, r["p"].value, r["o"]) for r in rows if r["g"] == graph])

    def json(self, stored: Stored) -> model.JsonObject:
        visibility = (
            "private"
            if self.names.kind_of(stored.graph) == "private"
            else "group"
            if self.names.group_of(stored.graph)
            else "public"
        )
        extra: dict[str, Any] = {"pic:visibility": visibility}
        if visibility == "group":
            extra["pic:group"] = f"{self.names.base}group/{self.names.group_of(stored.graph)}"
        if self.names.kind_of(stored.graph) == "hidden":
            extra["pic:hidden"] = True
        out = swap(model.to_json(stored.iri, stored.triples, extra), self.stored_prefix, self.public)
        canonical, via = model.stored_identities(stored.iri, stored.triples)
        out["canonical"] = canonical or stored.iri
        if via:
            out["via"] = via if len(via) > 1 else via[0]
        return out

    def listing(
        self, readable: list[str] | None, filters: Mapping[str, str | bool], offset: int, limit: int
    ) -> tuple[int, list[str]]:
        """(total, IRIs of the page) of the annotations matching the filters (IRIs and names, `hidden` a
        flag), oldest first."""
        where = ["GRAPH ?g { ?a a oa:Annotation ; dcterms:created ?created }"]
        values: dict[Variable, Term] = {}
        if filters.get("target"):
            where.append(
                "GRAPH ?g { ?a oa:hasTarget ?t OPTIONAL { ?t oa:hasSource ?src } } "
                "FILTER (?t = ?target || ?src = ?target)"
            )
            values[Variable("target")] = NamedNode(str(filters["target"]))
        if filters.get("creator"):
            where.append("GRAPH ?g { ?a dcterms:creator ?creator }")
            values[Variable("creator")] = NamedNode(str(filters["creator"]))
        if filters.get("motivation"):
            where.append("GRAPH ?g { ?a oa:motivatedBy ?motivation }")
            values[Variable("motivation")] = NamedNode(f"{model.OA}{filters['motivation']}")
        if filters.get("org"):
            where.append("GRAPH ?g { ?a dcterms:creator/org:memberOf ?organisation }")
            values[Variable("organisation")] = NamedNode(f"{self.names.base}actor/{filters['org']}")
        # the API mints annotation/{id}: an `oa:Annotation` typed elsewhere before the write rule is none of its
        where.append(f'FILTER (STRSTARTS(STR(?a), "{self.names.base}annotation/"))')
        if not filters.get("hidden"):
            where.append(f'FILTER (!STRSTARTS(STR(?g), "{self.names.base}graph/hidden/"))')
        text = P + f"SELECT DISTINCT ?a ?created WHERE {{ {' '.join(where)} }} ORDER BY ?created ?a"
        rows = list(self.query(bind(text, values), readable))
        return len(rows), [r["a"].value for r in rows[offset : offset + limit]]

    def flagged_by(self, user: User, readable: list[str] | None) -> set[str]:
        """The annotations `user` has flagged (their IRIs in the store): for their own eyes only, so that a
        flag shows as given after a reload and is not given twice; nobody is told who flagged what."""
        if user.role == "anonymous":
            return set()
        rows = self.query(bind(FLAGGED_BY, {Variable("who"): self.names.user(user.name)}), readable)
        return {r["a"].value for r in rows}

    # -- writing -----------------------------------------------------------------------------------
    def create(self, data: object, user: User, readable: list[str] | None) -> Stored:
        node = NamedNode(f"{self.names.base}annotation/{uuid.uuid4().hex[:16]}")
        parsed, graph = self.checked(data, node, user, readable, now(), None)
        parsed.triples += model.identity_triples(node, *model.identities(data, copy_id=True))
        staged = Store()
        staged.extend(model.quads(parsed, graph) + self.creator_quads(user, graph))
        self.writer.write(staged, [], user, source=f"annotation {node.value}", api=ANNOTATIONS_API)
        written = self.get(node.value, None)
        assert written is not None  # just written
        return written

    def replace(self, stored: Stored, data: object, user: User, readable: list[str] | None) -> Stored:
        self.must_be_author(stored, user)
        created = next(o.value for s, p, o in stored.triples if p == f"{model.DCTERMS}created")
        parsed, graph = self.checked(
            data, NamedNode(stored.iri), user, readable, datetime.fromisoformat(created.replace("Z", "+00:00")), now()
        )
        parsed.triples += model.identity_triples(NamedNode(stored.iri), *self.kept_identities(stored, data))
        staged = Store()
        staged.extend(model.quads(parsed, graph) + self.creator_quads(user, graph))
        removed = [q for q in stored.quads() if not self.shared_creator(q, stored)]
        unchanged = [q for q in removed if q in staged]
        for q in unchanged:
            staged.remove(q)
        removed = [q for q in removed if q not in set(unchanged)]
        self.writer.write(staged, removed, user, source=f"annotation {stored.iri} (edit)", api=ANNOTATIONS_API)
        written = self.get(stored.iri, None)
        assert written is not None  # just written
        return written

    def kept_identities(self, stored: Stored, data: object) -> tuple[str | None, list[str]]:
        """`canonical` and `via` after an edit: set once, they stay (an edit omitting them keeps them; one
        changing them is refused, 409, as the protocol advises); the store's own IRI, which the JSON-LD
        shows as `canonical` when the client gave none, sets nothing."""
        old_canonical, old_via = model.stored_identities(stored.iri, stored.triples)
        canonical, via = model.identities(data, copy_id=False)
        canonical = None if canonical == stored.iri else canonical
        if old_canonical and canonical not in (None, old_canonical):
            raise AlreadyThere([("canonical", f"stays {old_canonical}: it was set when the annotation was made")])
        if old_via and via and sorted(set(via)) != old_via:
            raise AlreadyThere([("via", f"stays {', '.join(old_via)}: it was set when the annotation was made")])
        return old_canonical or canonical, old_via or sorted(set(via))

    def delete(self, stored: Stored, user: User) -> None:
        if user.role != "admin":
            self.must_be_author(stored, user)
        removed = [q for q in stored.quads() if not self.shared_creator(q, stored)]
        self.writer.write(Store(), removed, user, source=f"annotation {stored.iri} (deleted)", api=ANNOTATIONS_API)

    def shared_creator(self, quad: Quad, stored: Stored) -> bool:
        """The author's description is shared by their other annotations in the graph: it stays."""
        return quad.subject.value == stored.creator  # type: ignore[union-attr]  # pyoxigraph 0.5 stubs: a subject is never a Triple

    def must_be_author(self, stored: Stored, user: User) -> None:
        if stored.creator != self.names.user(user.name).value:
            raise NotTheirs([("creator", Said("only its author may change or delete an annotation"))])

    def creator_quads(self, user: User, graph: NamedNode) -> list[Quad]:
        person = self.names.user(user.name)
        return [
            Quad(person, model.TYPE, NamedNode(f"{model.FOAF}Person"), graph),
            Quad(person, NamedNode(f"{model.FOAF}name"), Literal(user.name), graph),
            Quad(
                person,
                NamedNode(expand("rdfs:label")),
                Literal(user.name, language="fr"),
                graph,
            ),
            Quad(person, NamedNode(f"{model.ORG}memberOf"), NamedNode(f"{self.names.base}actor/{user.org}"), graph),
        ]

    def checked(
        self,
        data: object,
        node: NamedNode,
        user: User,
        readable: list[str] | None,
        created: datetime,
        modified: datetime | None,
    ) -> tuple[model.Parsed, NamedNode]:
        """Parse, then check what the model cannot: targets exist, quotes are in their text, the group
        is the author's, replies answer annotations, links join the right kinds."""
        if not user.org:
            raise NotTheirs([("creator", Said("annotations belong to an organisation: sign in as one of its members"))])
        parsed = model.parse(self.canonical(data), node, self.names.user(user.name), created, modified)
        if parsed.motivation == "moderating":
            parsed.visibility, parsed.group = "private", None  # a flag is for the moderators
        kinds = self.kinds([iri for _, iri in parsed.sources], readable)
        for where, iri in parsed.sources:
            if iri not in kinds:
                raise AnnotationError(where, Said("the graph knows nothing readable about {iri}", iri=iri))
        targets = [iri for where, iri in parsed.sources if where.startswith("target")]
        annotation = f"{model.OA}Annotation"
        if parsed.motivation in ("replying", "moderating") and not all(annotation in kinds[i] for i in targets):
            raise AnnotationError(
                "target", Said("a {motivation} annotation targets an annotation", motivation=parsed.motivation)
            )
        for where, source, exact in parsed.quotes:
            known = self.text_of(source, readable)
            if known is not None and exact not in known:
                raise AnnotationError(where, Said("the quoted text is not in the target's text"))
        for relation, entity in parsed.links:
            if not all(f"{model.PIC}Study" in kinds[i] for i in targets):
                raise AnnotationError("target", Said("a linking annotation targets a study"))
            wanted = [term(c).value for c in LINK_KINDS[relation]]
            if not any(c in kinds[entity] for c in wanted):
                raise AnnotationError(
                    "body",
                    Said(
                        "{relation} links a study to a {kinds}",
                        relation=relation,
                        kinds=" or ".join(LINK_KINDS[relation]),
                    ),
                )
        graph = self.graph_for(parsed, user)
        if parsed.visibility != "private":
            self.check_audience(parsed)
        return parsed, graph

    def check_audience(self, parsed: model.Parsed) -> None:
        """An annotation shared beyond its organisation may only be about what everyone may read: one on a
        private study, made public or shared with a group, would publish the study's IRI and quoted
        passages (derived data is as private as its least public premise)."""
        iris = [iri for _, iri in parsed.sources]
        public = [g.value for g in seen_by(self.writer.store, ANONYMOUS, self.names).graphs]
        seen = self.kinds(iris, public)
        for where, iri in parsed.sources:
            if iri not in seen:
                raise NotPublic(
                    [
                        (
                            where,
                            Said(
                                '{iri} is not public: an annotation about it stays private (pic:visibility "private")',
                                iri=iri,
                            ),
                        )
                    ]
                )

    def graph_for(self, parsed: model.Parsed, user: User) -> NamedNode:
        if parsed.visibility == "private":
            return self.names.graph(f"private/{user.org}/annotations")
        if parsed.visibility == "group":
            assert parsed.group is not None  # `model.parse` refuses a group annotation without its group
            slug = parsed.group.removeprefix(f"{self.names.base}group/")
            if slug == parsed.group or (slug not in user.groups and user.role not in ("facilitator", "admin")):
                raise NotTheirs([("pic:group", Said("share with a working group your organisation belongs to"))])
            return self.names.graph(f"annotations/{user.org}/group/{slug}")
        assert user.org is not None  # `checked` refuses an author without an organisation
        return self.names.annotations(user.org)

    def kinds(self, iris: list[str], readable: list[str] | None) -> dict[str, set[str]]:
        """Classes (with superclasses) of the IRIs the reader may read; an absent IRI is unknown."""
        if not iris:
            return {}
        text = bind_rows(
            P + "SELECT ?s ?class WHERE { ?s a/rdfs:subClassOf* ?class }",
            [Variable("s")],
            [[NamedNode(i)] for i in sorted(set(iris))],
        )
        found: dict[str, set[str]] = {}
        for row in self.query(text, readable):
            found.setdefault(row["s"].value, set()).add(row["class"].value)
        return found

    def text_of(self, source: str, readable: list[str] | None) -> str | None:
        """The text a quote selects from: a document's extracted text or a study's abstracts."""
        if source.startswith(f"{self.names.base}document/"):
            found = described(lambda query: self.query(query, readable), source)
            return text_of(self.documents, found[0]) if found else None
        rows = list(self.query(bind(ABSTRACT, {Variable("study"): NamedNode(source)}), readable))
        return "\n".join(r["text"].value for r in rows) if rows else None


@overload
def swap(value: str, old: str, new: str) -> str: ...
@overload
def swap(value: model.JsonObject, old: str, new: str) -> model.JsonObject: ...
@overload
def swap(value: object, old: str, new: str) -> object: ...
def swap(value: object, old: str, new: str) -> object:
    """Every string (at any depth) that starts with `old` starts with `new` instead."""
    if isinstance(value, str):
        return new + value[len(old) :] if value.startswith(old) else value
    if isinstance(value, list):
        return [swap(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: swap(v, old, new) for k, v in value.items()}
    return value
