"""A study's documents: the file beside the store, its description in the graph, its text for search
and for annotating passages.

The file is kept under `documents/` named by its SHA-256 (the same upload twice is one file), with its
extracted text next to it (`{sha}.txt`, the text annotations anchor to). The graph says, in the graph
that holds the study (so a private study's documents are private too):

    <study> dcat:distribution <{base}document/{org}-{sha:16}> .
    <{base}document/{org}-{sha:16}> a foaf:Document, dcat:Distribution ; dcterms:title "file name" ;
        dcat:mediaType <https://www.iana.org/assignments/media-types/application/pdf> ;
        dcat:byteSize 12345 ; dcterms:identifier "sha256:…" ; dcat:downloadURL <…/file> .

The document node is the organisation's whose graph describes it (`document_id`): the same bytes
uploaded by two organisations are two documents sharing one file, so one's upload never renames the
other's document (issue 16, outside re-test finding 6: with `document/{sha:16}` alone, cd62 uploading
aula's file as "copie" retitled aula's document on aula's page and in its download). Documents uploaded
before keep their `document/{sha:16}` IRI and stay readable; a file goes once no graph names its checksum.

The kind of file is read from its bytes, not trusted from its name or the client's media type.
"""

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from pyoxigraph import Literal, NamedNode, Quad, Store, Variable

from pic.graph.access import DOCUMENTS_API, User
from pic.graph.names import Names, named
from pic.graph.said import Said
from pic.graph.store.atomic_file import atomic_file
from pic.graph.store.disk_space import DiskFull, is_disk_full, refusal
from pic.graph.store.interface import KnowledgeStore, Query, Term, bind, solutions
from pic.graph.writes.visible import seen_by
from pic.ontology.namespaces import PREFIXES, expand, sparql_prefixes

if TYPE_CHECKING:  # the write path's module imports most of graph/
    from pic.graph.writes.path import Writer

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
SUFFIX = {PDF: ".pdf", DOCX: ".docx", ODT: ".odt"}
DCAT, DCTERMS = PREFIXES["dcat"], PREFIXES["dcterms"]
RDF_TYPE = NamedNode(expand("rdf:type"))
XSD = PREFIXES["xsd"]
STUDY_GRAPH = sparql_prefixes("pic") + """SELECT ?g WHERE { GRAPH ?g { ?study a pic:Study } }"""
FILE = (
    sparql_prefixes("dcterms")
    + """SELECT ?id ?title WHERE {
  ?document dcterms:identifier ?id OPTIONAL { ?document dcterms:title ?title }
}"""
)
DOCUMENTS = (
    sparql_prefixes("dcat", "dcterms")
    + """
SELECT ?study ?g ?document ?id WHERE {
  GRAPH ?g { ?study dcat:distribution ?document . ?document dcterms:identifier ?id }
}"""
)


DISTRIBUTION, IDENTIFIER = NamedNode(f"{DCAT}distribution"), NamedNode(f"{DCTERMS}identifier")
LINKED = sparql_prefixes("dcat") + "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?study dcat:distribution ?document } }"
OTHER_STUDIES = (
    sparql_prefixes("dcat")
    + """SELECT ?other WHERE {
  GRAPH ?g { ?other dcat:distribution ?document } FILTER (?other != ?study) } LIMIT 1"""
)
FACTS = "SELECT ?p ?o WHERE { GRAPH ?g { ?document ?p ?o } }"
NAMED = sparql_prefixes("dcterms") + "SELECT ?document WHERE { GRAPH ?g { ?document dcterms:identifier ?id } } LIMIT 1"


class DocumentError(ValueError):
    """The file is not a document we can keep (kind, size, unreadable)."""


@dataclass
class Attached:
    document: NamedNode
    sha256: str
    media_type: str
    size: int
    text_chars: int


def media_type(data: bytes) -> str:
    """PDF by its signature; DOCX and ODT are ZIP files told apart by what they hold."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
                if "mimetype" in names and z.read("mimetype").strip() == ODT.encode():
                    return ODT
                if "word/document.xml" in names:
                    return DOCX
        except zipfile.BadZipFile:
            pass
    raise DocumentError(Said("a study's document is a PDF, DOCX or ODT file"))


def extract_text(data: bytes, kind: str) -> str:
    """The document's text, pages or paragraphs separated by a blank line."""
    try:
        if kind == PDF:
            from pypdf import PdfReader

            return "\n\n".join((page.extract_text() or "").strip() for page in PdfReader(io.BytesIO(data)).pages)
        if kind == DOCX:
            import docx

            return "\n\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs if p.text.strip())
        from odfdo import Document

        return Document(io.BytesIO(data)).get_formatted_text().strip()
    except DocumentError:
        raise
    except Exception as e:  # the readers raise many kinds of errors on broken files
        raise DocumentError(
            Said("the file cannot be read as {kind}: {error}", kind=SUFFIX[kind][1:].upper(), error=e)
        ) from None


