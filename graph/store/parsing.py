"""Strict parsing of RDF files into an in-memory staging store, with the fault's position.

Nothing reaches the real store from here: a write is parsed completely first, so a bad line can never
leave half a file behind. Parsing uses pyoxigraph's Rust parsers (about 9x faster than rdflib's).
"""

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from io import BufferedIOBase
from pathlib import Path
from xml.parsers import expat

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store, parse

from pic.graph.store.formats import BY_NAME
from pic.graph.store.interface import solutions

FORMATS = {name: s.rdf_format for name, s in BY_NAME.items()}
Progress = Callable[[int, int], None]


class RdfParseError(ValueError):
    """A file that is not valid RDF: says which file, line and column."""

    def __init__(self, message: str, source: str, line: int | None = None, column: int | None = None):
        self.message, self.source, self.line, self.column = message, source, line, column
        where = f"{source}, line {line}, column {column}" if line else source
        super().__init__(f"{where}: {message}")


def rdf_format(name: str | None, filename: str | None = None) -> RdfFormat:
    """The format named by the user, or guessed from the file extension."""
    if name:
        key = name.lower()
        if key in FORMATS:
            return FORMATS[key]
        raise ValueError(f"unknown RDF format {name!r}; use one of {', '.join(sorted(FORMATS))}")
    if filename:
        suffix = Path(filename).suffix.lstrip(".").lower()
        if suffix in FORMATS:
            return FORMATS[suffix]
    raise ValueError(f"cannot tell the RDF format of {filename!r}; give it explicitly")


@dataclass
class Staged:
    """A parsed document: its quads in an in-memory store, ready to validate and write."""

    store: Store
    source: str
    format: RdfFormat
    size: int

    def __len__(self) -> int:
        return len(self.store)


class _CountingReader:
    """Wraps a binary file and reports bytes read, so long parses can show progress."""

    def __init__(self, f: BufferedIOBase, total: int, progress: Progress | None):
        self._f, self._total, self._progress, self.done = f, total, progress, 0

    def read(self, n: int = -1) -> bytes:
        chunk = self._f.read(n)
        self.done += len(chunk)
        if self._progress:
            self._progress(self.done, self._total)
        return chunk

    def readinto(self, buffer: bytearray | memoryview) -> int | None:
        n = self._f.readinto(buffer)
        self.done += n or 0
        if self._progress:
            self._progress(self.done, self._total)
        return n


def parse_file(
    path: str | Path,
    graph: NamedNode | None,
    fmt: str | None = None,
    progress: Progress | None = None,
    base_iri: str | None = None,
    max_literal_chars: int | None = None,
) -> Staged:
    """Parse a file into a staging store.

    Triples go to `graph`; a dataset format (TriG, N-Quads) keeps its own graph names and sends its
    default-graph triples to `graph` (refused if no graph is given). `max_literal_chars`: the
    deployment's limit (`Settings.max_literal_chars`); None: `MAX_LITERAL_CHARS`.
    """
    path = Path(path)
    rdf = rdf_format(fmt, path.name)
    size = path.stat().st_size
    refuse_explosive(rdf, str(path), path=path)
    try:
        with path.open("rb") as f:
            return parse_stream(
                _CountingReader(f, size, progress), rdf, graph, str(path), size, base_iri, max_literal_chars
            )
    except RdfParseError as e:
        raise _with_xml_position(e, rdf, path.read_bytes) from None


def has_statements(path: Path, rdf: RdfFormat) -> bool:
    """Whether a file holds at least one statement, reading no further than the first: a file of prefixes
    and comments alone was loaded as an empty change in the provenance graph. A syntax error counts as
    yes: the load that follows reports it with its position."""
    refuse_explosive(rdf, str(path), path=path)
    try:
        return next(iter(parse(path=str(path), format=rdf)), None) is not None
    except SyntaxError:
        return True


def parse_bytes(
    data: bytes,
    fmt: RdfFormat,
    graph: NamedNode | None,
    source: str = "<input>",
    base_iri: str | None = None,
    max_literal_chars: int | None = None,
) -> Staged:
    refuse_explosive(fmt, source, data=data)
    try:
        return parse_stream(data, fmt, graph, source, len(data), base_iri, max_literal_chars)
    except RdfParseError as e:
        raise _with_xml_position(e, fmt, lambda: data) from None


MAX_JSON_DEPTH = 100  # JSON-LD nests a few levels (a context, a graph, an entity, a value): a hundred is plenty


