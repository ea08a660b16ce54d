"""Materialise the ontology's axioms into the inferred graphs with SPARQL rules.

The OWL axioms in ontology/pic.ttl are the specification; the CONSTRUCT rules in graph/reasoning/rules/ are the
fast implementation (a test checks they derive what HermiT and owlrl derive on the demo).

The rules run in a small in-memory workspace, not in the store: one query extracts the triples the rules
read (associations, usages, attributions, derivations, territorial inclusion: a few percent of the
graph), the pending change is applied to that extract, and the rules run there in file order, each
seeing the conclusions of the ones before. The conclusions then replace the inferred graphs in the same
transaction as the change, so the store never shows data and inferences out of step. Observations,
annotations and provenance play no part in the rules. The rules read facts only: another organisation's
claims about an entity (what its graph says of an entity another graph types) are left out of each
audience's premises as that audience sees whose each entity is (`inference_facts.py`, `facts_only`).

Derived data is as private as its least public premise (docs/architecture.md §3): two actors of a private
project cooperate, and saying so in public would tell the project's participants. So the rules run once
per audience, and each inferred graph holds what its readers may know:

- `inferred`: what the public graphs (those anonymous readers may read today) lead to;
- `private/{org}/until-YYYY-MM-DD/inferred`: what the public graphs and that embargoed graph lead to,
  beyond the public conclusions (public on that day, like the embargoed graph);
- `private/{org}/inferred`: what the public graphs and all the organisation's private graphs lead to,
  beyond the public conclusions and those of its embargoes.

A conclusion that needs the private premises of two organisations is drawn nowhere: no reader but
facilitators and admins may read both, and they read the premises themselves. Graphs shared with a
working group and hidden graphs play no part. The derivations are remembered by their input, so a
write to one organisation's private graphs derives again that organisation's conclusions only.
"""

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TypeVar

from pyoxigraph import DefaultGraph, NamedNode, Quad, Store, Triple

from pic.graph.names import GraphName, Names, named
from pic.graph.reasoning import inference_facts, workspace
from pic.graph.store.interface import KnowledgeStore, solutions
from pic.ontology.namespaces import PREFIXES, expand, sparql_prefixes

_RULE = re.compile(
    r"^\s*CONSTRUCT\s*\{(?P<template>[^{}]*)\}\s*WHERE\s*\{(?P<where>.*)\}\s*$", re.DOTALL | re.IGNORECASE
)
PROV = PREFIXES["prov"]
SUB_PROPERTY = expand("rdfs:subPropertyOf")
# What the rules read; a new rule that reads another predicate must be added here (a test checks
# that every IRI a rule's WHERE clause uses is covered).
INPUT_PREDICATES = (
    f"{PROV}qualifiedAssociation",
    f"{PROV}agent",
    f"{PROV}wasAssociatedWith",
    f"{PROV}used",
    f"{PROV}wasDerivedFrom",
    expand("igeo:subdivisionDirecteDe"),
    expand("pic:withinTerritory"),
    SUB_PROPERTY,
)
# The predicates whose triples can change a conclusion (attributions' sub-properties are asked of the store).
READ = {NamedNode(p) for p in (*INPUT_PREDICATES, f"{PROV}wasAttributedTo")}
# Per graph, so that each audience gets its own premises. (A sub-property declared in one graph
# brings its uses in every graph into the extract; only a workspace holding the declaration concludes
# from them.)
EXTRACT = f"""SELECT ?s ?p ?o ?g WHERE {{
  {{ VALUES ?p {{ {" ".join(f"<{p}>" for p in INPUT_PREDICATES)} }} GRAPH ?g {{ ?s ?p ?o }} }}
  UNION {{ ?p <{SUB_PROPERTY}>+ <{PROV}wasAttributedTo> . GRAPH ?g {{ ?s ?p ?o }} }}
  UNION {{ BIND(<{PROV}wasAttributedTo> AS ?p) GRAPH ?g {{ ?s ?p ?o }} }}
}}"""
# The subjects of the triples the rules read, bound as ?s (whose they are decides what is a fact).
SUBJECTS = f"""{{ VALUES ?p {{ {" ".join(f"<{p}>" for p in INPUT_PREDICATES)} }} ?s ?p ?o }}
  UNION {{ ?p <{SUB_PROPERTY}>+ <{PROV}wasAttributedTo> . ?s ?p ?o }} UNION {{ ?s <{PROV}wasAttributedTo> ?o }}"""
