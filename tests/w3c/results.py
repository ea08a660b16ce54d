"""Query results, expected or answered, read into one shape the matcher compares.

Expected results come as SPARQL XML (`.srx`), JSON (`.srj`), TSV or CSV, or as RDF: a graph (CONSTRUCT)
or a result set written in the DAWG result-set vocabulary (`rs:ResultSet`, older tests). Answers come
as whatever media type the server sent. Everything is read with pyoxigraph's parsers, except CSV, which
has no terms (the spec's CSV is lossy: strings only) and is compared as text.
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
)

from tests.w3c.manifests import public_iri

RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RESULTS_MEDIA = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}


@dataclass
class Solutions:
    variables: list[str]
    rows: list[dict]  # variable → term (pyoxigraph), unbound variables absent; CSV: variable → str


@dataclass
class Boolean:
    value: bool


@dataclass
class Triples:
    triples: list[Triple]


Result = Solutions | Boolean | Triples


class Unreadable(Exception):
    """An answer the runner cannot read as results (wrong media type, bad syntax)."""


def from_query_results(parsed) -> Solutions | Boolean:
    if isinstance(parsed, QueryBoolean):
        return Boolean(bool(parsed))
    variables = [v.value for v in parsed.variables]
    rows = [{v: s[v] for v in variables if s[v] is not None} for s in parsed]
    return Solutions(variables, rows)


def read_csv(data: str) -> Solutions:
    lines = list(csv.reader(io.StringIO(data)))
    variables = lines[0] if lines else []
    return Solutions(variables, [{v: x for v, x in zip(variables, line, strict=True) if x != ""} for line in lines[1:]])


def read_expected(path: Path) -> Result:
    suffix = path.suffix
    if suffix in (".srx", ".srj", ".tsv"):
        return from_query_results(parse_query_results(path=path))
    if suffix == ".csv":
        return read_csv(path.read_text(encoding="utf-8"))
    fmt = {".ttl": RdfFormat.TURTLE, ".nt": RdfFormat.N_TRIPLES, ".rdf": RdfFormat.RDF_XML}[suffix]
    with open(path, "rb") as f:
        triples = [q.triple for q in parse(f, fmt, base_iri=public_iri(path))]
    return result_set(triples) or Triples(triples)


def read_answer(body: bytes, content_type: str) -> Result:
    media = content_type.split(";")[0].strip().lower()
    try:
        if media in RESULTS_MEDIA:
            return from_query_results(parse_query_results(body, RESULTS_MEDIA[media]))
        if media == "text/csv":
            return read_csv(body.decode("utf-8"))
        fmt = RdfFormat.from_media_type(media)
        if fmt is None:
            raise Unreadable(f"answer in {content_type or 'no media type'}: {body[:200]!r}")
        return Triples([q.triple for q in parse(body, fmt)])
    except (SyntaxError, ValueError, UnicodeDecodeError) as e:
        raise Unreadable(f"unreadable {media} answer: {e}") from None


def result_set(triples: list[Triple]) -> Solutions | Boolean | None:
    """A result set in the DAWG vocabulary (`rs:ResultSet` with `rs:solution`/`rs:binding`), or None."""
    by_subject: dict = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)
    sets = [t.subject for t in triples if t.predicate == RDF_TYPE and t.object == NamedNode(RS + "ResultSet")]
    if not sets:
        return None

    def values(node, predicate: str) -> list:
        return [t.object for t in by_subject.get(node, []) if t.predicate == NamedNode(RS + predicate)]

    top = sets[0]
    if values(top, "boolean"):
        return Boolean(values(top, "boolean")[0].value == "true")
    variables = [v.value for v in values(top, "resultVariable")]
    indexed = []
    for solution in values(top, "solution"):
        row = {}
        for binding in values(solution, "binding"):
            row[values(binding, "variable")[0].value] = values(binding, "value")[0]
        index = values(solution, "index")
        indexed.append((int(index[0].value) if index else 0, row))
    indexed.sort(key=lambda pair: pair[0])
    return Solutions(variables, [row for _, row in indexed])
