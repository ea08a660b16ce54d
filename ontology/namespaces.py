"""Namespaces and IRI patterns shared by every layer: the one table of namespaces (`PREFIXES`), which no
other module retypes (`tests/test_one_of_each.py`). Code builds IRIs from it (`expand("prov:agent")`,
`PREFIXES["prov"]`), SPARQL and Turtle texts take their prefix lines from it (`sparql_prefixes("pic",
"prov")`, `turtle_prefixes(…)`).

The instance base is a setting (`PIC_BASE_IRI`); the constants here are the defaults that the shipped
reference and demo data use.
"""

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

PIC = Namespace("https://w3id.org/pic-euralens/ontology#")
ONTOLOGY_IRI = "https://w3id.org/pic-euralens/ontology"
SHAPES_IRI = "https://w3id.org/pic-euralens/shapes"
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
    "picsh": f"{SHAPES_IRI}#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ldp": "http://www.w3.org/ns/ldp#",
    "as": "http://www.w3.org/ns/activitystreams#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "formats": "http://www.w3.org/ns/formats/",
    "cc": "http://creativecommons.org/ns#",
    "acl": "http://www.w3.org/ns/auth/acl#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
}


def prefixes(*names: str) -> dict[str, str]:
    """{prefix: namespace} for the prefixes named, in their order; the whole table when none is."""
    return {p: PREFIXES[p] for p in names} if names else dict(PREFIXES)


def expand(curie: str) -> str:
    """The IRI a CURIE abbreviates: `expand("rdf:type")`; `expand("prov:")` is the namespace itself."""
    prefix, local = curie.split(":", 1)
    return PREFIXES[prefix] + local


def sparql_prefixes(*names: str) -> str:
    """The PREFIX block of a SPARQL text, one line a prefix: those named, or every one (the block that
    saved queries, rules and checks may rely on)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes(*names).items())


def turtle_prefixes(*names: str) -> str:
    """The same block in Turtle's own spelling (`@prefix p: <…> .`), for Turtle the platform writes."""
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes(*names).items())
