"""The Web Annotation Protocol's Turtle: an annotation, a container or a page in Turtle is its JSON-LD
(what `annotations.model` and the protocol router write) read by pyoxigraph's JSON-LD processor, so that
both representations of a resource say the same thing.

Contexts are read from this package, never fetched at run time (a request must not wait on, or leak to,
w3.org): `contexts/anno.jsonld` is the W3C's http://www.w3.org/ns/anno.jsonld, copied verbatim from
w3c/web-annotation (`jsonld/anno.jsonld`, W3C Document License; the same file as
`../shared/conformance/w3c/web-annotation/anno.jsonld`, which a test checks). LDP's context,
http://www.w3.org/ns/ldp.jsonld, is stood in for by the LDP terms the container uses.
"""

import json
from functools import cache
from pathlib import Path

from pyoxigraph import RdfFormat, parse, serialize

from pic.graph.annotations.model import JsonObject
from pic.graph.store.formats import serialized
from pic.ontology.namespaces import prefixes

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
ANNO_CONTEXT_FILE = Path(__file__).with_name("contexts") / "anno.jsonld"
LDP_CONTEXT = "http://www.w3.org/ns/ldp.jsonld"
PREFIXES = prefixes("oa", "as", "ldp", "rdf", "rdfs", "xsd", "dcterms", "dc", "foaf", "pic")
LDP = PREFIXES["ldp"]
LDP_TERMS = {
    "ldp": LDP,
    "Container": "ldp:Container",
    "BasicContainer": "ldp:BasicContainer",
    "Resource": "ldp:Resource",
    "contains": {"@id": "ldp:contains", "@type": "@id"},
    "constrainedBy": {"@id": "ldp:constrainedBy", "@type": "@id"},
}


@cache
def anno_context() -> JsonObject:
    context: JsonObject = json.loads(ANNO_CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    return context


def with_local_contexts(document: JsonObject) -> JsonObject:
    """The document with each context it names by URL replaced by the local copy; a URL we hold no copy
    of is our own mistake (the router writes the contexts), not something to fetch."""
    local = {ANNO_CONTEXT: anno_context(), LDP_CONTEXT: LDP_TERMS}
    contexts = document.get("@context", [])
    contexts = contexts if isinstance(contexts, list) else [contexts]
    unknown = [c for c in contexts if isinstance(c, str) and c not in local]
    if unknown:
        raise ValueError(f"no local copy of the JSON-LD context {unknown[0]}")
    return {**document, "@context": [local.get(c, c) if isinstance(c, str) else c for c in contexts]}


def turtle(document: JsonObject) -> bytes:
    """The JSON-LD document as Turtle (statements grouped by subject)."""
    quads = parse(json.dumps(with_local_contexts(document)), format=RdfFormat.JSON_LD)
    triples = sorted((q.triple for q in quads), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return serialized(serialize(triples, format=RdfFormat.TURTLE, prefixes=PREFIXES))
