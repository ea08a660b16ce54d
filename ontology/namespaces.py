"""Namespaces and IRI patterns shared by every layer.

The instance base is a setting (`PIC_BASE_IRI`); the constants here are the defaults that the shipped
reference and demo data use.
"""

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

PIC = Namespace("https://w3id.org/pic-euralens/ontology#")
ONTOLOGY_IRI = "https://w3id.org/pic-euralens/ontology"
DEFAULT_BASE = "https://w3id.org/pic-euralens/id/"
ID = Namespace(DEFAULT_BASE)

QB = Namespace("http://purl.org/linked-data/cube#")
IGEO = Namespace("http://rdf.insee.fr/def/geo#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
OA = Namespace("http://www.w3.org/ns/oa#")
BIBO = Namespace("http://purl.org/ontology/bibo/")
SH = Namespace("http://www.w3.org/ns/shacl#")

PREFIXES = {
    "pic": str(PIC),
    "id": DEFAULT_BASE,
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "dcat": str(DCAT),
    "prov": str(PROV),
    "org": str(ORG),
    "foaf": str(FOAF),
    "bibo": str(BIBO),
    "qb": str(QB),
    "igeo": str(IGEO),
    "geo": str(GEO),
    "oa": str(OA),
    "sh": str(SH),
}


def sparql_prefixes() -> str:
    """The PREFIX block that saved queries, rules and checks may rely on."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
