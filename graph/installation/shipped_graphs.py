"""Bring the graphs this version ships — the ontology and the reference territories — to an old data
directory, at start.

`pic init` writes them once; a newer version may ship a changed ontology (a term, a label, a shape) or
new communes, and a data directory made by an older one would keep the old ones for ever. So at each
start the stored graph is compared with the shipped files (canonical form: the OWL restrictions and
lists are blank nodes, named anew at each parse); when they differ the stored graph is replaced, as one
recorded change by `pic-init` (its delta in the history, its activity in the public provenance graph),
and the inferences are recomputed. The comparison costs ~30 ms a graph, so it needs no marker file.

The replacement is a store update, not `Writer.write`: removing blank nodes cannot be said in SPARQL's
DELETE DATA, which the write path uses. These graphs are the platform's: an admin's edits to them are
replaced too (keep local terms in a graph of one's own).
"""

import logging

from pyoxigraph import CanonicalizationAlgorithm, Dataset, NamedNode, Quad, RdfFormat, Store

from pic.graph.installation.bootstrap import INIT_USER
from pic.graph.store.interface import quads_to_update_data
from pic.graph.writes.history import now, record_change
from pic.graph.writes.path import Writer
from pic.ontology import ONTOLOGY_FILES, TERRITORY_FILES, read_bytes

log = logging.getLogger(__name__)


def shipped(graph: NamedNode, files: tuple[str, ...]) -> list[Quad]:
    store = Store()
    for name in files:
        store.load(read_bytes(name), RdfFormat.TURTLE, to_graph=graph)
    return list(store)


def canonical(quads: list[Quad]) -> set[Quad]:
    dataset = Dataset(quads)
    dataset.canonicalize(CanonicalizationAlgorithm.UNSTABLE)  # same process, same version: comparable
    return set(dataset)


def upgrade(writer: Writer) -> list[NamedNode]:
    """Replace each shipped graph the store holds in another version; the graphs replaced. A store without
    them (not initialised yet) is left alone. Run before the service answers anyone."""
    names, replaced = writer.names, []
    with writer.lock:
        for graph, files in ((names.ontology, ONTOLOGY_FILES), (names.territories, TERRITORY_FILES)):
            current = list(writer.store.quads(graph))
            wanted = shipped(graph, files)
            if not current or canonical(current) == canonical(wanted):
                continue
            delta = record_change(
                writer.history_dir,
                names,
                INIT_USER,
                wanted,
                current,
                {graph},
                f"upgrade: {graph.value} as this version ships it",
                False,
                now(),
                count=len(wanted),
            )
            writer.store.update(
                f"DROP SILENT GRAPH {graph} ;\nINSERT DATA {{ {quads_to_update_data([*wanted, *delta.record])} }}"
            )
            log.warning(
                "%s was replaced by this version's (%d statements, was %d)", graph.value, len(wanted), len(current)
            )
            replaced.append(graph)
        if replaced:
            writer.refresh()
    return replaced
