"""An organisation withdraws some or all of its data (issue 20 §3): it leaves the store, and its content
leaves the history.

One write removes the graphs (their authorizations with them): the write path recomputes the
inferences, and the engine copies and the search index follow its delta like any write's. Then the
history forgets the content and keeps the facts: the delta files of every change to the withdrawn
graphs are deleted — or, for a change that also changed graphs that stay (an admin's update over
several organisations' graphs), rewritten without the withdrawn graphs' statements — and the change
records lose what named the content (`pic:touched`, the delta files and checksums, the source, a SPARQL
Update's text) and say `pic:contentWithdrawn` when. The withdrawal's own record says who withdrew, when,
which graphs, how many triples; its delta, which held the content, is deleted too. The documents' files
no graph describes any more are deleted with it.

What this does not reach: backups taken before (README, "Data protection"), which hold the data until
they are rotated out, and copies of the data other people made.
"""

import gzip
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, Variable, parse

from pic.graph.access import NotAllowed, User
from pic.graph.audiences import rules_of, text_of
from pic.graph.contributions.documents import forget_files
from pic.graph.store.interface import bind, quads_to_update_data, solutions
from pic.graph.writes.history import rewrite_delta
from pic.graph.writes.path import Writer, Written
from pic.ontology.namespaces import expand, sparql_prefixes

PIC = expand("pic:")
DELTA_FILE, DELTA_CHECKSUM = NamedNode(f"{PIC}deltaFile"), NamedNode(f"{PIC}deltaChecksum")
TOUCHED, CHANGED_GRAPH = NamedNode(f"{PIC}touched"), NamedNode(f"{PIC}changedGraph")
WITHDRAWN = NamedNode(f"{PIC}contentWithdrawn")
DESCRIPTION = NamedNode(expand("dcterms:description"))
# What a record says of the content, dropped once the content is withdrawn.
CONTENT = {
    DELTA_FILE,
    DELTA_CHECKSUM,
    TOUCHED,
    NamedNode(expand("dcterms:source")),
    NamedNode(expand("dcterms:description")),
}
CHANGES_OF = (
    sparql_prefixes("pic")
    + """SELECT DISTINCT ?change ?g ?p ?o WHERE {
  GRAPH ?any { ?change pic:changedGraph ?graph }
  GRAPH ?g { ?change ?p ?o }
}"""
)


EVER_NAMED = (
    sparql_prefixes("pic", "acl")
    + """SELECT DISTINCT ?graph WHERE {
  GRAPH ?g { { ?c pic:changedGraph ?graph } UNION { ?a acl:accessTo ?graph } } }"""
)


@dataclass
class Withdrawal:
    change: NamedNode
    graphs: list[str]
    triples: int
    records: int  # change records whose content was forgotten
    deltas_deleted: int
    deltas_rewritten: int


def withdraw(writer: Writer, org: str, user: User, documents_dir: Path, graphs: list[str] | None = None) -> Withdrawal:
    """Withdraw `org`'s graphs (all its own graphs when `graphs` is None). Its members and platform
    admins may; anyone else gets NotAllowed. Run under the write lock, as one step."""
    from pic.graph.installation.org_export import org_graphs  # it imports the write path

    names = writer.names
    if user.role != "admin" and user.org != org:
        raise NotAllowed(f"{user.name} may withdraw their own organisation's data only ({user.org})")
    with writer.lock:
        own = org_graphs(writer.store, names, org)
        if graphs is not None:
            asked = {NamedNode(g) for g in graphs}
            others = sorted(g.value for g in asked - set(own))
            if others:
                raise NotAllowed(f"not graphs of {org} holding data: {', '.join(others)}")
            own = sorted(asked, key=lambda g: g.value)
        # all of it: the graphs it ever wrote too, emptied since (their authorizations and records stay else)
        withdrawn = {g.value for g in own} | (_ever_written(writer, org) if graphs is None else set())
        if not withdrawn:
            raise LookupError(f"{org} has no data to withdraw")
        removed = [q for g in own for q in writer.store.quads(g)]
        removed += rules_of(writer.store, [NamedNode(g) for g in withdrawn], names)
        # past the permission step, as a platform operation: the graphs APIs own (annotations, moderation)
        # and the authorizations go too, which no user writes directly
        result = writer._write(Store(), removed, user, source=f"withdrawal of {org}'s data", validated=False)
        forget_files(writer.store, documents_dir, removed)
        forgotten, deleted, rewritten = forget_history(writer, withdrawn)
        if writer.reindex is not None:  # a new index file: SQLite keeps deleted text in its free pages
            writer.reindex(None)
        writer.store.compact()  # RocksDB keeps deleted statements in its older files until compacted
    return Withdrawal(result.change, sorted(withdrawn), len(removed), forgotten, deleted, rewritten)


