"""SHACL shapes tested both ways, and the engine-run validator checked against pySHACL.

Each bad case must fail with the expected component and message; pySHACL (the reference
implementation) must report the same (focus node, component, severity) set as our SPARQL-compiled
validator on the same data.
"""

import pyshacl
import pytest
from pyoxigraph import NamedNode, RdfFormat, Store, parse
from rdflib import Graph
from rdflib.namespace import SH

from pic.graph.reasoning.shacl import ShapesError, ShapesValidator, stage_for_validation
from pic.ontology import read_bytes

PREFIXES = """@prefix pic: <https://w3id.org/pic-euralens/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix igeo: <http://rdf.insee.fr/def/geo#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix : <https://w3id.org/pic-euralens/id/test/> .
@prefix status: <https://w3id.org/pic-euralens/id/study-status/> .
@prefix theme: <https://w3id.org/pic-euralens/id/theme/> .
"""
CONTEXT = """
:lens a igeo:Commune ; rdfs:label "Lens"@fr ; igeo:codeINSEE "62498"^^xsd:token ;
    igeo:subdivisionDirecteDe :epci .
:epci a igeo:Intercommunalite ; rdfs:label "CALL"@fr ; igeo:codeINSEE "246200364"^^xsd:token .
:ds a qb:DataSet ; qb:structure pic:IndicatorStructure ; pic:measuresIndicator :ind ; pic:unit "%" .
:ind a pic:Indicator ; rdfs:label "Taux"@fr ; skos:prefLabel "Taux"@fr ; skos:definition "Un taux."@fr .
:org a org:FormalOrganization ; rdfs:label "Org"@fr ; foaf:name "Org" .
"""
OBS = ':o1 a qb:Observation ; qb:dataSet :ds ; pic:refArea :lens ; pic:refYear "2015"^^xsd:gYear ; pic:value 12.5 .\n'
STUDY = (
    ':s a pic:Study ; rdfs:label "Étude"@fr ; dcterms:title "Étude"@fr ; '
    'pic:studyStatus status:published ; dcterms:issued "2014"^^xsd:gYear ; pic:producedBy :org .\n'
)
PROJECT = (
    ':p a pic:Project ; rdfs:label "Projet"@fr ; dcterms:title "Projet"@fr ; '
    'prov:startedAtTime "2015-01-01T00:00:00"^^xsd:dateTime ; prov:qualifiedAssociation :a .\n'
    ":a a prov:Association ; prov:agent :org ; prov:hadRole <https://w3id.org/pic-euralens/id/role/pilote> .\n"
)

# name, data, expected (focus local name, component), a word of the French message
BAD = [
    (
        "organisation without a name",
        ':x a org:FormalOrganization ; rdfs:label "X"@fr .',
        ("x", "MinCountConstraintComponent"),
        "nom",
    ),
    (
        "actor type that is a theme",
        ':x a org:FormalOrganization ; rdfs:label "X"@fr ; foaf:name "X" ; org:classification theme:culture .',
        ("x", "ClassConstraintComponent"),
        "type d'acteur",
    ),
    (
        "year typed as integer",
        OBS.replace('"2015"^^xsd:gYear', '"2015"^^xsd:integer'),
        ("o1", "DatatypeConstraintComponent"),
        "année",
    ),
    ("year out of range", OBS.replace('"2015"', '"1850"'), ("o1", "PatternConstraintComponent"), "année"),
    (
        "observation about a study",
        OBS.replace("pic:refArea :lens", "pic:refArea :s") + STUDY,
        ("o1", "ClassConstraintComponent"),
        "territoire",
    ),
    (
        "observation without value",
        OBS.replace(" ; pic:value 12.5", ""),
        ("o1", "MinCountConstraintComponent"),
        "valeur",
    ),
    (
        "two observations of one cell",
        OBS + OBS.replace(":o1", ":o2").replace("12.5", "13"),
        ("o1", "SPARQLConstraintComponent"),
        "IC-12",
    ),
    (
        "label in German",
        STUDY.replace('rdfs:label "Étude"@fr', 'rdfs:label "Studie"@de'),
        ("s", "LanguageInConstraintComponent"),
        "libellé",
    ),
    (
        "published without a date",
        STUDY.replace(' ; dcterms:issued "2014"^^xsd:gYear', ""),
        ("s", "SPARQLConstraintComponent"),
        "publication",
    ),
    (
        "two statuses",
        STUDY.replace("status:published", "status:published , status:planned"),
        ("s", "MaxCountConstraintComponent"),
        "statut",
    ),
    ("issue date as plain text", STUDY.replace('"2014"^^xsd:gYear', '"2014"'), ("s", "OrConstraintComponent"), "date"),
    (
        "two French titles",
        STUDY.replace('dcterms:title "Étude"@fr', 'dcterms:title "Étude"@fr , "Autre"@fr'),
        ("s", "UniqueLangConstraintComponent"),
        "titre",
    ),
    (
        "membership with two members",
        ":m a org:Membership ; org:member :org , :org2 ; org:organization :org ; "
        "org:role <https://w3id.org/pic-euralens/id/role/membre> .\n"
        ':org2 a org:FormalOrganization ; rdfs:label "Org2"@fr ; foaf:name "Org2" .',
        ("m", "MaxCountConstraintComponent"),
        "membre",
    ),
    (
        "project ending before it starts",
        PROJECT.replace(
            " ; prov:qualifiedAssociation",
            ' ; prov:endedAtTime "2010-01-01T00:00:00"^^xsd:dateTime ; prov:qualifiedAssociation',
        ),
        ("p", "SPARQLConstraintComponent"),
        "fin",
    ),
    (
        "role that is not a role",
        PROJECT.replace("<https://w3id.org/pic-euralens/id/role/pilote>", "theme:culture"),
        ("a", "ClassConstraintComponent"),
        "rôle",
    ),
    (
        "commune code of four digits",
        CONTEXT.replace('"62498"', '"6249"'),
        ("lens", "PatternConstraintComponent"),
        "code INSEE",
    ),
    (
        "data set without structure",
        ':ds2 a qb:DataSet ; pic:measuresIndicator :ind ; pic:unit "%" .',
        ("ds2", "MinCountConstraintComponent"),
        "IC-2",
    ),
    (
        "annotation with an unknown motivation",
        ":n a oa:Annotation ; oa:hasTarget :s ; "
        "oa:motivatedBy :gossiping ; dcterms:creator :org ; "
        'dcterms:created "2026-01-01T10:00:00Z"^^xsd:dateTime .',
        ("n", "InConstraintComponent"),
        "motivation",
    ),
]
GOOD = [("observation", OBS), ("study", STUDY), ("project", PROJECT)]


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(data=read_bytes("shapes.ttl"), format="turtle")


