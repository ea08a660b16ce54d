"""The SPARQL rules derive what a real reasoner derives from the ontology's axioms, on the demo data.

HermiT (owlready2) is the reference; owlrl (OWL 2 RL) cross-checks. Observations, data sets and the
provenance graph stay out of the reasoners (docs/architecture.md §7). Reflexive pairs, which the OWL chains
entail (x cooperatesWith x), are left out on both sides: the rules do not materialise them.
"""

import pytest
from pyoxigraph import RdfFormat, parse, serialize
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from pic.ontology import read_bytes
from pic.ontology.namespaces import IGEO, PIC, QB
from tests.reasoning import hermit_pairs, hermit_world, owlrl_closure

ID = "https://w3id.org/pic-euralens/id/"

PROV_ASSOCIATED = "http://www.w3.org/ns/prov#wasAssociatedWith"
# property -> the properties whose pairs it includes (itself and its sub-properties)
COMPARED = {
    str(PIC.cooperatesWith): [str(PIC.cooperatesWith)],
    str(PIC.informs): [str(PIC.informs), str(PIC.informsViaDerivation)],
    str(PIC.informsViaDerivation): [str(PIC.informsViaDerivation)],
    str(PIC.informsTransitively): [str(PIC.informsTransitively), str(PIC.informs), str(PIC.informsViaDerivation)],
    str(PIC.withinTerritory): [str(PIC.withinTerritory), str(IGEO.subdivisionDirecteDe)],
    PROV_ASSOCIATED: [PROV_ASSOCIATED],
}
LEFT_OUT = {QB.Observation, QB.DataSet, PIC.IndicatorDataSet}


def reasoning_input() -> list[Graph]:
    """TBox + territories + the demo's facts, without observations and data sets."""
    tbox = Graph().parse(data=read_bytes("pic.ttl"), format="turtle")
    territories = Graph().parse(data=read_bytes("territories.ttl"), format="turtle")
    schemes = Graph().parse(data=read_bytes("schemes.ttl"), format="turtle")
    quads = list(parse(read_bytes("demo/demo.trig"), RdfFormat.TRIG))
    left_out = {str(c) for c in LEFT_OUT}
    skipped = {q.subject for q in quads if q.predicate.value == str(RDF.type) and q.object.value in left_out}
    kept = [q.triple for q in facts(quads) if q.subject not in skipped]
    abox = Graph().parse(data=serialize(kept, format=RdfFormat.N_TRIPLES), format="nt")
    return [tbox, territories, schemes, abox]


def facts(quads: list) -> list:
    """The statements of the demo that are facts: one about an entity another graph types is that graph's
    organisation's claim, and the rules read none (`graph/reasoning/inference_facts.py`); the demo has no change
    records, so every graph that types an entity owns it (each demo graph is one organisation's)."""
    typing: dict = {}
    for q in quads:
        if q.predicate.value == str(RDF.type):
            typing.setdefault(q.subject, set()).add(q.graph_name)
    return [q for q in quads if not typing.get(q.subject) or q.graph_name in typing[q.subject]]


def no_loops(pairs) -> set[tuple[str, str]]:
    return {(a, b) for a, b in pairs if a != b}


@pytest.fixture(scope="module")
def hermit():
    return hermit_world(reasoning_input())


@pytest.fixture(scope="module")
def owlrl_graph():
    return owlrl_closure(reasoning_input())


def stored_pairs(writer, prop: str) -> set[tuple[str, str]]:
    inferred = writer.names.inferred
    rows = writer.store.query(f"SELECT ?a ?b WHERE {{ GRAPH {inferred} {{ ?a <{prop}> ?b }} }}")
    return no_loops((r["a"].value, r["b"].value) for r in rows)


def rule_pairs(writer, prop: str) -> set[tuple[str, str]]:
    """The rules' conclusions from the store's public premises as the write path reads them (facts only),
    without who says what: the rules against the axioms. Which of their ties the inferred graph states is
    `test_the_inferred_graph_states_the_ties_their_ends_speak_for`."""
    from pic.graph.reasoning import inference, inference_facts

    sources = writer.sources(())
    premises = inference.facts_only(
        writer.store, writer.names, sources, inference.premises(writer.store, sources), writer._inferred_for
    )
    public = {
        t
        for g, triples in premises.items()
        if writer._inferred_for(g) == writer.names.inferred
        for t in triples
        if t.predicate not in (inference_facts.SAID_BY, inference_facts.SPEAKS_AS)
        and t.object != inference_facts.TRUSTED
    }
    return no_loops((t.subject.value, t.object.value) for t in inference.derive(public) if t.predicate.value == prop)


