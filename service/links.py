"""Where an IRI leads on this site: its entity page when it is under the instance base, the ontology's
documentation for its terms, the IRI itself when it is an `http` or `https` IRI, and nowhere otherwise
(`graph/web_links.py` says why): pages show such an IRI as text, never as a link."""

from pic.graph.web_links import page_of

__all__ = ["local_path", "page_of"]


def local_path(back: str) -> bool:
    """A path on this site: `//host` and `/\\host` are other sites to a browser, and so is any scheme."""
    return back.startswith("/") and not back.startswith(("//", "/\\")) and not any(ord(c) < 0x20 for c in back)
