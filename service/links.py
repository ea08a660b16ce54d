"""Where an IRI leads on this site: its entity page when it is under the instance base, the ontology's
documentation for its terms, the IRI itself when it is an `http` or `https` IRI, and nowhere otherwise
(`graph/web_links.py` says why): pages show such an IRI as text, never as a link."""

from urllib.parse import quote

from pic.graph.web_links import web_link
from pic.ontology.namespaces import ONTOLOGY_IRI, PIC


def page_of(iri: str, base: str) -> str:
    """The link for an IRI, or "" when it must not be one (pages test for it and show text instead)."""
    if iri.startswith(base):
        return "/id/" + quote(iri[len(base) :])
    if iri.startswith(str(PIC)) or iri == ONTOLOGY_IRI:
        return "/ontology#" + quote(iri.rsplit("#", 1)[-1])
    return web_link(iri)


def local_path(back: str) -> bool:
    """A path on this site: `//host` and `/\\host` are other sites to a browser, and so is any scheme."""
    return back.startswith("/") and not back.startswith(("//", "/\\")) and not any(ord(c) < 0x20 for c in back)
