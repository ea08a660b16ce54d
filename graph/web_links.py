"""Which IRIs may become links in a page: absolute `http` and `https` IRIs, nothing else.

An allow-list, not a deny-list: a partner may write any IRI (`javascript:…`, `data:…`, `vbscript:…`, in
any case, with the tabs and spaces a browser strips before it reads the scheme), and a link to it would
run in the reader's browser. Pages show any other IRI as text.
"""

from urllib.parse import urlsplit

SCHEMES = ("http", "https")


def is_web_iri(iri: str) -> bool:
    if any(ord(c) <= 0x20 or c in "\\<>\"'`" for c in iri):
        return False
    parts = urlsplit(iri)
    return parts.scheme.lower() in SCHEMES and bool(parts.netloc)


def web_link(iri: str | None) -> str:
    """The IRI as a link target, or "" when it must not be one."""
    return iri if iri and is_web_iri(iri) else ""
