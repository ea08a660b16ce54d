"""Where an IRI leads on this site: its entity page when it is under the instance base, the ontology's
documentation for its terms, else the IRI itself."""

from urllib.parse import quote

from pic.ontology.namespaces import ONTOLOGY_IRI, PIC


def page_of(iri: str, base: str) -> str:
    if iri.startswith(base):
        return "/id/" + quote(iri[len(base):])
    if iri.startswith(str(PIC)) or iri == ONTOLOGY_IRI:
        return "/ontology#" + iri.rsplit("#", 1)[-1]
    return iri
