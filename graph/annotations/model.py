"""The W3C Web Annotation Data Model, both ways: a JSON-LD annotation as the client sends it (compacted
with the W3C context) to RDF quads, and the stored quads back to that JSON-LD.

Read by hand rather than through a JSON-LD processor: a client needs to hear *which field* is wrong (the
Turtle representations go the other way, through one: `annotations.rdf`, with the W3C context shipped in
the package, never fetched). Every node gets an IRI (`{annotation}#body-1`, `#target-1`,
`#selector-1-1`), never a blank node, so that a change can be replaced, reverted and moderated exactly.

Our extensions live under `pic:` (a second context entry): `pic:visibility` (public, group, private),
`pic:group` (the working group shared with) and, on a linking body, `pic:relation` (informs, builds-on,
used-by).
"""

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from pic.graph.errors import Malformed
from pic.graph.said import Said
from pic.ontology.namespaces import PREFIXES

Term = NamedNode | BlankNode | Literal  # a stored annotation's object (`Stored.triples`)
Statement = tuple[NamedNode, NamedNode, Term]  # a triple an annotation is written as, before its graph
# A JSON object as `json.loads` reads it and `to_json` writes it: its values are whatever JSON holds, each
# checked where it is read (`json` itself types them `Any`).
JsonObject = dict[str, Any]

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
PIC = PREFIXES["pic"]
# Our extensions; the two that name things are IRIs when the JSON-LD is read as RDF (the Turtle).
CONTEXT = [ANNO_CONTEXT, {"pic": PIC, "pic:organisation": {"@type": "@id"}, "pic:group": {"@type": "@id"}}]
OA, RDF, DCTERMS, XSD = PREFIXES["oa"], PREFIXES["rdf"], PREFIXES["dcterms"], PREFIXES["xsd"]
FOAF, ORG, DC = PREFIXES["foaf"], PREFIXES["org"], PREFIXES["dc"]
MOTIVATIONS = (
    "assessing",
    "bookmarking",
    "classifying",
    "commenting",
    "describing",
    "editing",
    "highlighting",
    "identifying",
    "linking",
    "moderating",
    "questioning",
    "replying",
    "tagging",
)
VISIBILITIES = ("public", "group", "private")
RELATIONS = ("informs", "builds-on", "used-by")
MAX_TEXT = 20_000
TYPE = NamedNode(f"{RDF}type")


def t(ns: str, local: str) -> NamedNode:
    return NamedNode(ns + local)


class AnnotationError(Malformed):
    """A malformed annotation: `field` says where (`target.selector[0].exact`, `body[1].source`, …)."""

    def __init__(self, field: str, message: str):
        super().__init__([(field, message)])
        self.field = field


@dataclass
class Parsed:
    """What the stored form needs besides the quads: where it goes and what it points at."""

    motivation: str
    visibility: str
    group: str | None
    sources: list[tuple[str, str]] = field(default_factory=list)  # (field, IRI) that must exist
    quotes: list[tuple[str, str, str]] = field(default_factory=list)  # (field, source IRI, exact text)
    links: list[tuple[str, str]] = field(default_factory=list)  # (relation, entity IRI) proposed
    triples: list[Statement] = field(default_factory=list)  # (subject, predicate, object) without graph


def iri(value: object, where: str) -> NamedNode:
    if not isinstance(value, str) or not value.startswith(("http://", "https://", "urn:")):
        raise AnnotationError(where, Said("an IRI (http… or urn:…) is expected"))
    try:
        return NamedNode(value)
    except ValueError:
        raise AnnotationError(where, Said("not a valid IRI")) from None


def as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def identities(data: object, copy_id: bool) -> tuple[str | None, list[str]]:
    """The annotation's other IRIs (Data Model §3.3.7), kept exactly as the client sent them (Protocol
    §5.1): its `canonical` (one IRI) and `via` (the IRIs it came from), to which a creation adds the
    client's own `id` — the server gives the annotation an id of its own."""
    if not isinstance(data, dict):
        return None, []
    canonical = iri(data["canonical"], "canonical").value if data.get("canonical") is not None else None
    given = data.get("via") or []
    via = [iri(v, f"via[{i}]" if isinstance(given, list) else "via").value for i, v in enumerate(as_list(given))]
    if copy_id and isinstance(data.get("id"), str) and data["id"] not in via:
        with suppress(AnnotationError):  # a blank node's or a relative id names nothing to come back to
            via.append(iri(data["id"], "id").value)
    return canonical, via