def json_depth(document: object) -> int:
    """How deep a parsed JSON document nests, counted without recursion."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in (value.values() if isinstance(value, dict) else value))
    return deepest


def refuse_deep_json(rdf: RdfFormat, source: str, data: bytes | None = None, path: Path | None = None) -> None:
    """Raise RdfParseError for a JSON-LD document nested deeper than `MAX_JSON_DEPTH`: 5,000 nested objects
    (400 KB) overflowed the JSON-LD parser's stack and killed the server, for everyone (tenth outside
    re-test, finding 1). Python's JSON reader counts its depth safely (RecursionError); a document it
    cannot read is left to the JSON-LD parser, which says what is wrong."""
    if rdf != RdfFormat.JSON_LD:
        return
    try:
        document = json.loads(path.read_bytes() if path is not None else data or b"")
    except RecursionError:
        raise RdfParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels: refused", source) from None
    except ValueError:
        return
    if json_depth(document) > MAX_JSON_DEPTH:
        raise RdfParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels: refused", source)


def refuse_explosive(rdf: RdfFormat, source: str, data: bytes | None = None, path: Path | None = None) -> None:
    """Documents whose reading would take the server down: entity bombs, JSON-LD nested too deep."""
    refuse_entity_bombs(rdf, source, data, path)
    refuse_deep_json(rdf, source, data, path)


def refuse_entity_bombs(rdf: RdfFormat, source: str, data: bytes | None = None, path: Path | None = None) -> None:
    """Raise RdfParseError for an RDF/XML document whose entities expand it past expat's amplification
    limit (a billion laughs): the RDF/XML parser expanded a 676-byte upload of nested entities to a
    billion characters, 3 GB of memory, before the literal limit saw it (ninth outside re-test, finding
    3). expat reads the whole document first, at C speed and in constant memory, and stops such a one
    within a fraction of a second; entities for namespaces (`&owl;Thing`) are kept. Other XML faults are
    left to the RDF parser, which says where they are."""
    if rdf != RdfFormat.RDF_XML:
        return
    parser = expat.ParserCreate()
    try:
        if path is not None:
            with path.open("rb") as f:
                parser.ParseFile(f)
        else:
            parser.Parse(data or b"", True)
    except expat.ExpatError as e:
        if "amplification" in str(e):
            raise RdfParseError(
                "its entities expand it far beyond its size (a 'billion laughs'): refused",
                source,
                e.lineno,
                e.offset + 1,
            ) from None


def _with_xml_position(error: RdfParseError, rdf: RdfFormat, read: Callable[[], bytes]) -> RdfParseError:
    """pyoxigraph's RDF/XML errors carry no position; expat finds where the XML breaks."""
    if error.line is not None or rdf != RdfFormat.RDF_XML:
        return error
    parser = expat.ParserCreate()
    try:
        parser.Parse(read(), True)
    except expat.ExpatError as xml_error:
        return RdfParseError(error.message, error.source, xml_error.lineno, xml_error.offset + 1)
    return error


def parse_stream(
    data: bytes | _CountingReader,
    rdf: RdfFormat,
    graph: NamedNode | None,
    source: str,
    size: int,
    base_iri: str | None = None,
    max_literal_chars: int | None = None,
) -> Staged:
    staging = Store()
    try:
        if rdf.supports_datasets:
            # pyoxigraph reads any object with `read`; its stubs ask for IO[bytes]
            quads = parse(data, rdf, base_iri=base_iri)  # type: ignore[arg-type]
            staging.bulk_extend(_map_default_graph(quads, graph, source))
        else:
            if graph is None:
                raise RdfParseError("a graph is needed for a triple format", source)
            staging.bulk_load(data, rdf, base_iri=base_iri, to_graph=graph)  # type: ignore[arg-type]  # as above
    except SyntaxError as e:
        raise as_parse_error(e, source) from None
    refuse_huge_terms(staging, source, max_literal_chars)
    refuse_quoted_triples(staging, source)
    return Staged(staging, source, rdf, size)


QUOTED = "ASK { GRAPH ?g { ?s ?p ?o } FILTER (isTriple(?s) || isTriple(?o)) }"


def refuse_quoted_triples(staging: Store, source: str) -> None:
    """RDF 1.2 quoted triples (`<< s p o >>`): the platform's graphs, shapes and SPARQL updates are RDF 1.1
    (one sent to the Graph Store failed with a 500 when the write turned it into an update)."""
    if staging.query(QUOTED):
        raise RdfParseError("quoted triples (<< … >>, RDF 1.2) are not accepted: send RDF 1.1", source)


