"""First start: the ontology, the reference territories and (optionally) the demo, through the write path."""

from collections.abc import Callable
from pathlib import Path

from pyoxigraph import NamedNode

from pic.graph.access import User
from pic.graph.store.parsing import parse_bytes, rdf_format
from pic.graph.writes.path import Writer, WriteResult
from pic.ontology import DEMO_FILES, ONTOLOGY_FILES, TERRITORY_FILES, read_bytes

INIT_USER = User("pic-init", role="admin")


def initialise(
    writer: Writer, demo: bool = False, step: Callable[[str], None] | None = None, documents: Path | None = None
) -> list[WriteResult]:
    """Load what a new deployment needs; each file is one validated, recorded write. With the demo and
    a `documents` folder, the demo studies' fictional documents too."""
    names = writer.names
    plan: list[tuple[str, NamedNode | None]] = [(f, names.ontology) for f in ONTOLOGY_FILES]
    plan += [(f, names.territories) for f in TERRITORY_FILES]
    if demo:
        plan += [(f, None) for f in DEMO_FILES]
    results = []
    for name, graph in plan:
        staged = parse_bytes(read_bytes(name), rdf_format(None, name), graph, source=f"pic:{name}")
        results.append(writer.load(staged, INIT_USER))
        if step:
            step(name)
    if demo and documents is not None:
        from pic.graph.contributions.documents import attach
        from pic.ontology.demo.documents import build

        for slug, filename, data in build():
            attach(writer, documents, NamedNode(f"{names.base}study/{slug}"), filename, data, INIT_USER, len(data))
        if step:
            step("documents")
    return results


def is_empty(writer: Writer) -> bool:
    return not bool(writer.store.query("ASK { GRAPH ?g { ?s ?p ?o } }"))
