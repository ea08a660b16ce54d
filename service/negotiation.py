"""Which serialisation a client wants: the `format` parameter first, then the Accept header."""

from typing import Any

from pic.graph.store.formats import GRAPHS

RESULT_MEDIA = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_MEDIA = {media: s.key for s in GRAPHS for media in s.accepted}
# What a negotiated page answers, for the OpenAPI schema: HTML, its JSON twin, the RDF serialisations.
PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            media: {}
            for media in (
                "text/html",
                "application/json",
                *(s.accepted[0] for s in GRAPHS),
            )
        }
    }
}
FORMAT_NAMES = {
    "json": ("json", None),
    "xml": ("xml", "rdfxml"),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "ttl": (None, "ttl"),
    "turtle": (None, "ttl"),
    "nt": (None, "nt"),
    "jsonld": ("json", "jsonld"),
    "rdfxml": (None, "rdfxml"),
}


def accepted(header: str | None) -> list[str]:
    """Media types of an Accept header, best first (q-values, then order)."""
    ranked = []
    for i, part in enumerate((header or "").split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if media and q > 0:
            ranked.append((-q, i, media.lower()))
    return [m for _, _, m in sorted(ranked)]


def choose(format_param: str | None, accept: str | None) -> tuple[str, str]:
    """(result format, graph format) keys for the query runner."""
    if format_param:
        key = format_param.lower()
        if key not in FORMAT_NAMES:
            raise ValueError(f"unknown format {format_param!r}; use one of {', '.join(FORMAT_NAMES)}")
        result, graph = FORMAT_NAMES[key]
        return result or "json", graph or "ttl"
    result = graph = None
    for media in accepted(accept):
        if result is None and media in RESULT_MEDIA:
            result = RESULT_MEDIA[media]
        if graph is None and media in GRAPH_MEDIA:
            graph = GRAPH_MEDIA[media]
    return result or "json", graph or "ttl"
