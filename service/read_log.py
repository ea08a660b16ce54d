"""Who read what of an organisation's data that is not public (issue 20 §5): one SQLite table beside the
accounts, kept `PIC_READ_LOG_DAYS` days, read by the owning organisation alone.

A read is logged when a signed-in reader of another organisation (facilitators and admins included)
reads a graph anonymous readers may not read — an entity's page, twin or download (the graphs that
describe it), the Graph Store, a document's file — or runs a SPARQL query whose answer is not empty over
a dataset holding such graphs. That last one is marked `exact` false: the log says the graphs were in
the query's dataset, not that the answer used them (finding which did would cost a query per graph).
Anonymous readers read only public graphs, and public reads are not logged.
"""

import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import NamedNode, Variable

from pic.graph.access import User, is_public
from pic.graph.engine.jobs import Answer, Job
from pic.graph.names import Names
from pic.graph.store.interface import bind
from pic.graph.store.sqlite_db import transaction
from pic.service.entities import solutions

if TYPE_CHECKING:
    from pic.service.pages import ReadersStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS read (owner TEXT NOT NULL, reader TEXT NOT NULL, reader_org TEXT, at REAL NOT NULL,
                                 item TEXT NOT NULL, graphs TEXT NOT NULL, path TEXT NOT NULL,
                                 exact INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS read_owner ON read (owner, at);
"""
MAX_GRAPHS_SAID = 20  # a SPARQL read names at most this many of an owner's graphs (and says how many more)


class ReadLog:
    def __init__(self, path: Path, days: int, names: Names):
        self.path, self.days, self.names = Path(path), days, names
        self.pruned = 0.0
        with transaction(self.path) as db:
            db.executescript(SCHEMA)

    def record(self, user: User, graphs: Iterable[str], item: str, path: str, *, exact: bool = True) -> int:
        """Log `user`'s read of `item` through `path`, for each organisation whose graphs among `graphs`
        are not public; the rows written."""
        if user.role == "anonymous":
            return 0
        by_owner: dict[str, list[str]] = {}
        for graph in set(graphs):
            if graph.startswith(self.names.base) and not is_public(graph, self.names):
                owner = self.names.owner_of(NamedNode(graph))
                if owner and owner != user.org:
                    by_owner.setdefault(owner, []).append(graph)
        if not by_owner:
            return 0
        now = time.time()
        with transaction(self.path) as db:
            if exact:  # a SPARQL query is a new read each time: its dataset is all it says
                by_owner = {o: g for o, g in by_owner.items() if not _just_logged(db, o, user.name, item, path, now)}
            rows = [
                (owner, user.name, user.org, now, item, _said(found), path, int(exact))
                for owner, found in by_owner.items()
            ]
            db.executemany("INSERT INTO read VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            if now - self.pruned > 3600:  # at most once an hour
                db.execute("DELETE FROM read WHERE at < ?", (now - self.days * 86400,))
                self.pruned = now
        return len(rows)

    def forget(self, org: str, graphs: list[str], everything: bool) -> int:
        """After a withdrawal: the organisation's log of reads of the withdrawn graphs (all of it when it
        withdrew everything), deleted and the file rewritten (SQLite keeps deleted rows in free pages)."""
        with transaction(self.path) as db:
            if everything:
                gone = db.execute("DELETE FROM read WHERE owner = ?", (org,)).rowcount
            else:
                gone = sum(
                    db.execute("DELETE FROM read WHERE owner = ? AND instr(graphs, ?) > 0", (org, g)).rowcount
                    for g in graphs
                )
        with transaction(self.path) as db:
            db.execute("VACUUM")
        return gone

    def erase(self, reader: str, pseudonym: str) -> int:
        """An erased account's reads keep their organisation and time, under the pseudonym; the file is
        rewritten (SQLite keeps deleted text in free pages)."""
        with transaction(self.path) as db:
            changed = db.execute("UPDATE read SET reader = ? WHERE reader = ?", (pseudonym, reader)).rowcount
        with transaction(self.path) as db:
            db.execute("VACUUM")
        return changed

    def of(self, org: str, limit: int = 1000, before: float | None = None) -> list[dict]:
        """The organisation's log, newest first (`before`: the page after one that ended there)."""
        with transaction(self.path) as db:
            db.row_factory = sqlite3.Row
            rows = db.execute(
                "SELECT reader, reader_org, at, item, graphs, path, exact FROM read WHERE owner = ? AND at > ?"
                " AND at < ? ORDER BY at DESC LIMIT ?",
                (org, time.time() - self.days * 86400, before if before is not None else float("inf"), limit),
            ).fetchall()
        return [
            {
                "reader": r["reader"],
                "reader_org": r["reader_org"],
                "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(r["at"])),
                "at_epoch": r["at"],
                "item": r["item"],
                "graphs": r["graphs"].split(" ") if r["graphs"] else [],
                "path": r["path"],
                "exact": bool(r["exact"]),
            }
            for r in rows
        ]


def _just_logged(db: sqlite3.Connection, owner: str, reader: str, item: str, path: str, now: float) -> bool:
    """The same read by the same reader less than a minute ago: one row says it (a reader reloading a page,
    or a script, would otherwise flood the organisation's log)."""
    found = db.execute(
        "SELECT EXISTS (SELECT * FROM read WHERE owner = ? AND at > ? AND reader = ? AND item = ? AND path = ?)",
        (owner, now - 60, reader, item, path),
    ).fetchone()
    return bool(found[0])


def _said(graphs: list[str]) -> str:
    shown = sorted(graphs)[:MAX_GRAPHS_SAID]
    more = len(graphs) - len(shown)
    return " ".join(shown) + (f" (+{more})" if more else "")


def answered(answer: Answer) -> bool:
    """Whether a query's answer said anything: rows, triples, or `true`."""
    if answer.kind == "boolean":
        return b"true" in answer.body[:200].lower()
    return answer.rows > 0


def query_read(log: ReadLog, user: User, job: Job, answer: Answer, all_graphs: list[str], path: str) -> None:
    """A SPARQL query's read: the graphs of its dataset (all the reader may read when the job names none)."""
    if user.role == "anonymous" or not answered(answer):
        return
    named = [*(job.default_graph or []), *(job.named_graphs or [])]
    log.record(user, named if job.default_graph is not None else all_graphs, "SPARQL", path, exact=False)


ABOUT = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def item_read(log: ReadLog, user: User, view: "ReadersStore", iri: str, path: str) -> None:
    """A read of one item (an entity's page, twin or download, a document's file): the graphs the reader
    reads that describe it."""
    if user.role == "anonymous":
        return
    rows = solutions(view, bind(ABOUT, {Variable("s"): NamedNode(iri)}))
    log.record(user, [r["g"].value for r in rows if r["g"] is not None], iri, path)
