"""SHACL validation run by the store's SPARQL engine.

pySHACL is the reference implementation, but it is pure Python: it needs minutes for the demo's
observations and cannot validate a million triples. This module compiles our shapes (the constraint
components that `ontology/shapes.ttl` uses) into SPARQL queries that pyoxigraph runs over the staged
data. A shape using any other component is refused when the shapes are loaded, so nothing is silently
left unchecked; tests/test_shapes.py checks that both validators report the same violations.

Values checked with sh:class that are not typed in the staged data (a territory, a theme, an actor
already in the store) are looked up in the store in one batched query.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import cast

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QuerySolution, Store
from rdflib import RDF, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.collection import Collection
from rdflib.term import Node

from pic.graph.store.interface import Term, solutions
from pic.ontology.namespaces import PREFIXES, SH, expand

# An equivalent, set-at-a-time form of a SPARQL constraint, used instead of sh:select when present.
ENGINE_SELECT = URIRef(expand("picsh:engineSelect"))
CONTEXT = NamedNode("urn:pic:staging:context")
DATA = NamedNode("urn:pic:staging:data")  # where default-graph data goes for validation
SUPPORTED = {
    SH.minCount,
    SH.maxCount,
    SH.datatype,
    SH["class"],
    SH.nodeKind,
    SH.pattern,
    SH.flags,
    SH["in"],
    SH.minInclusive,
    SH.maxInclusive,
    SH.languageIn,
    SH.uniqueLang,
    SH["or"],
    SH.message,
    SH.severity,
    SH.path,
    SH.name,
    SH.description,
}
NUMERIC = {"integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger"}
XSD = PREFIXES["xsd"]
SUB_CLASS = expand("rdfs:subClassOf")


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    value: str | None
    component: str
    severity: str
    message_fr: str
    message_en: str

    def message(self, lang: str = "fr") -> str:
        return self.message_fr if lang == "fr" else self.message_en

    def describe(self, lang: str = "en") -> str:
        value = f" (value {self.value})" if self.value else ""
        path = f" {self.path}" if self.path else ""
        return f"{self.focus}{path}{value}: {self.message(lang)}"


@dataclass
class _Check:
    component: str
    query: str  # SELECT ?this ?value ?path (value and path optional)
    path: str | None
    severity: str
    messages: tuple[str, str]
    class_iri: str | None = None  # for sh:class: candidates are looked up in the store
    classes: tuple[str, ...] = ()  # the shape's target classes


@dataclass
class ValidationReport:
    violations: list[Violation] = field(default_factory=list)
    warnings: list[Violation] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not self.violations


class ShapesError(ValueError):
    """The shapes graph uses a feature this engine does not implement."""


def _n3(term: Node | None) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, RdfLiteral):
        return term.n3()
    raise ShapesError(f"unsupported term in shapes: {term!r}")


def _path(g: Graph, node: Node | None) -> str:
    if node is None:  # a property shape without sh:path
        raise ShapesError(f"unsupported path {node!r}")
    if isinstance(node, URIRef):
        return f"<{node}>"
    alt = g.value(node, SH.alternativePath)
    if alt is not None:
        return "(" + "|".join(_path(g, p) for p in Collection(g, alt)) + ")"
    inv = g.value(node, SH.inversePath)
    if inv is not None:
        return f"^{_path(g, inv)}"
    if g.value(node, RDF.first) is not None:
        return "(" + "/".join(_path(g, p) for p in Collection(g, node)) + ")"
    raise ShapesError(f"unsupported path {node!r}")


def _messages(g: Graph, node: Node) -> tuple[str, str]:
    by_lang = {cast(RdfLiteral, m).language: str(m) for m in g.objects(node, SH.message)}  # messages are literals
    fr = by_lang.get("fr") or by_lang.get("en") or "Contrainte non respectée."
    return fr, by_lang.get("en") or fr


FOCUS_TYPES = "#FOCUS-TYPES#"  # replaced, when validating, by the target classes and subclasses


def _focus(classes: list[str]) -> str:
    """Focus nodes: typed (in the data, not the context) with a target class or a subclass."""
    return (
        f"VALUES ?focusType {{ {FOCUS_TYPES}{' '.join(classes)} }} "
        f"GRAPH ?dataGraph {{ ?this a ?focusType }} FILTER (?dataGraph != <{CONTEXT.value}>)"
    )


def _value_condition(g: Graph, ps: Node, comp: URIRef, val: Node) -> tuple[str, str]:
    """The FILTER that is true for a value node violating component `comp` (its value `val`), and its name."""
    if comp == SH.datatype:
        dt = str(val)
        local = dt.removeprefix(XSD)
        well_formed = " && isNumeric(?value)" if local in NUMERIC else ""
        return (f"!(isLiteral(?value) && datatype(?value) = <{dt}>{well_formed})", "DatatypeConstraintComponent")
    if comp == SH.nodeKind:
        kinds = {
            "IRI": "isIRI(?value)",
            "Literal": "isLiteral(?value)",
            "BlankNodeOrIRI": "!isLiteral(?value)",
            "BlankNode": "isBlank(?value)",
        }
        return f"!({kinds[str(val).removeprefix(str(SH))]})", "NodeKindConstraintComponent"
    if comp == SH.pattern:
        flags = g.value(ps, SH.flags)
        flag_arg = f", {_n3(RdfLiteral(str(flags)))}" if flags else ""
        return (
            f"!(!isBlank(?value) && regex(str(?value), {_n3(RdfLiteral(str(val)))}{flag_arg}))",
            "PatternConstraintComponent",
        )
    if comp == SH["in"]:
        options = " || ".join(f"sameTerm(?value, {_n3(t)})" for t in Collection(g, val))
        return f"!({options})", "InConstraintComponent"
    if comp in (SH.minInclusive, SH.maxInclusive):
        op = ">=" if comp == SH.minInclusive else "<="
        name = "MinInclusiveConstraintComponent" if op == ">=" else "MaxInclusiveConstraintComponent"
        return f"!COALESCE(?value {op} {_n3(val)}, false)", name
    if comp == SH.languageIn:
        tags = " || ".join(f"langMatches(lang(?value), {_n3(RdfLiteral(str(t)))})" for t in Collection(g, val))
        return f"!(isLiteral(?value) && ({tags}))", "LanguageInConstraintComponent"
    if comp == SH["or"]:
        types = []
        for alternative in Collection(g, val):
            keys = set(g.predicates(alternative)) - {SH.message}
            if keys != {SH.datatype}:
                raise ShapesError("sh:or is only supported over sh:datatype alternatives")
            types.append(f"<{g.value(alternative, SH.datatype)}>")
        return (f"!(isLiteral(?value) && datatype(?value) IN ({', '.join(types)}))", "OrConstraintComponent")
    raise ShapesError(f"unsupported component {comp}")


def _sparql_constraint(g: Graph, shape: Node, constraint: Node, classes: list[str], severity: str) -> _Check:
    select = str(g.value(constraint, ENGINE_SELECT) or g.value(constraint, SH.select))
    prefixes = ""
    for decl_owner in g.objects(constraint, SH.prefixes):
        for decl in g.objects(decl_owner, SH.declare):
            prefixes += f"PREFIX {g.value(decl, SH.prefix)}: <{g.value(decl, SH.namespace)}>\n"
    body = select.replace("$this", "?this")
    where = re.search(r"WHERE\s*\{", body, flags=re.IGNORECASE)
    if where is None:
        raise ShapesError(f"SPARQL constraint of {shape} has no WHERE clause")
    body = body[: where.end()] + " " + _focus(classes) + " " + body[where.end() :]
    return _Check("SPARQLConstraintComponent", prefixes + body, None, severity, _messages(g, constraint))


class ShapesValidator:
    """Compiled shapes; `validate` runs them over a staging store."""

    def __init__(self, shapes: Graph):
        self.checks: list[_Check] = []
        for shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
            classes = sorted(_n3(c) for c in shapes.objects(shape, SH.targetClass))
            if not classes:
                raise ShapesError(f"shape {shape} has no sh:targetClass")
            node_severity = shapes.value(shape, SH.severity) or SH.Violation
            first = len(self.checks)
            for ps in shapes.objects(shape, SH.property):
                self._compile_property(shapes, ps, classes)
            for constraint in shapes.objects(shape, SH.sparql):
                self.checks.append(_sparql_constraint(shapes, shape, constraint, classes, _severity(node_severity)))
            for check in self.checks[first:]:  # this shape's checks select its focus nodes
                check.classes = tuple(classes)

    def _compile_property(self, g: Graph, ps: Node, classes: list[str]) -> None:
        unknown = {p for p in g.predicates(ps) if p not in SUPPORTED}
        if unknown:
            raise ShapesError(f"unsupported SHACL features {sorted(map(str, unknown))}")
        path_node = g.value(ps, SH.path)
        path = _path(g, path_node)
        shown_path = path_node if isinstance(path_node, URIRef) else None
        severity = _severity(g.value(ps, SH.severity) or SH.Violation)
        messages = _messages(g, ps)
        focus = _focus(classes)
        for bound, op, name in ((SH.minCount, "<", "MinCount"), (SH.maxCount, ">", "MaxCount")):
            n = g.value(ps, bound)
            if n is None:
                continue
            optional = f"OPTIONAL {{ ?this {path} ?value }}" if op == "<" else f"?this {path} ?value ."
            query = (
                f"SELECT ?this WHERE {{ {focus} {optional} }} GROUP BY ?this "
                f"HAVING (COUNT(DISTINCT ?value) {op} {int(str(n))})"
            )
            self.checks.append(_Check(f"{name}ConstraintComponent", query, shown_path, severity, messages))
        if g.value(ps, SH.uniqueLang) == RdfLiteral(True):
            query = (
                f"SELECT ?this WHERE {{ {focus} ?this {path} ?value . "
                f'BIND(lang(?value) AS ?lang) FILTER(?lang != "") }} GROUP BY ?this ?lang '
                f"HAVING (COUNT(DISTINCT ?value) > 1)"
            )
            self.checks.append(_Check("UniqueLangConstraintComponent", query, shown_path, severity, messages))
        for comp in (
            SH.datatype,
            SH.nodeKind,
            SH.pattern,
            SH["in"],
            SH.minInclusive,
            SH.maxInclusive,
            SH.languageIn,
            SH["or"],
        ):
            val = g.value(ps, comp)
            if val is None:
                continue
            condition, name = _value_condition(g, ps, comp, val)
            query = f"SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {path} ?value . FILTER({condition}) }}"
            self.checks.append(_Check(name, query, shown_path, severity, messages))
        cls = g.value(ps, SH["class"])
        if cls is not None:
            query = (
                f"SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {path} ?value . "
                f"FILTER NOT EXISTS {{ ?value a/<{SUB_CLASS}>* <{cls}> }} }}"
            )
            self.checks.append(
                _Check("ClassConstraintComponent", query, shown_path, severity, messages, class_iri=str(cls))
            )

    def validate(
        self, staging: Store, known: Callable[[list[tuple[str, str]]], set[tuple[str, str]]] | None = None
    ) -> ValidationReport:
        """Validate the quads of every graph of `staging` but CONTEXT, which holds the ontology.

        `known(pairs)` answers which (value, class) pairs the store already knows, for sh:class.
        """
        report = ValidationReport()
        pending: list[tuple[_Check, Term, NamedNode]] = []
        subclasses: dict[tuple[str, ...], str] = {}  # 134 checks target 17 sets of classes
        for check in self.checks:
            if check.classes not in subclasses:
                subclasses[check.classes] = _subclasses(staging, check.classes)
            query = check.query.replace(FOCUS_TYPES, subclasses[check.classes], 1)
            for row in solutions(staging.query(query, use_default_graph_as_union=True)):
                value = _get(row, "value")
                if check.class_iri and isinstance(value, NamedNode) and known is not None:
                    pending.append((check, row["this"], value))
                    continue
                _add(report, check, row["this"], value, _get(row, "path"))
        if pending:  # only with `known`, for checks with their class
            assert known is not None
            pairs = sorted({(v.value, c.class_iri) for c, _, v in pending if c.class_iri})
            found = known(pairs)
            for check, focus, value in pending:
                if (value.value, check.class_iri) not in found:
                    _add(report, check, focus, value, None)
        report.violations.sort(key=lambda v: (v.focus, v.path or "", v.component))
        return report


def _subclasses(staging: Store, classes: tuple[str, ...]) -> str:
    """The proper subclasses of the target classes, from the ontology in CONTEXT."""
    values = " ".join(classes)
    rows = solutions(
        staging.query(
            f"SELECT DISTINCT ?c WHERE {{ VALUES ?target {{ {values} }} GRAPH <{CONTEXT.value}> "
            f"{{ ?c <{SUB_CLASS}>+ ?target }} }}"
        )
    )
    return " ".join(str(r["c"]) for r in rows) + " "


def _get(row: QuerySolution, name: str) -> Term | None:
    try:
        value: Term | None = row[name]  # pyoxigraph types a row's terms Any
    except (KeyError, IndexError):
        return None
    return value


def _severity(term: Node) -> str:
    return str(term).removeprefix(str(SH))


def _term(t: Term | None) -> str | None:
    if t is None:
        return None
    if isinstance(t, NamedNode):
        return t.value
    if isinstance(t, BlankNode):
        return f"_:{t.value}"
    if isinstance(t, Literal):
        return t.value
    return str(t)


def _add(report: ValidationReport, check: _Check, focus: Term, value: Term | None, path: Term | None) -> None:
    shown_path = check.path if check.path is not None else _term(path)
    focus_text = _term(focus)
    assert focus_text is not None  # every check's query binds ?this
    v = Violation(
        focus_text,
        str(shown_path) if shown_path else None,
        _term(value),
        check.component,
        check.severity,
        *check.messages,
    )
    (report.violations if check.severity == "Violation" else report.warnings).append(v)


def stage_for_validation(data_quads: Iterable[Quad], context_quads: Iterable[Quad]) -> Store:
    """A staging store with the data in its own graphs and the ontology in CONTEXT."""
    staging = Store()
    staging.bulk_extend(
        q if isinstance(q.graph_name, NamedNode) else Quad(q.subject, q.predicate, q.object, DATA) for q in data_quads
    )
    staging.bulk_extend(Quad(q.subject, q.predicate, q.object, CONTEXT) for q in context_quads)
    return staging
