"""Erasure of a person (issue 20 §4, GDPR art. 17): an account's name leaves the store and the history.

A user is `user/{login}` in the graph: the agent of every change record they made (with their login as its
label), the author of their annotations (with their login as name and label), a moderator's decisions.
Erasing them gives that node a new, meaningless IRI (`user/erased-{random}`) and "compte supprimé" as its
name and label, in every graph and in every delta file of the history (whose checksums are recomputed):
what they wrote for their organisation stays where it is, attributed to the organisation, and the
history still says that someone made each change — no longer who. Their annotations stay too, under the
pseudonym, with their organisation (Hypothes.is removes them; here they are the organisation's work too).
The erasure is recorded as a change of the admin who asked for it, naming only the pseudonym.
The accounts database, the read log and the search index are the service's: `service/` erases there.
"""

import gzip
import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, Variable, parse

from pic.graph.access import User
from pic.graph.audiences import text_of
from pic.graph.store.interface import bind, solutions
from pic.graph.writes.history import rewrite_delta
from pic.graph.writes.path import Writer
from pic.graph.writes.withdrawal import DELTA_CHECKSUM, DELTA_FILE, swap
from pic.ontology.namespaces import expand, sparql_prefixes

ERASED_NAME = "compte supprimé"
LABEL = NamedNode(expand("rdfs:label"))
ABOUT = """SELECT ?s ?p ?o ?g WHERE { GRAPH ?g {
  { ?person ?p ?o BIND (?person AS ?s) } UNION { ?s ?p ?person BIND (?person AS ?o) } } }"""
RECORD = "SELECT ?p ?o WHERE { GRAPH ?g { ?c ?p ?o } }"
CHANGE_OF_FILE = sparql_prefixes("pic") + "SELECT ?change ?g WHERE { GRAPH ?g { ?change pic:deltaFile ?file } }"


@dataclass
class Erasure:
    pseudonym: str
    statements: int  # statements of the store rewritten
    deltas: int  # delta files rewritten


def erase(writer: Writer, login: str, by: User) -> Erasure:
    """Pseudonymise `login` across the store and the history, under the write lock; `by`: the admin."""
    names = writer.names
    person = names.user(login)
    pseudonym = names.user(f"erased-{uuid.uuid4().hex[:12]}")
    with writer.lock:
        old = [
            Quad(r["s"], r["p"], r["o"], r["g"])
            for r in solutions(writer.store.query(bind(ABOUT, {Variable("person"): person})))
        ]
        new = [_renamed(q, person, pseudonym, login) for q in old]
        swap(writer, old, new)
        rewritten = _rewrite_history(writer, person, pseudonym, login)
        said = Store()  # the erasure's own record: who asked, when, and the pseudonym it gave
        said.add(Quad(pseudonym, LABEL, Literal(ERASED_NAME, language="fr"), names.restricted_provenance))
        writer._write(said, [], by, source="erasure of an account (GDPR art. 17)", validated=False)
        if writer.reindex is not None:  # a new index file: SQLite keeps deleted text in its free pages
            writer.reindex(None)
        writer.store.compact()  # RocksDB keeps deleted statements in its older files until compacted
    return Erasure(pseudonym.value, len(old), rewritten)


def _renamed(q: Quad, person: NamedNode, pseudonym: NamedNode, login: str) -> Quad:
    subject = pseudonym if q.subject == person else q.subject
    obj = pseudonym if q.object == person else q.object
    if q.subject == person and isinstance(q.object, Literal) and q.object.value == login:
        obj = Literal(ERASED_NAME, language=q.object.language) if q.object.language else Literal(ERASED_NAME)
    return Quad(subject, q.predicate, obj, q.graph_name)


def _rewrite_history(writer: Writer, person: NamedNode, pseudonym: NamedNode, login: str) -> int:
    """Every delta file naming the person, rewritten with the pseudonym; the checksums of their changes
    recomputed together (a record's checksums do not say which file each is of)."""
    touched: dict[NamedNode, set[NamedNode]] = {}  # change -> the provenance graphs of its records
    count = 0
    folder = writer.history_dir
    if not folder.exists():
        return 0
    for path in sorted(folder.iterdir()):
        if not path.name.endswith(".nq.gz"):
            continue
        with gzip.open(path, "rb") as f:
            quads = list(parse(f, RdfFormat.N_QUADS))  # type: ignore[arg-type]  # stubs: IO[bytes]; a GzipFile is a binary file
        if not any(person in (q.subject, q.object) for q in quads):
            continue
        rewrite_delta(path, [_renamed(q, person, pseudonym, login) for q in quads])
        count += 1
        for row in solutions(
            writer.store.query(bind(CHANGE_OF_FILE, {Variable("file"): Literal(f"history/{path.name}")}))
        ):
            touched.setdefault(row["change"], set()).add(row["g"])
    old, new = [], []
    for change, graphs in touched.items():
        for graph in graphs:
            said = _said(writer, change, graph)
            files = [text_of(q.object) for q in said if q.predicate == DELTA_FILE]
            old += [q for q in said if q.predicate == DELTA_CHECKSUM]
            new += [
                Quad(change, DELTA_CHECKSUM, Literal(f"sha256:{_checksum(folder / Path(f).name)}"), graph)
                for f in files
            ]
    swap(writer, old, new)
    return count


def _said(writer: Writer, change: NamedNode, graph: NamedNode) -> list[Quad]:
    rows = solutions(writer.store.query(bind(RECORD, {Variable("c"): change, Variable("g"): graph})))
    return [Quad(change, r["p"], r["o"], graph) for r in rows]


def _checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