def store_file(directory: Path, sha: str, suffix: str, data: bytes) -> Path:
    """Write atomically (temporary file, then rename); an identical file already there is kept. A write
    that fails (a full disk: ENOSPC) leaves no `.part` behind — nothing else would ever remove it — and a
    full disk is refused as every write is (`disk_space.DiskFull`: 507, nothing was written)."""
    target = directory / f"{sha}{suffix}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            with atomic_file(target) as f:
                f.write(data)
    except OSError as e:
        if is_disk_full(e) and not isinstance(e, DiskFull):
            raise refusal(directory) from e
        raise
    return target


def attach(
    writer: "Writer", directory: Path, study: NamedNode, filename: str, data: bytes, user: User, max_bytes: int
) -> Attached:
    """Keep the file and describe it in the study's graph, through the one write path. The study is
    looked up in what `user` may read: another organisation's private study is "no study" (404), as one
    that does not exist, not a refusal to write its graph (403) that would tell it exists."""
    if len(data) > max_bytes:
        raise DocumentError(Said("the file is larger than {limit} bytes", limit=max_bytes))
    if not data:
        raise DocumentError(Said("the file is empty"))
    kind = media_type(data)
    text = extract_text(data, kind)
    seen = seen_by(writer.store, user, writer.names)
    graphs = [r["g"] for r in solutions(seen.query(bind(STUDY_GRAPH, {Variable("study"): study})))]
    graphs = [g for g in graphs if not writer.names.is_derived(g)]
    if not graphs:
        raise LookupError(f"no study {study.value}")
    sha = hashlib.sha256(data).hexdigest()
    graph = graphs[0]
    document = NamedNode(f"{writer.names.base}document/{document_id(sha, writer.names.owner_of(graph))}")
    title = Path(filename or "document").name[:200] or "document"
    quads = Store()
    quads.extend(
        [
            Quad(study, NamedNode(f"{DCAT}distribution"), document, graph),
            Quad(document, RDF_TYPE, NamedNode(expand("foaf:Document")), graph),
            Quad(document, RDF_TYPE, NamedNode(f"{DCAT}Distribution"), graph),
            Quad(document, NamedNode(f"{DCTERMS}title"), Literal(title), graph),
            Quad(
                document,
                NamedNode(f"{DCAT}mediaType"),
                NamedNode(f"https://www.iana.org/assignments/media-types/{kind}"),
                graph,
            ),
            Quad(
                document,
                NamedNode(f"{DCAT}byteSize"),
                Literal(str(len(data)), datatype=NamedNode(f"{XSD}nonNegativeInteger")),
                graph,
            ),
            Quad(document, NamedNode(f"{DCTERMS}identifier"), Literal(f"sha256:{sha}"), graph),
            Quad(document, NamedNode(f"{DCAT}downloadURL"), NamedNode(f"{document.value}/file"), graph),
        ]
    )
    with writer.lock:  # with `detach`, which deletes a file no description names any more
        existed = (directory / f"{sha}{SUFFIX[kind]}").exists()
        try:  # the file, its text, then the description: on any failure, nothing of it is kept
            store_file(directory, sha, SUFFIX[kind], data)
            store_file(directory, sha, ".txt", text.encode())
            writer.write(quads, [], user, source=f"document {title} for {study.value}", api=DOCUMENTS_API)
        except BaseException:
            if not existed:
                for suffix in (SUFFIX[kind], ".txt"):
                    (directory / f"{sha}{suffix}").unlink(missing_ok=True)
            raise
    return Attached(document, sha, kind, len(data), len(text))


def document_id(sha: str, org: str | None) -> str:
    """The id of a document: its organisation's (the graph's that describes it) and its checksum, so
    that no two organisations share a document node — a title, a removal, a description one of them
    writes is then never the other's. One path segment, as the routes expect: `aula-0d26afdef3db1a95`."""
    return f"{org}-{sha[:16]}" if org else sha[:16]


def detach(writer: "Writer", directory: Path, study: NamedNode, document: NamedNode, user: User) -> None:
    """Remove a document from a study, through the one write path: the study's `dcat:distribution`,
    and the document's description in that graph unless another study there has it too. The study and
    its document are looked up in what `user` may read (else LookupError: 404, as for `attach`); the
    graph's writers may remove it (else NotAllowed). The file and its text are deleted once no graph
    describes them: a removed document is no longer downloadable, and its bytes are not kept."""
    with writer.lock:
        seen = seen_by(writer.store, user, writer.names)
        found = {Variable("study"): study, Variable("document"): document}
        graphs = [r["g"] for r in solutions(seen.query(bind(LINKED, found))) if not writer.names.is_derived(r["g"])]
        if not graphs:
            raise LookupError(f"study {study.value} has no document {document.value}")
        removed = going_with(writer.store, [Quad(study, DISTRIBUTION, document, g) for g in graphs])
        writer.write(
            Store(), removed, user, source=f"document {document.value} removed from {study.value}", api=DOCUMENTS_API
        )
        forget_files(writer.store, directory, removed)