CONCLUSIONS = NamedNode("urn:pic:inference:conclusions")
# The knowledge flows the rules draw across two entities (a study and the project that uses it, a study
# and the one derived from it), which chains follow (`hops`); and the ties between actors that rest on
# someone's word (`spoken`, with what the workspace knows of who says what: `inference_facts.speakers`).
# A cooperation rests on one project and is no more a fact on a third organisation's word than a flow:
# cd62's project naming aula and the museum beside cd62 made them cooperate (eleventh re-test, finding 3).
FLOWS = {"pic:informs", "pic:informsViaDerivation"}
TIES = FLOWS | {"pic:cooperatesWith"}
SAID_BY, SPEAKS_AS, TRUSTED = (t.value for t in (workspace.SAID_BY, workspace.SPEAKS_AS, workspace.TRUSTED))
# A tie as a hop of a chain of flows, by whose word it rests on (`hops`); workspace only, as SAID_BY.
HOP_FROM, HOP_TO, HOP_NEUTRAL = workspace.HOP_FROM, workspace.HOP_TO, workspace.HOP_NEUTRAL
ATTRIBUTION = NamedNode(f"{PROV}wasAttributedTo")
INPUT = {NamedNode(p) for p in INPUT_PREDICATES}
Conclusions = frozenset[Triple]  # what the rules derive from a set of premises
Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


def attribution_predicates(store: KnowledgeStore, predicates: set[NamedNode]) -> set[NamedNode]:
    """Which of `predicates` are `prov:wasAttributedTo` or one of its sub-properties (a study's producer)."""
    found = {p for p in predicates if p == ATTRIBUTION}
    asked = predicates - found - INPUT
    if asked:
        values = " ".join(str(p) for p in asked)
        found |= {
            row["p"]
            for row in solutions(
                store.query(f"SELECT ?p WHERE {{ VALUES ?p {{ {values} }} ?p <{SUB_PROPERTY}>+ {ATTRIBUTION} }}")
            )
        }
    return found


def inert(store: KnowledgeStore, quads: list[Quad], attributions: set[NamedNode]) -> bool:
    """True when the triples of a change that the rules read are all attributions (`attributions`) of
    entities that no other triple the rules read mentions, in the store or in the change: a new study
    with its producer, the commonest partner's write. The rules read an attribution only joined through
    its study to a usage (`prov:used`, 03) or a derivation (`prov:wasDerivedFrom`, 04), so such a change
    leaves every conclusion as it was, and the rules (seconds at the regional scale, per audience) need
    not run. `tests/test_inference.py` checks it against the rules themselves."""
    subjects: set[NamedNode] = set()
    for q in quads:
        if q.predicate in INPUT:
            return False
        if q.predicate in attributions:
            if not isinstance(q.subject, NamedNode):
                return False
            subjects.add(q.subject)
    if not subjects:
        return True
    values = " ".join(str(s) for s in subjects)
    read = " ".join(str(p) for p in INPUT)
    return not store.query(
        f"ASK {{ VALUES ?s {{ {values} }} VALUES ?p {{ {read} }} {{ ?s ?p ?o }} UNION {{ ?o ?p ?s }} }}"
    )


def retyped(store: KnowledgeStore, quads: list[Quad]) -> bool:
    """Whether a change types (or stops typing) a subject the rules read something of: whose it is may
    change, and with it which statements about it are facts (`inference_facts.py`)."""
    typing = inference_facts.RDF_TYPE
    subjects = {q.subject for q in quads if q.predicate == typing and isinstance(q.subject, NamedNode)}
    if not subjects:
        return False
    values = " ".join(str(s) for s in subjects)
    return bool(store.query(f"ASK {{ VALUES ?s {{ {values} }} {SUBJECTS} }}"))


def facts_only(
    store: KnowledgeStore,
    names: Names,
    sources: list[GraphName],
    found: dict[GraphName, set[Triple]],
    target: Callable[[GraphName], NamedNode | None],
    added: Store | None = None,
    removed: Iterable[Quad] = (),
) -> dict[GraphName, set[Triple]]:
    """The premises less other organisations' claims, each audience's as it sees whose each entity is
    (`inference_facts.py`; issue 16, outside re-test finding 4b)."""
    removed = list(removed)
    typed = inference_facts.typings(store, sources, SUBJECTS, added, removed)
    return inference_facts.facts(found, typed, names, target, inference_facts.record_reader(store, names))