def _ever_written(writer: Writer, org: str) -> set[str]:
    """The organisation's graphs the change records and the authorizations name, data or not."""
    names = writer.names
    found = set()
    for row in solutions(writer.store.query(EVER_NAMED)):
        graph = row["graph"]
        if isinstance(graph, NamedNode) and names.owner_of(graph) == org and not names.is_derived(graph):
            found.add(graph.value)
    return found


def forget_history(writer: Writer, withdrawn: set[str]) -> tuple[int, int, int]:
    """Forget the content of every change to the withdrawn graphs, the withdrawal's own included:
    (records, delta files deleted, delta files rewritten)."""
    names = writer.names
    records: dict[NamedNode, list[Quad]] = {}
    for graph in sorted(withdrawn):
        for row in solutions(writer.store.query(bind(CHANGES_OF, {Variable("graph"): NamedNode(graph)}))):
            records.setdefault(row["change"], []).append(Quad(row["change"], row["p"], row["o"], row["g"]))
    when = Literal(datetime.now(UTC).isoformat(timespec="seconds"), datatype=NamedNode(expand("xsd:dateTime")))
    old, new = [], []
    deleted = rewritten = 0
    for change, said in records.items():
        changed = {text_of(q.object) for q in said if q.predicate == CHANGED_GRAPH} - {names.access_control.value}
        whole = changed <= withdrawn
        for q in said:
            if q.predicate != DELTA_FILE:
                continue
            path = writer.history_dir / Path(text_of(q.object)).name
            if whole:
                path.unlink(missing_ok=True)
                deleted += 1
            elif path.is_file():
                checksum, only_withdrawn = _without(path, withdrawn | _derived_of(withdrawn))
                # a record's checksums do not say which file each is of: every file of the change is
                # rewritten, and its checksums replaced together
                old += [c for c in said if c.predicate == DELTA_CHECKSUM]
                old += [c for c in said if c.predicate == TOUCHED and text_of(c.object) in only_withdrawn]
                new += [Quad(change, DELTA_CHECKSUM, Literal(f"sha256:{checksum}"), q.graph_name)]
                rewritten += 1
        if not whole:  # a SPARQL Update's text names what it wrote, the withdrawn part too
            old += [q for q in said if q.predicate == DESCRIPTION]
        if whole:
            gone = [q for q in said if q.predicate in CONTENT]
            old += gone
            new += [Quad(change, WITHDRAWN, when, g) for g in {q.graph_name for q in said}]
    swap(writer, list(dict.fromkeys(old)), new)
    return len(records), deleted, rewritten


def swap(writer: Writer, old: list[Quad], new: list[Quad]) -> None:
    """Replace statements as the platform (a withdrawal's or an erasure's records and names), and tell what
    follows the store: the engine copies and the search index hold them too."""
    parts = [f"DELETE DATA {{ {quads_to_update_data(old)} }}"] if old else []
    parts += [f"INSERT DATA {{ {quads_to_update_data(new)} }}"] if new else []
    if parts:
        writer.store.update(" ;\n".join(parts))
        writer._tell(Written(new, old))


def _without(path: Path, graphs: set[str]) -> tuple[str, set[str]]:
    """Rewrite a delta file without the statements of `graphs`: its new checksum, and the entities only
    those statements were about (the record names them no more)."""
    with gzip.open(path, "rb") as f:
        quads = list(parse(f, RdfFormat.N_QUADS))  # type: ignore[arg-type]  # stubs: IO[bytes]; a GzipFile is a binary file
    kept = [q for q in quads if text_of(q.graph_name) not in graphs]
    return rewrite_delta(path, kept), {text_of(q.subject) for q in quads} - {text_of(q.subject) for q in kept}


def _derived_of(graphs: set[str]) -> set[str]:
    return {f"{g}/{d}" for g in graphs for d in ("inferred", "provenance")}
