"""Which IRIs may become links in a page: absolute `http` and `https` IRIs, nothing else.

An allow-list, not a deny-list: a partner may write any IRI (`javascript:…`, `data:…`, `vbscript:…`, in
any case, with the tabs and spaces a browser strips before it reads the scheme), and a link to it would
run in the reader's browser. Pages show any other IRI as text.
"""

from urllib.parse import quote, urlsplit

from pic.ontology.namespaces import ONTOLOGY_IRI, PIC, SHAPES_IRI

SCHEMES = ("http", "https")


def is_web_iri(iri: str) -> bool:
    if any(ord(c) <= 0x20 or c in "\\<>\"'`" for c in iri):
        return False
    parts = urlsplit(iri)
    return parts.scheme.lower() in SCHEMES and bool(parts.netloc)


def web_link(iri: str | None) -> str:
    """The IRI as a link target, or "" when it must not be one."""
    return iri if iri and is_web_iri(iri) else ""


def page_of(iri: str, base: str) -> str:
    """Where an IRI leads on this site: its entity page when it is under the instance base, the ontology's
    documentation for its terms (the Turtle file for the shapes), the IRI itself when it is an `http` or
    `https` IRI, and "" otherwise (pages test for it and show text instead)."""
    if iri.startswith(f"{base}graph/"):  # a named graph is no entity with a page: its name is shown as text
        return ""
    if iri.startswith(base):
        return "/id/" + quote(iri[len(base) :])
    if iri.startswith(str(PIC)) or iri == ONTOLOGY_IRI:
        return "/ontology#" + quote(iri.rsplit("#", 1)[-1])
    if iri.split("#", 1)[0] == SHAPES_IRI:  # the shapes are in the ontology's graph, which this file holds
        return "/ontology.ttl"
    return web_link(iri)
