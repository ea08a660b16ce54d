"""Undo one change of the history: its delta read back and applied the other way round, as a new change
through the one write path (validated, attributed, recorded — the history itself is never rewritten).

Only what still holds is undone: triples the change added that a later change already removed stay
removed, and triples it removed that are back stay. A file loaded directly by an admin has no removable
delta on record here and is refused.
"""

import gzip
from pathlib import Path

from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat, Store, Variable, parse

from pic.graph.access import NotAllowed, User
from pic.graph.names import named
from pic.graph.store.interface import KnowledgeStore, bind, bind_rows, solutions
from pic.graph.writes import ownership
from pic.graph.writes.path import Writer, WriteResult
from pic.ontology.namespaces import sparql_prefixes

# In every provenance graph (one per audience): the change's IRI says nothing of which.
DELTAS = (
    sparql_prefixes("pic")
    + """
SELECT ?file ?provenance WHERE { GRAPH ?provenance { ?change pic:deltaFile ?file } }"""
)


class CannotRevert(ValueError):
    """The change's delta cannot be replayed backwards (or there is nothing left to undo)."""


class UnknownChange(CannotRevert):
    """No such change in the history."""


def delta(writer: Writer, change: NamedNode) -> tuple[list[Quad], list[Quad]]:
    """(added, removed) quads of a recorded change."""
    rows = [
        r
        for r in solutions(writer.store.query(bind(DELTAS, {Variable("change"): change})))
        if writer.names.is_provenance(r["provenance"])
    ]
    if not rows:
        raise UnknownChange(f"no change {change.value} in the history")
    parts: dict[str, list[Quad]] = {"added": [], "removed": []}
    for row in rows:
        name = Path(row["file"].value).name
        kind = name.split(".")[1]
        if not name.endswith(".nq.gz"):
            raise CannotRevert("a file loaded directly by an admin is undone by loading the graph again")
        if not (writer.history_dir / name).is_file():  # a change recorded by another installation (dump_load.py)
            raise CannotRevert(
                f"the delta of {change.value} (history/{name}) is not in this installation's "
                "history: the change was loaded from another installation's dump; edit the data instead"
            )
        with gzip.open(writer.history_dir / name, "rb") as f:
            parts[kind].extend(parse(f, RdfFormat.N_QUADS))  # type: ignore[arg-type]  # stubs: IO[bytes]; a GzipFile is a binary file
    return parts["added"], parts["removed"]


def revert(writer: Writer, change: NamedNode, user: User) -> WriteResult:
    added, removed = delta(writer, change)
    kept = set(added) & set(removed)  # rewritten unchanged: not part of what the change did
    added, removed = [q for q in added if q not in kept], [q for q in removed if q not in kept]
    if any(isinstance(t, BlankNode) for q in [*added, *removed] for t in (q.subject, q.object)):
        raise CannotRevert("this change holds blank nodes, which cannot be matched again: edit the data instead")
    holding = present(writer.store, [*added, *removed])
    still_there = [q for q in added if q in holding]
    back = Store()
    back.extend([q for q in removed if q not in holding])
    if not still_there and len(back) == 0:
        raise CannotRevert(f"everything {change.value} did has already been undone")
    refuse_restoring_others(writer, back)
    return writer.write(back, still_there, user, source=f"revert of {change.value}")


def refuse_restoring_others(writer: Writer, back: Store) -> None:
    """Raise CannotRevert when what a revert puts back into an organisation's graphs is what that
    organisation may not write now: undoing aula's delete of study `race-1`, after cd62 published its own
    `race-1`, gave it back to aula (fifth outside re-test, finding 4). Each organisation's share is held
    to the rules of a write of its own (`ownership.check`, as one of its partners)."""
    shares: dict[str, list[Quad]] = {}
    for q in back:
        org = writer.names.owner_of(named(q.graph_name))
        if org:
            shares.setdefault(org, []).append(q)
    for org, quads in sorted(shares.items()):
        try:
            ownership.check(
                writer.store,
                writer.names,
                User("revert", "partner", org),
                quads,
                [],
                organisations=writer.organisations(),
            )
        except NotAllowed as e:
            raise CannotRevert(
                f"undoing it would put back into {org}'s graphs what {org} may not write now: {e}"
            ) from None


def present(store: KnowledgeStore, quads: list[Quad]) -> set[Quad]:
    """Which of these quads the store holds now, asked 500 at a time."""
    found: set[Quad] = set()
    names = [Variable(v) for v in ("g", "s", "p", "o")]
    for start in range(0, len(quads), 500):
        rows = [[named(q.graph_name), q.subject, q.predicate, q.object] for q in quads[start : start + 500]]
        text = bind_rows("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", names, rows)
        found.update(Quad(r["s"], r["p"], r["o"], r["g"]) for r in solutions(store.query(text)))
    return found