def identity_triples(node: NamedNode, canonical: str | None, via: list[str]) -> list[Statement]:
    triples: list[Statement] = [(node, t(OA, "canonical"), NamedNode(canonical))] if canonical else []
    return triples + [(node, t(OA, "via"), NamedNode(v)) for v in via]


def stored_identities(node: str, triples: list[tuple[str, str, Term]]) -> tuple[str | None, list[str]]:
    """(canonical, via) of a stored annotation, as its client gave them."""
    canonical = next((o.value for s, p, o in triples if s == node and p == f"{OA}canonical"), None)
    return canonical, sorted(o.value for s, p, o in triples if s == node and p == f"{OA}via")


def parse(data: object, node: NamedNode, creator: NamedNode, created: datetime, modified: datetime | None) -> Parsed:
    """Check a client's annotation and turn it into triples about `node`; raises AnnotationError.

    The creator is `creator`, the signed-in user, always: a `creator` in the client's JSON is not read,
    so nobody makes an annotation another person would be the author of (and only its author deletes)."""
    if not isinstance(data, dict):
        raise AnnotationError("body", Said("an annotation is a JSON object"))
    contexts = as_list(data.get("@context"))
    if ANNO_CONTEXT not in contexts:
        raise AnnotationError("@context", Said("the W3C context {context} is required", context=ANNO_CONTEXT))
    if data.get("type") not in ("Annotation", ["Annotation"]):
        raise AnnotationError("type", Said('type is "Annotation"'))
    bodies = as_list(data.get("body", [])) if data.get("body") is not None else []
    motivation = data.get("motivation") or ("commenting" if bodies else "highlighting")
    if not isinstance(motivation, str) or motivation not in MOTIVATIONS:
        raise AnnotationError("motivation", Said("one of {choices}", choices=", ".join(MOTIVATIONS)))
    visibility = data.get("pic:visibility", "public")
    if visibility not in VISIBILITIES:
        raise AnnotationError("pic:visibility", Said("public, group or private"))
    group = data.get("pic:group")
    if visibility == "group" and not group:
        raise AnnotationError("pic:group", Said("an annotation shared with a group names the group"))
    p = Parsed(motivation, visibility, str(iri(group, "pic:group").value) if group else None)
    add = p.triples.append
    add((node, TYPE, t(OA, "Annotation")))
    add((node, t(OA, "motivatedBy"), t(OA, motivation)))
    add((node, t(DCTERMS, "creator"), creator))
    add((node, t(DCTERMS, "created"), stamp(created)))
    if modified:
        add((node, t(DCTERMS, "modified"), stamp(modified)))
    if "target" not in data or data["target"] in (None, [], ""):
        raise AnnotationError("target", Said("an annotation has at least one target"))
    for i, target in enumerate(as_list(data["target"]), start=1):
        read_target(p, node, target, i, f"target[{i - 1}]" if isinstance(data["target"], list) else "target")
    for i, body in enumerate(bodies, start=1):
        read_body(p, node, body, i, f"body[{i - 1}]" if isinstance(data.get("body"), list) else "body")
    if motivation == "linking" and not p.links:
        raise AnnotationError(
            "body",
            Said(
                "a linking annotation has a SpecificResource body with pic:relation ({relations}) and the linked "
                "entity as source",
                relations=", ".join(RELATIONS),
            ),
        )
    return p


def read_target(p: Parsed, node: NamedNode, target: object, i: int, where: str) -> None:
    if isinstance(target, str):
        source = iri(target, where)
        p.sources.append((where, source.value))
        p.triples.append((node, t(OA, "hasTarget"), source))
        return
    if not isinstance(target, dict):
        raise AnnotationError(where, Said("a target is an IRI or a SpecificResource object"))
    source = iri(target.get("source") or target.get("id"), f"{where}.source")
    p.sources.append((f"{where}.source", source.value))
    selectors = as_list(target.get("selector", []))
    if not selectors and "source" not in target:
        p.triples.append((node, t(OA, "hasTarget"), source))
        return
    resource = NamedNode(f"{node.value}#target-{i}")
    p.triples += [
        (node, t(OA, "hasTarget"), resource),
        (resource, TYPE, t(OA, "SpecificResource")),
        (resource, t(OA, "hasSource"), source),
    ]
    for j, selector in enumerate(selectors, start=1):
        read_selector(p, resource, source, selector, i, j, f"{where}.selector[{j - 1}]")