@pytest.mark.parametrize("prop", sorted(COMPARED))
def test_rules_derive_what_hermit_derives(demo_writer, hermit, prop):
    expected = set()
    for p in COMPARED[prop]:
        expected |= hermit_pairs(hermit, p)
    ours = rule_pairs(demo_writer, prop)
    assert ours, f"no {prop} pairs at all"
    assert ours == no_loops(expected), (sorted(ours - expected)[:5], sorted(expected - ours)[:5])


@pytest.mark.parametrize("prop", sorted(COMPARED))
def test_rules_derive_what_owlrl_derives(demo_writer, owlrl_graph, prop):
    expected = no_loops((str(s), str(o)) for s, o in owlrl_graph.subject_objects(URIRef(prop)) if isinstance(o, URIRef))
    assert rule_pairs(demo_writer, prop) == expected


@pytest.mark.parametrize("prop", sorted(COMPARED))
def test_the_inferred_graph_states_the_ties_their_ends_speak_for(demo_writer, prop):
    """The inferred graph states the rules' conclusions but the knowledge flows that rest on a third
    organisation's word (eighth and ninth outside re-tests, finding 1): the demo's invented flows, "selon
    demo" on the maps, are none of its facts."""
    stored, derived = stored_pairs(demo_writer, prop), rule_pairs(demo_writer, prop)
    assert stored <= derived, sorted(stored - derived)[:5]
    if prop in (str(PIC.informs), str(PIC.informsTransitively)):
        assert stored != derived  # the demo's flows rest on its projects, "selon demo"
    elif prop != str(PIC.informsViaDerivation):
        assert stored == derived


def test_inferred_graph_is_rebuilt_not_appended(demo_writer):
    before = demo_writer.store.count(demo_writer.names.inferred)
    demo_writer.refresh()
    assert demo_writer.store.count(demo_writer.names.inferred) == before


def test_a_write_the_rules_do_not_read_keeps_the_inferences_without_deriving(base_writer, monkeypatch):
    from pyoxigraph import Literal, NamedNode, Quad, Store

    from pic.graph.access import User
    from pic.graph.reasoning import inference

    admin, graph = User("admin", role="admin"), base_writer.names.partner("demo")
    before = {str(q) for q in base_writer.store.quads(base_writer.names.inferred)}
    calls = []
    real = inference.derive
    monkeypatch.setattr(inference, "derive", lambda triples: calls.append(1) or real(triples))
    label = Store()
    label.add(
        Quad(
            NamedNode(f"{ID}theme/culture"),
            NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"),
            Literal("un commentaire"),
            graph,
        )
    )
    base_writer.write(label, [], admin, source="test")
    assert calls == [] and {str(q) for q in base_writer.store.quads(base_writer.names.inferred)} == before
    inside = Store()  # territorial inclusion is read by the rules: the inferences are derived again
    inside.add(
        Quad(
            NamedNode(f"{ID}territory/project/essai"),
            NamedNode(f"{PIC}withinTerritory"),
            NamedNode(f"{ID}territory/departement/62"),
            graph,
        )
    )
    base_writer.write(inside, [], admin, source="test", validate=False)
    assert calls == [1]
    inferred = {
        (q.subject.value, q.predicate.value, q.object.value)
        for q in base_writer.store.quads(base_writer.names.inferred)
    }
    assert (f"{ID}territory/project/essai", f"{PIC}withinTerritory", f"{ID}territory/region/32") in inferred


