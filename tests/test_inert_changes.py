"""Issue 17: a change whose only triples the rules read are attributions of entities nothing uses or
derives from (a new study and its producer) leaves every conclusion as it was, so the write does not run
the rules (seconds per audience at the regional scale). Checked against the rules themselves."""

import pytest
from pyoxigraph import NamedNode, Quad, Store, Triple

from pic.graph.access import User
from pic.graph.installation.bootstrap import initialise
from pic.graph.names import Names
from pic.graph.reasoning import inference
from pic.graph.store.embedded import EmbeddedStore
from pic.graph.writes.path import Writer

ID = "https://w3id.org/pic-euralens/id/"
PIC = "https://w3id.org/pic-euralens/ontology#"
PROV = "http://www.w3.org/ns/prov#"
NEW = NamedNode(f"{ID}study/inert-new")
PRODUCED_BY = NamedNode(f"{PIC}producedBy")
AULA = NamedNode(f"{ID}actor/aula")


@pytest.fixture(scope="module")
def writer(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("inert")
    w = Writer(EmbeddedStore(tmp / "store"), Names(), tmp / "history")
    initialise(w, demo=True)
    yield w
    w.store.close()


def used_study(writer) -> NamedNode:
    """A demo study a project used and someone produced: an attribution of it does change conclusions."""
    rows = writer.store.query(f"SELECT ?s WHERE {{ ?a <{PROV}used> ?s . ?s <{PIC}producedBy> ?x }} ORDER BY ?s LIMIT 1")
    return next(iter(rows))["s"]


def concluded(writer, extra: list[Quad]) -> set[Triple]:
    premises = inference.premises(writer.store, writer.sources())
    triples = {t for ts in premises.values() for t in ts} | {q.triple for q in extra}
    return set(inference.derive(triples))


def is_inert(writer, quads: list[Quad]) -> bool:
    attributions = inference.attribution_predicates(writer.store, {q.predicate for q in quads})
    return inference.inert(writer.store, quads, attributions)


def test_only_attributions_of_entities_nothing_uses_or_derives_are_inert_as_the_rules_say(writer):
    graph = writer.names.partner("aula")
    before = concluded(writer, [])
    new = [Quad(NEW, PRODUCED_BY, AULA, graph), Quad(NEW, NamedNode(f"{PROV}wasAttributedTo"), AULA, graph)]
    assert is_inert(writer, new) and concluded(writer, new) == before
    used = [Quad(used_study(writer), PRODUCED_BY, AULA, graph)]
    assert not is_inert(writer, used) and concluded(writer, used) != before
    derived = [*new, Quad(NEW, NamedNode(f"{PROV}wasDerivedFrom"), used_study(writer), graph)]
    assert not is_inert(writer, derived) and concluded(writer, derived) != before


def test_a_new_study_with_its_producer_is_written_without_running_the_rules_and_the_inferences_stay_right(writer):
    inferred = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER (CONTAINS(STR(?g), '/inferred')) }"

    def inferences() -> set[str]:
        return {" ".join(str(r[v]) for v in ("g", "s", "p", "o")) for r in writer.store.query(inferred)}

    staged = Store()
    staged.add(Quad(NEW, PRODUCED_BY, AULA, writer.names.partner("aula")))
    memo = writer.reasoner._memo
    writer.write(staged, [], User("admin", role="admin"), source="test", validate=False)
    assert writer.reasoner._memo is memo, "the rules ran"
    written = inferences()
    writer.refresh()  # every inference derived again, from scratch
    assert inferences() == written