def going_with(store: KnowledgeStore, distributions: list[Quad]) -> list[Quad]:
    """The statements a write removes with these `dcat:distribution` quads (study, document, graph): they
    themselves, and each document's description in its graph unless another study there has it too.
    Shared by `detach` and the deletion of a study (`contributions.delete`): a deleted study's documents
    go with it, or their descriptions would stay behind as ordinary data and their files forever."""
    removed = []
    for link in distributions:
        removed.append(link)
        here: dict[Variable, Term] = {
            Variable("study"): link.subject,
            Variable("document"): link.object,
            Variable("g"): named(link.graph_name),
        }
        if not list(solutions(store.query(bind(OTHER_STUDIES, here)))):
            document = cast(NamedNode, link.object)  # the callers' distribution links name their document
            removed += [
                Quad(document, r["p"], r["o"], link.graph_name) for r in solutions(store.query(bind(FACTS, here)))
            ]
    return list(dict.fromkeys(removed))


def forget_files(store: KnowledgeStore, directory: Path, removed: list[Quad]) -> None:
    """After a write that removed these statements: delete the file and text of each checksum they
    named that no graph names any more (a file two studies share stays until both let it go). Run it
    under `writer.lock`, with the write: `attach` keeps a file it stores only if its write succeeds."""
    checksums = {
        cast(Literal, q.object).value.removeprefix("sha256:")  # a document's identifier: its checksum, a literal
        for q in removed
        if q.predicate == IDENTIFIER
    }
    for sha in checksums:
        if not list(solutions(store.query(bind(NAMED, {Variable("id"): Literal(f"sha256:{sha}")})))):
            for suffix in (".txt", *SUFFIX.values()):
                path = stored(directory, sha, suffix)
                if path is not None:
                    path.unlink()


def attached_documents(quads: list[Quad], names: Names) -> list[Quad]:
    """Of a graph's statements, the descriptions of the documents its studies have: each study's
    `dcat:distribution` and the facts of the documents they name. They are the documents API's
    (`ownership.is_document_description`): a Graph Store PUT keeps them, a DELETE waits for them.
    A document node no study of the graph names any more (its study deleted) is ordinary data."""
    named = {q.object for q in quads if q.predicate == DISTRIBUTION}
    return [
        q
        for q in quads
        if q.predicate == DISTRIBUTION or (q.subject in named and q.subject.value.startswith(f"{names.base}document/"))  # type: ignore[union-attr]  # pyoxigraph 0.5 stubs: a subject is never a Triple
    ]


def described(rows_of: Query, document: str) -> tuple[str, str | None] | None:
    """(checksum, file name) of a document, asked through `rows_of` — the caller's view of the graph,
    so a document the reader may not read is None."""
    rows = list(solutions(rows_of(bind(FILE, {Variable("document"): NamedNode(document)}))))
    if not rows:
        return None
    return rows[0]["id"].value.removeprefix("sha256:"), rows[0]["title"].value if rows[0]["title"] else None


CHECKSUM = re.compile(r"[0-9a-f]{64}")


def stored(directory: Path, sha: str, suffix: str) -> Path | None:
    """The stored file of a checksum, if there is one. The checksum comes from the graph, which partners
    write: only 64 lowercase hex digits name a file ("sha256:../../etc/x" or an absolute path name
    none), and the path, links resolved, must still be inside the documents folder."""
    if not CHECKSUM.fullmatch(sha):
        return None
    folder = directory.resolve()
    path = (folder / f"{sha}{suffix}").resolve()
    return path if path.is_relative_to(folder) and path.is_file() else None


def file_of(directory: Path, sha: str) -> tuple[Path, str] | None:
    """The stored file of a checksum and its media type."""
    for kind, suffix in SUFFIX.items():
        path = stored(directory, sha, suffix)
        if path is not None:
            return path, kind
    return None


def stored_text(directory: Path, sha: str) -> str | None:
    """The extracted text of a checksum's file; None if there is none."""
    path = stored(directory, sha, ".txt")
    return path.read_text() if path is not None else None


def text_of(directory: Path, sha: str) -> str:
    return stored_text(directory, sha) or ""


def document_texts(store: KnowledgeStore, directory: Path) -> list[tuple[str, str, str]]:
    """(study IRI, graph, extracted text) of every document, for the search index."""
    out = []
    for row in solutions(store.query(DOCUMENTS)):
        sha = row["id"].value.removeprefix("sha256:")
        text = text_of(directory, sha)
        if text:
            out.append((row["study"].value, row["g"].value, text))
    return out