# The default of `Settings.max_literal_chars` (PIC_MAX_LITERAL_CHARS). Every read must carry what a write
# took: the engine's answers hold one term in at most 16 MiB as pyoxigraph parses them (its buffer
# doubles, so 8 MiB in practice), and SPARQL JSON or TSV writes a control character in 6 bytes. At 16 Mi
# characters a 9-million-character abstract was accepted and its page answered 500 (eleventh outside
# re-test, finding 2b); a million characters, 6 MB at worst, is read back everywhere
# (tests/test_huge_literals.py) and is some 300 pages of text — a document's text is its file.
MAX_LITERAL_CHARS = 1_000_000
# The longest IRI a write may hold. IRIs had no limit: a partner's 17-million-character study IRI made every
# query that met it answer 500, and, recorded in the provenance graph, kept the engine's copies from loading
# again (twelfth outside re-test, finding H1). Browsers and servers take URLs of some 8,000 characters; the
# platform's own IRIs are under 300.
MAX_IRI_CHARS = 4096
MAX_TAG_CHARS = 64  # a language tag: BCP 47 asks that 35 be taken; a 9,002-character one was (13th re-test)
_LONG_IRI = "COALESCE(IF(isIRI({v}) && STRLEN(STR({v})) > {{iri_limit}}, STRLEN(STR({v})), 0), 0)"
HUGE = """SELECT ?s ?p ?iri ?tag ?n WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  BIND (IF(isLiteral(?o), STRLEN(?o), 0) AS ?literal)
  BIND (IF(isLiteral(?o), STRLEN(LANG(?o)), 0) AS ?tag)
  BIND (IF(isLiteral(?o), DATATYPE(?o), ?none) AS ?datatype)
  BIND (LONG_IRIS AS ?iri)
  FILTER (?literal > {limit} || ?iri > {iri_limit} || ?tag > {tag_limit})
  BIND (IF(?iri > {iri_limit}, ?iri, IF(?tag > {tag_limit}, ?tag, ?literal)) AS ?n)
}} LIMIT 1""".replace("LONG_IRIS", " + ".join(_LONG_IRI.format(v=v) for v in ["?s", "?p", "?o", "?g", "?datatype"]))


def refuse_huge_terms(staging: Store, source: str, limit: int | None = None) -> None:
    """A literal past the limit would break the entity page (500) and the export → load round trip
    (MemoryError), and so would an IRI past `MAX_IRI_CHARS`: refused here, with the statement that holds
    it (its terms cut short). Asked of the engine, which scans the staged quads without bringing them into
    Python. `limit`: the deployment's (`Settings.max_literal_chars`); None: `MAX_LITERAL_CHARS`. The write
    path asks it again of what forms, imports and APIs build, which are not parsed here (`Writer.write`)."""
    limit = limit or MAX_LITERAL_CHARS
    query = HUGE.format(limit=int(limit), iri_limit=MAX_IRI_CHARS, tag_limit=MAX_TAG_CHARS)
    for row in solutions(staging.query(query)):
        n = int(row["n"].value)
        if int(row["iri"].value):  # a datatype's IRI counts as any other (thirteenth outside re-test)
            what = f"an IRI of {n:,} characters (the limit is {MAX_IRI_CHARS:,})"
        elif int(row["tag"].value) > MAX_TAG_CHARS:
            what = f"a language tag of {n:,} characters (the limit is {MAX_TAG_CHARS})"
        else:
            what = f"a literal of {n:,} characters (the limit is {limit:,})"
        raise RdfParseError(f"{what} in the statement {_short(row['s'])} {_short(row['p'])} …", source)


def _short(term: object) -> str:
    text = str(term)
    return text if len(text) <= 200 else f"{text[:200]}…"


def as_parse_error(error: SyntaxError, source: str) -> RdfParseError:
    """pyoxigraph's SyntaxError as our error: the message without its position prefix, and the
    position as line and column."""
    line, column = (error.lineno, error.offset) if error.lineno else _position(str(error))
    message = re.sub(r"^Parser error (at|between) [^:]*: ", "", error.msg if error.lineno else str(error))
    return RdfParseError(message, source, line, column)


def _map_default_graph(quads: Iterable[Quad], graph: NamedNode | None, source: str) -> Iterator[Quad]:
    for q in quads:
        if isinstance(q.graph_name, DefaultGraph):
            if graph is None:
                raise RdfParseError("triples outside a named graph and no target graph given", source)
            yield Quad(q.subject, q.predicate, q.object, graph)
        else:
            yield q


def _position(message: str) -> tuple[int | None, int | None]:
    """JSON-LD and RDF/XML errors carry their position only in the text ('line 3 column 5')."""
    m = re.search(r"line (\d+) column (\d+)", message)
    return (int(m.group(1)), int(m.group(2))) if m else (None, None)
