"""Materialise the ontology's axioms into the inferred graph with SPARQL rules.

The OWL axioms in ontology/pic.ttl are the specification; the CONSTRUCT rules in graph/rules/ are the
fast implementation (a test checks they derive what HermiT and owlrl derive on the demo). The refresh is
one SPARQL update: it drops the inferred graph and re-inserts every rule's conclusions, reading the
given source graphs plus the inferred graph itself (so later rules see earlier conclusions).
Observations, annotations and provenance play no part in the rules.
"""

import re
from functools import cache
from importlib import resources

from pyoxigraph import NamedNode

from pic.ontology.namespaces import sparql_prefixes

_RULE = re.compile(r"^\s*CONSTRUCT\s*\{(?P<template>[^{}]*)\}\s*WHERE\s*\{(?P<where>.*)\}\s*$",
                   re.DOTALL | re.IGNORECASE)


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


def refresh_update(inferred: NamedNode, sources: list[NamedNode]) -> str:
    """The SPARQL update that recomputes the inferred graph from `sources`."""
    using = "".join(f"USING {g}\n" for g in [*sources, inferred])
    parts = [sparql_prefixes(), f"DROP SILENT GRAPH {inferred}"]
    for _, text in rules():
        template, where = rule_parts(text)
        parts.append(f"INSERT {{ GRAPH {inferred} {{ {template} }} }}\n{using}WHERE {{ {where} }}")
    return parts[0] + " ;\n".join(parts[1:])


def construct_query(text: str) -> str:
    """A rule as a standalone query (for tests and for reading what a rule derives)."""
    return sparql_prefixes() + text
