"""The RDF serialisations the platform reads and writes, in one table: the key a URL or a command names it
by, pyoxigraph's format, the media type answered, the media types and file names accepted for it, and
whether it holds named graphs. Parsing, the Graph Store, SPARQL's DESCRIBE and CONSTRUCT answers, the
service description, entity pages and reports all read it (there were five copies, issue 19)."""

import re
from dataclasses import dataclass

from pyoxigraph import RdfFormat

# Characters XML 1.0 cannot carry, not even as a character reference: the C0 controls but tab, newline and
# return, and the noncharacters U+FFFE and U+FFFF. Turtle, N-Triples and JSON escape them; pyoxigraph's XML
# writers write them as they are (`service/xml_answers.py`; the maps and the report: `viz.networks.xml_safe`).
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def serialized(data: bytes | None) -> bytes:
    """What pyoxigraph's `serialize` returns given no output: the bytes (its stubs say `bytes | None`)."""
    assert data is not None, "serialize without an output returns the bytes"
    return data


@dataclass(frozen=True)
class Serialisation:
    key: str
    rdf_format: RdfFormat
    media_type: str  # what the platform answers with
    accepted: tuple[str, ...]  # the media types a client may send or ask for
    names: tuple[str, ...]  # file extensions and format names (`pic load --format`, `?format=`)
    dataset: bool  # holds named graphs


SERIALISATIONS = (
    Serialisation(
        "ttl",
        RdfFormat.TURTLE,
        "text/turtle; charset=utf-8",
        ("text/turtle", "application/x-turtle"),
        ("ttl", "turtle"),
        False,
    ),
    Serialisation(
        "nt",
        RdfFormat.N_TRIPLES,
        "application/n-triples",
        ("application/n-triples", "text/plain"),
        ("nt", "ntriples", "n-triples"),
        False,
    ),
    Serialisation(
        "jsonld", RdfFormat.JSON_LD, "application/ld+json", ("application/ld+json",), ("jsonld", "json-ld"), False
    ),
    Serialisation(
        "rdfxml",
        RdfFormat.RDF_XML,
        "application/rdf+xml",
        ("application/rdf+xml",),
        ("rdfxml", "rdf", "xml", "owl"),
        False,
    ),
    Serialisation("trig", RdfFormat.TRIG, "application/trig", ("application/trig",), ("trig",), True),
    Serialisation(
        "nq", RdfFormat.N_QUADS, "application/n-quads", ("application/n-quads",), ("nq", "nquads", "n-quads"), True
    ),
)
BY_KEY = {s.key: s for s in SERIALISATIONS}
GRAPHS = tuple(s for s in SERIALISATIONS if not s.dataset)  # what a graph or a DESCRIBE is answered in
BY_NAME = {name: s for s in SERIALISATIONS for name in s.names}
BY_MEDIA = {media: s for s in SERIALISATIONS for media in s.accepted}
TURTLE = BY_KEY["ttl"]
