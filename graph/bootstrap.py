"""First start: the ontology, the reference territories and (optionally) the demo, through the write path."""

from collections.abc import Callable

from pic.graph.access import User
from pic.graph.parsing import parse_bytes, rdf_format
from pic.graph.write_path import Writer, WriteResult
from pic.ontology import DEMO_FILES, ONTOLOGY_FILES, TERRITORY_FILES, read_bytes

INIT_USER = User("pic-init", role="admin")


def initialise(writer: Writer, demo: bool = False,
               step: Callable[[str], None] | None = None) -> list[WriteResult]:
    """Load what a new deployment needs; each file is one validated, recorded write."""
    names = writer.names
    plan = [(f, names.ontology) for f in ONTOLOGY_FILES]
    plan += [(f, names.territories) for f in TERRITORY_FILES]
    if demo:
        plan += [(f, None) for f in DEMO_FILES]
    results = []
    for name, graph in plan:
        staged = parse_bytes(read_bytes(name), rdf_format(None, name), graph, source=f"pic:{name}")
        results.append(writer.load(staged, INIT_USER))
        if step:
            step(name)
    return results


def is_empty(writer: Writer) -> bool:
    return not bool(writer.store.query("ASK { GRAPH ?g { ?s ?p ?o } }"))