def read_selector(
    p: Parsed, resource: NamedNode, source: NamedNode, selector: object, i: int, j: int, where: str
) -> None:
    if not isinstance(selector, dict):
        raise AnnotationError(where, Said("a selector is an object"))
    node = NamedNode(f"{resource.value.rsplit('#', 1)[0]}#selector-{i}-{j}")
    kind = selector.get("type")
    if kind == "TextQuoteSelector":
        exact = selector.get("exact")
        if not isinstance(exact, str) or not exact.strip():
            raise AnnotationError(f"{where}.exact", Said("the quoted text is required"))
        p.quotes.append((f"{where}.exact", source.value, exact))
        p.triples += [
            (resource, t(OA, "hasSelector"), node),
            (node, TYPE, t(OA, "TextQuoteSelector")),
            (node, t(OA, "exact"), Literal(text(exact, f"{where}.exact"))),
        ]
        for part in ("prefix", "suffix"):
            if selector.get(part):
                p.triples.append((node, t(OA, part), Literal(text(selector[part], f"{where}.{part}"))))
    elif kind == "TextPositionSelector":
        start, end = selector.get("start"), selector.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end):
            raise AnnotationError(where, Said("start and end are whole numbers, 0 ≤ start ≤ end"))
        integer = NamedNode(f"{XSD}nonNegativeInteger")
        p.triples += [
            (resource, t(OA, "hasSelector"), node),
            (node, TYPE, t(OA, "TextPositionSelector")),
            (node, t(OA, "start"), Literal(str(start), datatype=integer)),
            (node, t(OA, "end"), Literal(str(end), datatype=integer)),
        ]
    else:
        raise AnnotationError(f"{where}.type", Said("TextQuoteSelector or TextPositionSelector"))


def read_body(p: Parsed, node: NamedNode, body: object, i: int, where: str) -> None:
    if isinstance(body, str):
        target = iri(body, where)
        p.sources.append((where, target.value))
        p.triples.append((node, t(OA, "hasBody"), target))
        return
    if not isinstance(body, dict):
        raise AnnotationError(where, Said("a body is an IRI or an object"))
    resource = NamedNode(f"{node.value}#body-{i}")
    purpose = body.get("purpose")
    if purpose is not None and purpose not in MOTIVATIONS:
        raise AnnotationError(f"{where}.purpose", Said("one of {choices}", choices=", ".join(MOTIVATIONS)))
    kind = body.get("type", "TextualBody" if "value" in body else None)
    p.triples.append((node, t(OA, "hasBody"), resource))
    if purpose:
        p.triples.append((resource, t(OA, "hasPurpose"), t(OA, purpose)))
    if kind == "TextualBody":
        value = body.get("value")
        if not isinstance(value, str) or not value.strip():
            raise AnnotationError(f"{where}.value", Said("a textual body has its text in value"))
        p.triples += [
            (resource, TYPE, t(OA, "TextualBody")),
            (resource, t(RDF, "value"), Literal(text(value, f"{where}.value"))),
        ]
        if body.get("language"):
            p.triples.append((resource, t(DCTERMS, "language"), Literal(str(body["language"])[:20])))
        p.triples.append((resource, t(DC, "format"), Literal(str(body.get("format", "text/plain"))[:60])))
    elif kind == "SpecificResource":
        source = iri(body.get("source"), f"{where}.source")
        p.sources.append((f"{where}.source", source.value))
        p.triples += [(resource, TYPE, t(OA, "SpecificResource")), (resource, t(OA, "hasSource"), source)]
        relation = body.get("pic:relation")
        if relation is not None:
            if relation not in RELATIONS:
                raise AnnotationError(f"{where}.pic:relation", Said("one of {choices}", choices=", ".join(RELATIONS)))
            p.links.append((relation, source.value))
            p.triples.append((resource, t(PIC, "relation"), Literal(relation)))
    else:
        raise AnnotationError(f"{where}.type", Said("TextualBody or SpecificResource"))


def text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise AnnotationError(where, Said("text is expected"))
    if len(value) > MAX_TEXT:
        raise AnnotationError(where, Said("at most {limit} characters", limit=MAX_TEXT))
    return value


def stamp(moment: datetime) -> Literal:
    return Literal(moment.isoformat(timespec="seconds").replace("+00:00", "Z"), datatype=NamedNode(f"{XSD}dateTime"))