@cache
def rules() -> list[tuple[str, str]]:
    """(name, CONSTRUCT query) for every rule file, in file-name order."""
    folder = resources.files("pic.graph.reasoning").joinpath("rules")
    found = sorted((f.name, f.read_text(encoding="utf-8")) for f in folder.iterdir() if f.name.endswith(".rq"))
    if not found:
        raise FileNotFoundError("no inference rules found in pic.graph.reasoning/rules")
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
    rules see them) and to CONCLUSIONS (so they can be told from the input). A rule concluding a tie
    between two actors concludes it only where it rests on someone's word who may say it (`spoken`)."""
    parts = []
    for _, text in rules():
        template, where = rule_parts(text)
        said = set(re.findall(r"pic:\w+", template))
        if said & FLOWS:
            parts += hops(template, where)
        if said & TIES:
            where += spoken(template, where)
        parts.append(f"INSERT {{ {template} GRAPH {CONCLUSIONS} {{ {template} }} }} WHERE {{ {where} }}")
    return sparql_prefixes() + " ;\n".join(parts)


def hops(template: str, where: str) -> list[str]:
    """Updates marking a tie as a hop a chain of flows may take (`05-informs-transitively.rq`), by whose
    word it rests on: its source's (a chain's first hop), its target's (a last hop), or nobody's (any
    hop). A chain states a flow between its two ends, so each hop must rest on their word, as a tie
    between two actors does (`spoken`): two hops each on aula's word, cd62 → aula → louvre-lens, made
    `cd62 informsTransitively louvre-lens` public on aula's word (tenth outside re-test, finding 3). The
    marks stay in the workspace, as the speakers do."""
    source, target = list(dict.fromkeys(re.findall(r"\?(\w+)", template)))[:2]
    # a hop on nobody's word is marked so only (it may be any hop), so that the rule's costly joins start
    # from the few hops that rest on an end's word
    neutral = f"FILTER NOT EXISTS {{ ?{source} <{HOP_NEUTRAL}> ?{target} }}"
    return [
        f"INSERT {{ ?{source} <{mark}> ?{target} }} WHERE {{ {where}{spoken(template, where, voices)} {unless} }}"
        for mark, voices, unless in ((HOP_NEUTRAL, [], ""), (HOP_FROM, [source], neutral), (HOP_TO, [target], neutral))
    ]


def spoken(template: str, where: str, voices: list[str] | None = None) -> str:
    """The condition a tie rule's premises meet: each entity it rests on (the rule's variables but the
    tie's two ends and the properties it reads) is said by nobody (`inference_facts.speakers`), or by the
    curators, the platform or one of the two ends' own organisations (`actor/{org}`). Else the tie is
    partly a third organisation's word about two others: aula's own study "produced by" louvre-lens,
    used by aula's own project with cci-artois, made `louvre-lens pic:informs cci-artois` a public
    conclusion shown on louvre-lens's page (eighth outside re-test, finding 1) — and so did a curators'
    study used by aula's project with another organisation, one of the two entities being enough before
    (ninth re-test, finding 1). The maps keep such a tie and say whose word it is (`viz/networks.sayers`);
    the inferred graphs do not state it. `voices`: the ends whose word counts (both when not given)."""
    ends = list(dict.fromkeys(re.findall(r"\?(\w+)", template)))
    properties = set(re.findall(r"\?\w+\s+\?(\w+)\s+[?<\w]", where))
    evidence = [v for v in dict.fromkeys(re.findall(r"\?(\w+)", where)) if v not in ends and v not in properties]
    speaking = ends if voices is None else voices
    voiced = (f"{{ ?{v} <{SPEAKS_AS}> ?speaker }}" for v in speaking)
    trusted = " UNION ".join([f"{{ ?speaker a <{TRUSTED}> }}", *voiced])
    return "".join(
        f"\n  FILTER NOT EXISTS {{ ?{v} <{SAID_BY}> ?someone "
        f"FILTER NOT EXISTS {{ ?{v} <{SAID_BY}> ?speaker {{ {trusted} }} }} }}"
        for v in evidence
    )


def derive(input_triples: Iterable[Triple]) -> list[Triple]:
    """Run the rules over the given triples; return the conclusions."""
    workspace = Store()
    workspace.bulk_extend(Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in input_triples)
    workspace.update(_workspace_update())
    return [q.triple for q in workspace.quads_for_pattern(None, None, None, CONCLUSIONS)]


