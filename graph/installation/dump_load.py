"""`pic load` of a whole-store dump (`pic export`): how one installation's data moves into a fresh one.

A dump holds what no load may write into a living installation: derived graphs (inferred, provenance) and
what only an API writes (annotations, moderation, documents' descriptions). A dataset file holding any of
those is taken for another installation's dump, and loaded as it is, into an empty store only:

- the inferred graphs are dropped and computed again by the write path from the loaded graphs (the same
  rules on the same premises give the same conclusions; a hand-edited dump cannot plant any);
- the provenance graphs are kept: who changed what, and when, in the source installation. The load is
  one more change, recorded in `restricted/provenance` (it wrote derived graphs: facilitators and
  admins read it). The delta files those records name are not in a dump: the changes before the move
  cannot be reverted (`pic backup` keeps them);
- the graphs APIs own and the documents' descriptions are kept; the documents' files are not in a dump
  (`missing_documents` says which to copy from the source's `documents/` folder);
- the other graphs are validated against the shapes, unless `--no-validate`.

Why an empty store only: another installation's records and owners merged into a living one would mix
two histories and let a file decide who owns what. Single graphs (`pic export --graph IRI`) load into a
living installation through the ordinary write path.
"""

import time
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Store, Variable

from pic.graph.access import NotAllowed, User, owning_api
from pic.graph.contributions.documents import DOCUMENTS, stored
from pic.graph.installation.bootstrap import is_empty
from pic.graph.names import Names
from pic.graph.store.interface import KnowledgeStore, bind, solutions
from pic.graph.store.parsing import Progress, Staged, parse_file, rdf_format
from pic.graph.writes.path import ValidationFailed, Writer, WriteResult
from pic.ontology.namespaces import sparql_prefixes

DESCRIBED = (
    sparql_prefixes("dcat")
    + """ASK { GRAPH ?g { ?s ?p ?o }
  FILTER (?p = dcat:distribution || STRSTARTS(STR(?s), ?prefix)) }"""
)


class DumpError(ValueError):
    """A dump that cannot be loaded here (a store that is not empty): says why and what to do."""


def load(
    writer: Writer,
    path: Path,
    graph: NamedNode | None,
    user: User,
    *,
    fmt: str | None = None,
    validate: bool = True,
    progress: Progress | None = None,
) -> WriteResult:
    """What `pic load` does: a dataset file holding what only the platform writes is a dump (`load_dump`);
    anything else goes through the write path (`Writer.load_file`)."""
    if not rdf_format(fmt, Path(path).name).supports_datasets:
        return writer.load_file(path, graph, user, fmt=fmt, validate=validate, progress=progress)
    clock = time.perf_counter()
    staged = parse_file(path, graph, fmt, progress, max_literal_chars=writer.max_literal_chars)
    parsed_in = round(time.perf_counter() - clock, 3)
    reserved = platform_graphs(staged.store, writer.names)
    result = (
        load_dump(writer, staged, user, reserved, validate=validate)
        if reserved
        else writer.load(staged, user, validate=validate)
    )
    result.seconds = {"parse": parsed_in, **result.seconds}
    return result


def platform_graphs(store: Store, names: Names) -> list[str]:
    """The graphs of a parsed file that only the platform writes (derived or owned by an API), plus
    "documents' descriptions" when it holds some: what makes it a dump."""
    found = sorted(g.value for g in store.named_graphs() if names.is_derived(g) or owning_api(g, names))
    if store.query(bind(DESCRIBED, {Variable("prefix"): Literal(f"{names.base}document/")})):
        found.append("documents' descriptions")
    return found


def load_dump(writer: Writer, staged: Staged, user: User, reserved: list[str], *, validate: bool = True) -> WriteResult:
    if user.role != "admin":
        raise NotAllowed(f"{user.name} ({user.role}) may not load another installation's dump: admins only")
    names = writer.names
    for graph in [g for g in staged.store.named_graphs() if names.is_inferred(g)]:
        staged.store.remove_graph(graph)  # computed again from the loaded graphs
    with writer.lock:
        if not is_empty(writer):
            raise DumpError(
                f"{staged.source} is a dump of a whole installation (it holds {reserved[0]}, which "
                "only the platform writes): it loads into an empty data directory only; to add to "
                "this one, export and load single graphs (`pic export --graph IRI`)"
            )
        warnings = []
        if validate:
            data = Store()
            for graph in staged.store.named_graphs():
                if not names.is_derived(graph):
                    data.bulk_extend(staged.store.quads_for_pattern(None, None, None, graph))
            report = writer.check(data, [], user)
            if not report.conforms:
                raise ValidationFailed(report)
            warnings = report.warnings
        result = writer.load_dump(staged, user, validated=validate)
    result.warnings = warnings
    return result


def missing_documents(store: KnowledgeStore, directory: Path) -> list[str]:
    """Checksums of the documents the store describes whose file is not in `directory` (after a dump's
    load: to copy from the source installation's `documents/` folder)."""
    checksums = {row["id"].value.removeprefix("sha256:") for row in solutions(store.query(DOCUMENTS))}
    return sorted(sha for sha in checksums if stored(directory, sha, ".txt") is None)
