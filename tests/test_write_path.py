"""The one write path, on both backends: validation, atomicity, provenance, history, permissions."""

import gzip

import pytest
from pyoxigraph import NamedNode, Quad, RdfFormat, parse

from pic.graph.access import NotAllowed, User
from pic.graph.store.parsing import RdfParseError, parse_bytes
from pic.graph.writes.path import ValidationFailed
from tests.conftest import snapshot

ADMIN = User("alice", role="admin")
PREFIXES = """@prefix pic: <https://w3id.org/pic-euralens/ontology#> .
@prefix actor: <https://w3id.org/pic-euralens/id/actor/> .
@prefix project: <https://w3id.org/pic-euralens/id/project/> .
@prefix assoc: <https://w3id.org/pic-euralens/id/association/> .
@prefix commune: <https://w3id.org/pic-euralens/id/territory/commune/> .
@prefix role: <https://w3id.org/pic-euralens/id/role/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
GOOD = (
    PREFIXES
    + """
actor:atelier-test a org:FormalOrganization ; rdfs:label "Atelier test"@fr , "Test workshop"@en ;
    foaf:name "Atelier test" ; pic:territoryOfAction commune:62498 .
project:test a pic:Project ; rdfs:label "Projet test"@fr ; dcterms:title "Projet test"@fr ;
    prov:startedAtTime "2020-01-01T00:00:00"^^xsd:dateTime ;
    prov:qualifiedAssociation assoc:test-1 , assoc:test-2 .
assoc:test-1 a prov:Association ; prov:agent actor:atelier-test ; prov:hadRole role:pilote .
assoc:test-2 a prov:Association ; prov:agent actor:other ; prov:hadRole role:partenaire .
actor:other a org:FormalOrganization ; rdfs:label "Autre"@fr ; foaf:name "Autre" .
"""
)


def staged(text: str, graph: str = "partner/atelier-test"):
    return parse_bytes(
        text.encode(), RdfFormat.TURTLE, NamedNode(f"https://w3id.org/pic-euralens/id/graph/{graph}"), "test.ttl"
    )


def test_a_valid_file_is_written_recorded_and_inferred(base_writer, names):
    result = base_writer.load(staged(GOOD), ADMIN)
    store = base_writer.store
    assert result.added == len(parse_bytes(GOOD.encode(), RdfFormat.TURTLE, names.ontology).store)
    assert store.count(names.partner("atelier-test")) == result.added
    # provenance: who, when, which graph, how many
    rows = list(
        store.query(f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX pic: <https://w3id.org/pic-euralens/ontology#>
        SELECT ?who ?n ?g ?file WHERE {{ GRAPH {names.provenance} {{
            {result.change} prov:wasAssociatedWith ?who ; pic:addedTriples ?n ;
            pic:changedGraph ?g ; pic:deltaFile ?file ; prov:startedAtTime ?t }} }}""")
    )
    assert len(rows) == 1, rows
    assert rows[0]["who"] == names.user("alice")
    assert int(rows[0]["n"].value) == result.added
    assert rows[0]["g"] == names.partner("atelier-test")
    # the delta file holds exactly the added quads
    delta = base_writer.history_dir / rows[0]["file"].value.removeprefix("history/")
    with gzip.open(delta, "rb") as f:
        assert len(list(parse(f.read(), RdfFormat.N_QUADS))) == result.added
    # the inferred graph was refreshed: the two actors of the project cooperate
    assert store.query("""ASK { GRAPH <https://w3id.org/pic-euralens/id/graph/inferred> {
        <https://w3id.org/pic-euralens/id/actor/atelier-test>
        <https://w3id.org/pic-euralens/ontology#cooperatesWith>
        <https://w3id.org/pic-euralens/id/actor/other> } }""")


def test_malformed_turtle_names_line_and_column_and_changes_nothing(base_writer):
    before = snapshot(base_writer.store)
    bad = PREFIXES + 'actor:x a org:FormalOrganization ;\n    foaf:name "unterminated .\n'
    with pytest.raises(RdfParseError) as e:
        base_writer.load(staged(bad), ADMIN)
    assert e.value.line == 14 and e.value.column is not None, str(e.value)
    assert "test.ttl, line 14" in str(e.value)
    assert snapshot(base_writer.store) == before


def test_a_shape_violation_names_focus_node_and_path_and_changes_nothing(base_writer):
    before = snapshot(base_writer.store)
    bad = GOOD.replace('prov:startedAtTime "2020-01-01T00:00:00"^^xsd:dateTime ;', 'prov:startedAtTime "2020" ;')
    with pytest.raises(ValidationFailed) as e:
        base_writer.load(staged(bad), ADMIN)
    [v] = e.value.report.violations
    assert v.focus == "https://w3id.org/pic-euralens/id/project/test"
    assert v.path == "http://www.w3.org/ns/prov#startedAtTime"
    assert v.component == "DatatypeConstraintComponent"
    assert "date de début" in v.message_fr and "start date" in v.message_en
    assert snapshot(base_writer.store) == before