def premises(
    store: KnowledgeStore, sources: list[GraphName], added: Store | None = None, removed: Iterable[Quad] = ()
) -> dict[GraphName, set[Triple]]:
    """The triples the rules read, per graph: from the store's `sources` graphs, with a pending change
    applied (what it removes first, so that a quad removed and written again stays)."""
    found: dict[GraphName, set[Triple]] = {}
    if sources:
        for s, p, o, g in solutions(store.query(EXTRACT, default_graph=sources)):
            found.setdefault(g, set()).add(Triple(s, p, o))
    for q in removed:
        found.get(named(q.graph_name), set()).discard(q.triple)
    if added is not None:
        wanted = {NamedNode(p) for p in INPUT_PREDICATES} | {NamedNode(f"{PROV}wasAttributedTo")}
        # a blank node declared a sub-property names no predicate to look for (and pyoxigraph refuses it as one)
        wanted |= {
            t.subject
            for triples in found.values()
            for t in triples
            if t.predicate.value == SUB_PROPERTY and isinstance(t.subject, NamedNode)
        }
        wanted |= {
            q.subject
            for q in added.quads_for_pattern(None, NamedNode(SUB_PROPERTY), None, None)
            if isinstance(q.subject, NamedNode)
        }
        for p in wanted:
            for q in added.quads_for_pattern(None, p, None, None):
                found.setdefault(named(q.graph_name), set()).add(q.triple)
    return found


@dataclass
class _Memo:
    """One call's derivations, by (public premises, extra ones), and their quads, by (graph, public, key)."""

    derived: dict[tuple[Conclusions, Conclusions], Conclusions] = field(default_factory=dict)
    placed: dict[tuple[NamedNode, Conclusions, Hashable], list[Quad]] = field(default_factory=dict)


class Reasoner:
    """Draws the conclusions of each audience (see the module's docstring) and remembers the last
    derivations by their input: the rules take seconds on the regional store, and most writes change
    the premises of one audience only, or none."""

    def __init__(self, names: Names):
        self.names = names
        self._memo = _Memo()

    def conclusions(
        self, premises: dict[GraphName, set[Triple]], target: Callable[[GraphName], NamedNode | None]
    ) -> list[Quad]:
        """Every inferred quad. `target(graph)` is the inferred graph a premise graph's audience reads
        (`names.inferred` for a public one), None for a graph that plays no part."""
        inputs: dict[NamedNode, set[Triple]] = {}
        for graph, triples in premises.items():
            into = target(graph)
            if into is not None and triples:
                inputs.setdefault(into, set()).update(triples)
        public = frozenset(inputs.pop(self.names.inferred, ()))
        memo, self._memo = self._memo, _Memo()  # what this call uses is kept, the rest forgotten

        def derived(extra: Conclusions = frozenset()) -> Conclusions:
            """The conclusions of the public premises and `extra` (the rules run on a miss)."""
            return _recall(
                self._memo.derived, memo.derived, (public, extra), lambda: frozenset(derive([*public, *extra]))
            )

        def placed(graph: NamedNode, key: Hashable, conclude: Callable[..., Conclusions], *args: object) -> list[Quad]:
            """`conclude(*args)` as quads of `graph` (building 70k quads takes a quarter of a second)."""
            return _recall(
                self._memo.placed,
                memo.placed,
                (graph, public, key),
                lambda: [Quad(t.subject, t.predicate, t.object, graph) for t in conclude(*args)],
            )

        def embargoed(extra: Conclusions) -> Conclusions:
            return derived(extra) - everyone

        def private(every: Conclusions, embargoes: list[tuple[NamedNode, Conclusions]]) -> Conclusions:
            return derived(every).difference(everyone, *(derived(extra) for _, extra in embargoes))

        everyone = derived()
        out = list(placed(self.names.inferred, (), lambda: everyone))
        by_org: dict[str | None, list[tuple[NamedNode, Conclusions]]] = {}  # an inferred graph's organisation
        for graph in sorted(inputs, key=lambda g: g.value):
            by_org.setdefault(self.names.owner_of(graph), []).append((graph, frozenset(inputs[graph])))
        for org, groups in by_org.items():
            own = self.names.graph(f"private/{org}/inferred")
            embargoes = [(graph, extra) for graph, extra in groups if graph != own]
            for graph, extra in embargoes:  # an embargo: its own premises alone
                out += placed(graph, extra, embargoed, extra)
            if len(groups) > len(embargoes) or len(embargoes) > 1:  # else the embargo's are all there are
                every = Conclusions().union(*(extra for _, extra in groups))
                out += placed(own, tuple(groups), private, every, embargoes)
        return out


def _recall(kept: dict[Key, Value], before: dict[Key, Value], key: Key, compute: Callable[[], Value]) -> Value:
    """`kept[key]`, from the last call's `before` or computed: a memo that forgets what a call did not use."""
    if key not in kept:
        kept[key] = before[key] if key in before else compute()
    return kept[key]