def quads(parsed: Parsed, graph: NamedNode) -> list[Quad]:
    return [Quad(s, p, o, graph) for s, p, o in parsed.triples]


# -- back to JSON-LD ----------------------------------------------------------------------------------
# The stored triples by subject, then predicate IRI: each node's properties, as `to_json` reads them.
Described = dict[str, dict[str, list[Term]]]


def to_json(node: str, triples: list[tuple[str, str, Term]], extra: JsonObject | None = None) -> JsonObject:
    """The annotation as compacted JSON-LD from its stored triples (subject, predicate IRI, object term)."""
    by: Described = {}
    for s, p_, o in triples:
        by.setdefault(s, {}).setdefault(p_, []).append(o)

    def one(s: str, p_: str) -> Term | None:
        values = by.get(s, {}).get(p_, [])
        return values[0] if values else None

    def local(term: Term | None) -> str:
        assert term is not None  # every stored annotation has its motivation (`parse`)
        return term.value.rsplit("#", 1)[-1]

    me = by.get(node, {})
    out: dict[str, Any] = {
        "@context": CONTEXT,
        "id": node,
        "type": "Annotation",
        "motivation": local(one(node, f"{OA}motivatedBy")),
    }
    creator = one(node, f"{DCTERMS}creator")
    if creator is not None:
        who = {"id": creator.value, "type": "Person"}
        name = one(creator.value, f"{FOAF}name")
        if name is not None:
            who["name"] = name.value
        org = one(creator.value, f"{ORG}memberOf")
        if org is not None:
            who["pic:organisation"] = org.value
        out["creator"] = who
    for key in ("created", "modified"):
        value = one(node, f"{DCTERMS}{key}")
        if value is not None:
            out[key] = value.value
    own = f"{node}#"  # the annotation's own nodes; any other IRI is a resource it points at
    bodies = [body_json(b.value, by) if b.value.startswith(own) else b.value for b in me.get(f"{OA}hasBody", [])]
    if bodies:
        out["body"] = bodies if len(bodies) > 1 else bodies[0]
    targets = [
        target_json(tg.value, by) if tg.value.startswith(own) else tg.value for tg in me.get(f"{OA}hasTarget", [])
    ]
    out["target"] = targets if len(targets) > 1 else targets[0] if targets else None
    out.update(extra or {})
    return out


def body_json(s: str, by: Described) -> JsonObject:
    props = by[s]
    kind = props.get(f"{RDF}type", [None])[0]
    out: JsonObject = {"id": s}
    if kind is not None and kind.value.endswith("TextualBody"):
        # Shown without its id (the model makes it optional): the W3C suite's schemas take an object with
        # an id and no `source` for an External Web Resource, which may not have a purpose (3.3.5).
        out = {"type": "TextualBody", "value": props[f"{RDF}value"][0].value}
        if f"{DCTERMS}language" in props:
            out["language"] = props[f"{DCTERMS}language"][0].value
        if f"{DC}format" in props:
            out["format"] = props[f"{DC}format"][0].value
    else:
        out.update(type="SpecificResource", source=props[f"{OA}hasSource"][0].value)
        if f"{PIC}relation" in props:
            out["pic:relation"] = props[f"{PIC}relation"][0].value
    if f"{OA}hasPurpose" in props:
        out["purpose"] = props[f"{OA}hasPurpose"][0].value.rsplit("#", 1)[-1]
    return out


def target_json(s: str, by: Described) -> JsonObject:
    props = by[s]
    out: JsonObject = {"id": s, "type": "SpecificResource", "source": props[f"{OA}hasSource"][0].value}
    selectors: list[JsonObject] = []
    for node in sorted(props.get(f"{OA}hasSelector", []), key=lambda n: n.value):
        sel = by.get(node.value, {})
        kind = sel[f"{RDF}type"][0].value.rsplit("#", 1)[-1]
        item: JsonObject = {"type": kind}
        if kind == "TextQuoteSelector":
            for part in ("exact", "prefix", "suffix"):
                if f"{OA}{part}" in sel:
                    item[part] = sel[f"{OA}{part}"][0].value
        else:
            item.update(start=int(sel[f"{OA}start"][0].value), end=int(sel[f"{OA}end"][0].value))
        selectors.append(item)
    if selectors:
        out["selector"] = selectors if len(selectors) > 1 else selectors[0]
    return out