def test_class_constraints_look_up_values_already_in_the_store(base_writer):
    # the territory is in the store, not in the file: accepted
    base_writer.load(staged(GOOD), ADMIN)
    # an unknown territory IRI is refused
    bad = GOOD.replace("commune:62498", "commune:99999")
    with pytest.raises(ValidationFailed) as e:
        base_writer.load(staged(bad, "partner/other"), ADMIN)
    assert [v.component for v in e.value.report.violations] == ["ClassConstraintComponent"]


def test_validation_sees_the_entity_as_it_will_be_after_the_change(base_writer):
    base_writer.load(staged(GOOD), ADMIN)
    second_name = PREFIXES + 'actor:atelier-test foaf:name "Un second nom" .\n'
    with pytest.raises(ValidationFailed) as e:
        base_writer.load(staged(second_name), ADMIN)
    assert e.value.report.violations[0].component == "MaxCountConstraintComponent"


def test_a_change_can_remove_triples_and_is_recorded(base_writer, names):
    base_writer.load(staged(GOOD), ADMIN)
    g = names.partner("atelier-test")
    old = Quad(
        NamedNode("https://w3id.org/pic-euralens/id/actor/other"),
        NamedNode("http://xmlns.com/foaf/0.1/name"),
        _literal("Autre"),
        g,
    )
    new = staged(PREFIXES + 'actor:other foaf:name "Autre nom" .\n')
    result = base_writer.write(new.store, [old], ADMIN, source="edit")
    assert result.removed == 1
    names_now = {
        r["n"].value
        for r in base_writer.store.query(
            "SELECT ?n WHERE { <https://w3id.org/pic-euralens/id/actor/other> <http://xmlns.com/foaf/0.1/name> ?n }"
        )
    }
    assert names_now == {"Autre nom"}


def _literal(value):
    from pyoxigraph import Literal

    return Literal(value)


def test_partners_write_only_their_own_graph(base_writer):
    partner = User("bob", role="partner", org="atelier-test")
    base_writer.load(staged(GOOD, "partner/atelier-test"), partner)
    before = snapshot(base_writer.store)
    with pytest.raises(NotAllowed):
        base_writer.load(staged(GOOD, "partner/someone-else"), partner)
    with pytest.raises(NotAllowed):
        base_writer.load(staged(GOOD, "ontology"), partner)
    with pytest.raises(NotAllowed):  # derived graphs are never written by hand, even by admins
        base_writer.load(staged(GOOD, "inferred"), ADMIN)
    with pytest.raises(PermissionError):
        base_writer.load(staged(GOOD, "partner/atelier-test"), partner, validate=False)
    assert snapshot(base_writer.store) == before


def test_a_failing_inference_refresh_undoes_the_change(base_writer, monkeypatch):
    before = snapshot(base_writer.store)
    history_before = set(base_writer.history_dir.glob("*.nq.gz"))
    monkeypatch.setattr(type(base_writer), "_infer", _broken_inference)
    with pytest.raises(Exception):  # noqa: B017 - the engine's own error type differs per backend
        base_writer.load(staged(GOOD), ADMIN)
    assert snapshot(base_writer.store) == before
    assert set(base_writer.history_dir.glob("*.nq.gz")) == history_before


def _broken_inference(self, change):
    raise RuntimeError("inference failed")


@pytest.mark.parametrize("fmt", ["nt", "jsonld", "rdfxml", "nq", "trig"])
def test_every_rdf_format_loads_through_the_write_path(base_writer, names, tmp_path, fmt):
    from pyoxigraph import serialize

    from pic.graph.store.parsing import FORMATS

    rdf = FORMATS[fmt]
    graph = names.partner("atelier-test")
    triples = [q.triple for q in parse(GOOD.encode(), RdfFormat.TURTLE)]
    quads = [Quad(t.subject, t.predicate, t.object, graph) for t in triples]
    path = tmp_path / f"data.{fmt}"
    path.write_bytes(serialize(quads if rdf.supports_datasets else triples, format=rdf))
    result = base_writer.load_file(path, None if rdf.supports_datasets else graph, ADMIN)
    assert result.added == len(triples)
    assert base_writer.store.count(graph) == len(triples)


@pytest.mark.parametrize(
    "fmt,text,line",
    [
        ("jsonld", '{"@id": "https://w3id.org/pic-euralens/id/test/a",\n "http://ex/p": [}', 2),
        (
            "rdfxml",
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n<rdf:Description>\n</rdf:RDF>',
            3,
        ),
        ("nt", "<http://a> <http://b> <http://c> .\n<http://a> <http://b> .\n", 2),
    ],
)
def test_bad_files_in_other_formats_say_where(base_writer, names, tmp_path, fmt, text, line):
    path = tmp_path / f"bad.{fmt}"
    path.write_text(text)
    before = snapshot(base_writer.store)
    with pytest.raises(RdfParseError) as e:
        base_writer.load_file(path, names.partner("atelier-test"), ADMIN)
    assert e.value.line == line, str(e.value)
    assert snapshot(base_writer.store) == before
