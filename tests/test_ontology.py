"""The ontology parses, is OWL 2 DL consistent under HermiT, and documents every pic: term."""

import owlready2
import pytest
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from pic.ontology import ONTOLOGY_FILES, TERRITORY_FILES, read_bytes
from pic.ontology.namespaces import PIC
from tests.reasoning import hermit_world


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(data=read_bytes("pic.ttl"), format="turtle")


@pytest.mark.parametrize("name", [*ONTOLOGY_FILES, *TERRITORY_FILES])
def test_every_shipped_turtle_file_parses(name):
    assert len(Graph().parse(data=read_bytes(name), format="turtle")) > 10


def pic_terms(g: Graph):
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return sorted({s for k in kinds for s in g.subjects(RDF.type, k) if str(s).startswith(str(PIC))})


def test_the_ontology_defines_the_classes_the_platform_needs(ontology):
    needed = {
        "Project",
        "ProjectRole",
        "Study",
        "StudyStatus",
        "Indicator",
        "IndicatorDataSet",
        "Theme",
        "ActorType",
        "WorkingGroup",
        "EvaluationQuestion",
        "ProjectTerritory",
        "KnowledgeFlow",
        "Change",
    }
    assert needed <= {str(t).removeprefix(str(PIC)) for t in pic_terms(ontology)}


def test_every_pic_term_has_labels_definition_and_a_standard_parent(ontology):
    terms = pic_terms(ontology)
    assert len(terms) > 30
    for term in terms:
        langs = {label.language for label in ontology.objects(term, RDFS.label)}
        assert {"fr", "en"} <= langs, term
        assert {d.language for d in ontology.objects(term, SKOS.definition)} >= {"fr", "en"}, term
        parents = set(ontology.transitive_objects(term, RDFS.subClassOf)) | set(
            ontology.transitive_objects(term, RDFS.subPropertyOf)
        )
        assert any(not str(p).startswith(str(PIC)) for p in parents), f"{term} specialises nothing standard"


def test_the_key_axioms_are_there(ontology):
    assert (PIC.cooperatesWith, RDF.type, OWL.SymmetricProperty) in ontology
    assert (PIC.withinTerritory, RDF.type, OWL.TransitiveProperty) in ontology
    assert (PIC.informsTransitively, RDF.type, OWL.TransitiveProperty) in ontology
    for prop in (PIC.cooperatesWith, PIC.informs, PIC.informsViaDerivation):
        assert ontology.value(prop, OWL.propertyChainAxiom) is not None, prop


def test_the_ontology_is_consistent_under_hermit(ontology):
    world = hermit_world([ontology])  # raises OwlReadyInconsistentOntologyError if inconsistent
    assert not list(world.inconsistent_classes())
    pic = world.get_namespace(str(PIC))
    assert pic.Project is not None and owlready2.Thing in pic.Project.ancestors()