@pytest.fixture(scope="module")
def validator(shapes) -> ShapesValidator:
    return ShapesValidator(shapes)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    g = Graph()
    for name in ("pic.ttl", "structure.ttl"):
        g.parse(data=read_bytes(name), format="turtle")
    return g


SCHEMES = read_bytes("schemes.ttl").decode() + read_bytes("structure.ttl").decode()


def data_text(case: str) -> str:
    return PREFIXES + CONTEXT + case


def ours(validator, text: str):
    quads = list(parse(text.encode(), RdfFormat.TURTLE))
    quads += list(parse(SCHEMES.encode(), RdfFormat.TURTLE))
    context = Store()
    for name in ("pic.ttl", "structure.ttl"):
        context.load(read_bytes(name), RdfFormat.TURTLE, to_graph=NamedNode(f"urn:{name}"))
    return validator.validate(stage_for_validation(quads, context))


def pyshacl_results(shapes, ontology, text: str) -> set[tuple[str, str, str]]:
    data = Graph().parse(data=text, format="turtle").parse(data=SCHEMES, format="turtle")
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True, allow_warnings=True
    )
    found = set()
    for result in report.subjects(SH.focusNode, None):
        focus = str(report.value(result, SH.focusNode))
        component = str(report.value(result, SH.sourceConstraintComponent)).removeprefix(str(SH))
        severity = str(report.value(result, SH.resultSeverity)).removeprefix(str(SH))
        found.add((focus, component, severity))
    return found


def keys(report) -> set[tuple[str, str, str]]:
    return {(v.focus, v.component, v.severity) for v in report.violations + report.warnings}


@pytest.mark.parametrize("name,case,expected,word", BAD, ids=[b[0] for b in BAD])
def test_bad_data_fails_with_the_expected_message(validator, name, case, expected, word):
    report = ours(validator, data_text(case))
    assert not report.conforms, name
    found = {(v.focus.rsplit("/", 1)[-1], v.component) for v in report.violations}
    assert expected in found, (name, [v.describe("fr") for v in report.violations])
    messages = [v.message_fr for v in report.violations if v.focus.endswith("/" + expected[0])]
    assert any(word.lower() in m.lower() for m in messages), messages
    assert all(v.message_en and v.message_fr != v.message_en for v in report.violations)


@pytest.mark.parametrize("name,case", GOOD, ids=[g[0] for g in GOOD])
def test_good_data_conforms(validator, name, case):
    report = ours(validator, data_text(case))
    assert report.conforms, [v.describe() for v in report.violations]


@pytest.mark.parametrize(
    "name,case", [(b[0], b[1]) for b in BAD] + GOOD, ids=[b[0] for b in BAD] + [g[0] for g in GOOD]
)
def test_the_engine_agrees_with_pyshacl(validator, shapes, ontology, name, case):
    text = data_text(case)
    assert keys(ours(validator, text)) == pyshacl_results(shapes, ontology, text)


def test_a_study_without_author_is_only_a_warning(validator):
    report = ours(validator, data_text(STUDY.replace(" ; pic:producedBy :org", "")))
    assert report.conforms
    assert [w.component for w in report.warnings] == ["MinCountConstraintComponent"]


def test_unsupported_shapes_are_refused_not_ignored(shapes):
    extra = Graph().parse(
        data=PREFIXES
        + """@prefix sh: <http://www.w3.org/ns/shacl#> .
        :shape a sh:NodeShape ; sh:targetClass pic:Study ;
            sh:property [ sh:path dcterms:title ; sh:qualifiedMinCount 1 ] .""",
        format="turtle",
    )
    with pytest.raises(ShapesError):
        ShapesValidator(extra)


def test_the_whole_demo_conforms(demo_writer):
    """Every demo file went through validation when loaded; validate the stored result once more."""
    added = Store()
    for q in demo_writer.store.quads():
        if demo_writer.names.kind_of(q.graph_name) in ("partner", "territories"):
            added.add(q)
    report = demo_writer.check(added, [])
    assert report.conforms, [v.describe() for v in report.violations[:10]]