def test_a_chain_of_flows_rests_on_its_two_ends_word():
    """`05-informs-transitively.rq` with who says what (tenth outside re-test, finding 3): a hop of a chain
    rests on the chain's ends' word or nobody's; a hop on a middle organisation's word breaks the chain
    (the hop itself, a tie of that organisation's, stays)."""
    from pyoxigraph import NamedNode, Triple

    from pic.graph.reasoning import inference
    from pic.graph.reasoning.inference_facts import SAID_BY, SPEAKS_AS, org_node

    prov, RDFS = "http://www.w3.org/ns/prov#", "http://www.w3.org/2000/01/rdf-schema#"
    node = {k: NamedNode(f"{ID}{k}") for k in ("a", "b", "c", "d", "s1", "p1", "s2", "p2", "s3", "p3")}
    used = NamedNode(f"{prov}used")

    def flow(study, activity, source, target):
        return [
            Triple(node[study], NamedNode(f"{PIC}producedBy"), node[source]),
            Triple(node[activity], used, node[study]),
            Triple(node[activity], NamedNode(f"{prov}wasAssociatedWith"), node[target]),
        ]

    def said(entity, org):
        return Triple(node[entity], SAID_BY, org_node(org))

    premises = [*flow("s1", "p1", "a", "b"), *flow("s2", "p2", "b", "c"), *flow("s3", "p3", "c", "d")]
    premises += [Triple(node[x], SPEAKS_AS, org_node(x)) for x in "abcd"]
    premises.append(
        Triple(NamedNode(f"{PIC}producedBy"), NamedNode(f"{RDFS}subPropertyOf"), NamedNode(f"{prov}wasAttributedTo"))
    )

    def chains(words):
        return {
            (t.subject.value[len(ID) :], t.object.value[len(ID) :])
            for t in inference.derive([*premises, *words])
            if t.predicate.value == f"{PIC}informsTransitively"
        }

    hops = {("a", "b"), ("b", "c"), ("c", "d")}
    assert chains([]) == hops | {("a", "c"), ("b", "d"), ("a", "d")}  # nobody's word: the closure
    ends = [said("s1", "a"), said("p1", "a"), said("s3", "d"), said("p3", "d")]
    assert chains(ends) == hops | {("a", "c"), ("b", "d"), ("a", "d")}  # a → d on a's and d's word
    middle = [said("s2", "b"), said("p2", "b")]  # b → c on b's word: only a chain from b takes it
    assert chains(middle) == hops | {("b", "d")}
    last = [said("s1", "b"), said("p1", "b")]  # a → b on b's word: no chain from a goes on past b
    assert chains(last) == hops | {("b", "d")}
    first = [said("s1", "a"), said("p1", "a")]
    assert chains(first) == hops | {("a", "c"), ("b", "d"), ("a", "d")}


@pytest.mark.parametrize("seed", range(20))
def test_chains_match_a_plain_reading_of_the_rule(seed):
    """The chain rule against a plain reading of it, on random flows whose studies and projects are said by
    nobody, an end or a third organisation: a chain of two hops or more x → … → z holds when its first hop
    rests on x's word (or nobody's), its last on z's, each between on nobody's."""
    import random

    from pyoxigraph import NamedNode, Triple

    from pic.graph.reasoning import inference
    from pic.graph.reasoning.inference_facts import SAID_BY, SPEAKS_AS, org_node

    rng = random.Random(seed)
    prov = "http://www.w3.org/ns/prov#"
    actors = [f"a{i}" for i in range(6)]
    premises = [
        Triple(
            NamedNode(f"{PIC}producedBy"),
            NamedNode("http://www.w3.org/2000/01/rdf-schema#subPropertyOf"),
            NamedNode(f"{prov}wasAttributedTo"),
        )
    ]
    premises += [Triple(NamedNode(f"{ID}{a}"), SPEAKS_AS, org_node(a)) for a in actors]
    said: dict[str, str | None] = {}
    flows = []  # (source, target, study, project)
    for i in range(10):
        x, y = rng.sample(actors, 2)
        study, project = f"s{i}", f"p{i}"
        premises += [
            Triple(NamedNode(f"{ID}{study}"), NamedNode(f"{PIC}producedBy"), NamedNode(f"{ID}{x}")),
            Triple(NamedNode(f"{ID}{project}"), NamedNode(f"{prov}used"), NamedNode(f"{ID}{study}")),
            Triple(NamedNode(f"{ID}{project}"), NamedNode(f"{prov}wasAssociatedWith"), NamedNode(f"{ID}{y}")),
        ]
        for entity in (study, project):
            said[entity] = rng.choice([None, x, y, "tiers"])
            if said[entity]:
                premises.append(Triple(NamedNode(f"{ID}{entity}"), SAID_BY, org_node(said[entity])))
        flows.append((x, y, study, project))

    def rests_on(flow, voices):
        return all(said[e] is None or said[e] in voices for e in flow[2:])

    expected = {(x, y) for x, y, *_ in flows if rests_on((x, y, *_), {x, y})}
    for x in actors:
        firsts = {f[1] for f in flows if f[0] == x and rests_on(f, {x})}
        reached, todo = set(firsts), list(firsts)  # over hops on nobody's word
        while todo:
            a = todo.pop()
            for f in flows:
                if f[0] == a and f[1] not in reached and rests_on(f, set()):
                    reached.add(f[1])
                    todo.append(f[1])
        expected |= {(x, f[1]) for f in flows if f[0] in reached and rests_on(f, {f[1]})}
    expected = {(x, z) for x, z in expected if x != z}
    ours = {
        (t.subject.value[len(ID) :], t.object.value[len(ID) :])
        for t in inference.derive(premises)
        if t.predicate.value == f"{PIC}informsTransitively"
    }
    assert ours == expected
