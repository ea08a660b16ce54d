"""Materialise the ontology's axioms into the inferred graph with SPARQL rules.

The OWL axioms in ontology/pic.ttl are the specification; the CONSTRUCT rules in graph/rules/ are the
fast implementation (a test checks they derive what HermiT and owlrl derive on the demo).

The rules run in a small in-memory workspace, not in the store: one query extracts the triples the rules
read (associations, usages, attributions, derivations, territorial inclusion: a few percent of the
graph), the pending change is applied to that extract, and the rules run there in file order, each
seeing the conclusions of the ones before. The conclusions then replace the inferred graph in the same
transaction as the change, so the store never shows data and inferences out of step. Observations,
annotations and provenance play no part in the rules.
"""

import re
from collections.abc import Iterable
from functools import cache
from importlib import resources

from pyoxigraph import DefaultGraph, NamedNode, Quad, Store, Triple

from pic.ontology.namespaces import sparql_prefixes

_RULE = re.compile(r"^\s*CONSTRUCT\s*\{(?P<template>[^{}]*)\}\s*WHERE\s*\{(?P<where>.*)\}\s*$",
                   re.DOTALL | re.IGNORECASE)
PROV = "http://www.w3.org/ns/prov#"
SUB_PROPERTY = "http://www.w3.org/2000/01/rdf-schema#subPropertyOf"
# What the rules read; a new rule that reads another predicate must be added here (a test checks
# that every IRI a rule's WHERE clause uses is covered).
INPUT_PREDICATES = (
    f"{PROV}qualifiedAssociation", f"{PROV}agent", f"{PROV}wasAssociatedWith", f"{PROV}used",
    f"{PROV}wasDerivedFrom", "http://rdf.insee.fr/def/geo#subdivisionDirecteDe",
    "https://w3id.org/pic-euralens/ontology#withinTerritory", SUB_PROPERTY,
)
# The predicates whose triples can change a conclusion (attributions' sub-properties are asked of the store).
READ = {NamedNode(p) for p in (*INPUT_PREDICATES, f"{PROV}wasAttributedTo")}
EXTRACT = f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ VALUES ?p {{ {" ".join(f"<{p}>" for p in INPUT_PREDICATES)} }} ?s ?p ?o }}
  UNION {{ ?p <{SUB_PROPERTY}>+ <{PROV}wasAttributedTo> . ?s ?p ?o }}
  UNION {{ BIND(<{PROV}wasAttributedTo> AS ?p) ?s ?p ?o }}
}}"""
CONCLUSIONS = NamedNode("urn:pic:inference:conclusions")


@cache
def rules() -> list[tuple[str, str]]:
    """(name, CONSTRUCT query) for every rule file, in file-name order."""
    folder = resources.files("pic.graph").joinpath("rules")
    found = sorted((f.name, f.read_text(encoding="utf-8")) for f in folder.iterdir()
                   if f.name.endswith(".rq"))
    if not found:
        raise FileNotFoundError("no inference rules found in pic.graph/rules")
    return found


def _body(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def rule_parts(text: str) -> tuple[str, str]:
    """(template, where) of a rule; rules are plain CONSTRUCT { … } WHERE { … } queries."""
    m = _RULE.match(_body(text))
    if m is None:
        raise ValueError("an inference rule must be CONSTRUCT { template } WHERE { pattern }")
    return m.group("template"), m.group("where")


@cache
def _workspace_update() -> str:
    """All rules as one update over the workspace: conclusions go to the default graph (so later
    rules see them) and to CONCLUSIONS (so they can be told from the input)."""
    parts = []
    for _, text in rules():
        template, where = rule_parts(text)
        parts.append(f"INSERT {{ {template} GRAPH {CONCLUSIONS} {{ {template} }} }} WHERE {{ {where} }}")
    return sparql_prefixes() + " ;\n".join(parts)


def derive(input_triples: Iterable[Triple]) -> list[Triple]:
    """Run the rules over the given triples; return the conclusions."""
    workspace = Store()
    workspace.bulk_extend(Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in input_triples)
    workspace.update(_workspace_update())
    return [q.triple for q in workspace.quads_for_pattern(None, None, None, CONCLUSIONS)]


def rule_input(store, sources: list[NamedNode], added: Store | None = None,
               removed: Iterable[Quad] = ()) -> list[Triple]:
    """The triples the rules read: from the store's `sources` graphs, with a pending change applied."""
    triples = {t for t in store.query(EXTRACT, default_graph=sources)} if sources else set()
    if added is not None:
        wanted = {NamedNode(p) for p in INPUT_PREDICATES} | {
            t.subject for t in triples if t.predicate.value == SUB_PROPERTY}
        wanted.add(NamedNode(f"{PROV}wasAttributedTo"))
        for p in wanted:
            triples.update(q.triple for q in added.quads_for_pattern(None, p, None, None))
        triples.update(q.triple for q in added.quads_for_pattern(
            None, NamedNode(SUB_PROPERTY), None, None))
    for q in removed:
        triples.discard(q.triple)
    return list(triples)

