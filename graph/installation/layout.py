"""Bring a data directory written before the graph layout of issue 15 to that layout, once, at start.

Before it, every inference went to the public `graph/inferred` and every change's record to the public
`graph/provenance`, private ones included: a store written then still shows them. The migration
recomputes the inferred graphs (public premises in `graph/inferred`, an organisation's in its own) and
moves each recorded change to the provenance graph its changed graphs call for (`Names.provenance_for`).
A file in the data directory says the layout is done, so a start after it does nothing.
"""

from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import NamedNode, Quad, Variable

from pic.graph.access import is_public
from pic.graph.store.interface import bind, quads_to_update_data, solutions
from pic.ontology.namespaces import sparql_prefixes

if TYPE_CHECKING:  # the write path's module imports most of graph/
    from pic.graph.writes.path import Writer

LAYOUT = 2  # 1: everything derived was public; 2: derived data as private as its premises
CHANGES = (
    sparql_prefixes("pic")
    + """SELECT ?change ?graph WHERE {
  GRAPH ?provenance { ?change a pic:Change .
    OPTIONAL { ?change pic:changedGraph ?graph } }
}"""
)
ACTIVITY = "SELECT ?p ?o WHERE { GRAPH ?provenance { ?change ?p ?o } }"


def layout_file(data_dir: Path) -> Path:
    """The marker; its folder is made here (a remote store's data directory may hold nothing else yet)."""
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    return Path(data_dir) / "graph-layout"


def migrate(writer: "Writer", data_dir: Path) -> bool:
    """Migrate if needed; True when something was done. Run before the service answers anyone."""
    marker = layout_file(data_dir)
    if marker.exists() and marker.read_text().strip() == str(LAYOUT):
        return False
    with writer.lock:
        names, public = writer.names, writer.names.provenance
        changed: dict[NamedNode, set[NamedNode]] = {}
        for row in solutions(writer.store.query(bind(CHANGES, {Variable("provenance"): public}))):
            graphs = changed.setdefault(row["change"], set())
            if row["graph"] is not None:
                graphs.add(row["graph"])
        moves: list[tuple[list[Quad], list[Quad]]] = []
        for change, graphs in changed.items():
            # A change that named no graph (a SPARQL Update) may have touched anything.
            target = names.provenance_for(graphs) if graphs else names.restricted_provenance
            if target == public:
                continue
            rows = solutions(
                writer.store.query(bind(ACTIVITY, {Variable("provenance"): public, Variable("change"): change}))
            )
            old = [Quad(change, r["p"], r["o"], public) for r in rows]
            moves.append((old, [Quad(q.subject, q.predicate, q.object, target) for q in old]))
        if not moves and all(is_public(g.value, names) for g in writer.store.graphs()):
            # every graph public, so the two layouts are the same store (a store `pic init` and `pic load`
            # wrote): recomputing every inference took 25-85 s at the first start of a regional store
            marker.write_text(f"{LAYOUT}\n")
            return False
        for start in range(0, len(moves), 200):
            chunk = moves[start : start + 200]
            removed = [q for old, _ in chunk for q in old]
            added = [q for _, new in chunk for q in new]
            writer.store.update(
                f"DELETE DATA {{ {quads_to_update_data(removed)} }} ;\nINSERT DATA {{ {quads_to_update_data(added)} }}"
            )
        writer.refresh()
    marker.write_text(f"{LAYOUT}\n")
    return True
