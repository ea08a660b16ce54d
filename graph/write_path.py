"""The one write path (ARCHITECTURE.md §6): every write of the platform goes through `Writer.write`.

Order matters: check the user may write every graph touched; validate the resulting descriptions with
the SHACL shapes (run by the SPARQL engine); write the delta to the history; apply the quads, the
provenance activity and the inferred-graph refresh atomically. Any failure leaves the store as it was.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat, Store
from rdflib import Graph

from pic.graph import inference
from pic.graph.access import User, check_write
from pic.graph.history import now, record_change
from pic.graph.names import Names
from pic.graph.parsing import Staged
from pic.graph.shacl_engine import (
    DATA,
    ShapesValidator,
    ValidationReport,
    Violation,
    stage_for_validation,
)
from pic.graph.store import Change, KnowledgeStore
from pic.ontology import read_bytes

CONTEXT_FILES = ("pic.ttl", "structure.ttl", "schemes.ttl")


class ValidationFailed(ValueError):
    """The data breaks the shapes; `report` lists focus node, path and message of each violation."""

    def __init__(self, report: ValidationReport):
        self.report = report
        first = report.violations[:5]
        more = len(report.violations) - len(first)
        lines = "; ".join(v.describe("en") for v in first)
        super().__init__(f"{len(report.violations)} SHACL violation(s): {lines}"
                         + (f"; and {more} more" if more else ""))


@dataclass
class WriteResult:
    change: NamedNode
    graphs: list[str]
    added: int
    removed: int
    warnings: list[Violation] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


class Writer:
    """Validates, records and applies changes to one store."""

    def __init__(self, store: KnowledgeStore, names: Names, history_dir: Path):
        self.store, self.names, self.history_dir = store, names, Path(history_dir)

    @cached_property
    def validator(self) -> ShapesValidator:
        return ShapesValidator(Graph().parse(data=read_bytes("shapes.ttl"), format="turtle"))

    @cached_property
    def context(self) -> Store:
        """The ontology, structure and schemes: class and property hierarchies for validation."""
        ctx = Store()
        for name in CONTEXT_FILES:
            ctx.load(read_bytes(name), RdfFormat.TURTLE, to_graph=NamedNode(f"urn:pic:{name}"))
        return ctx

    def load(self, staged: Staged, user: User, *, validate: bool = True,
             step: Callable[[str], None] | None = None) -> WriteResult:
        """Write a parsed file (all its quads are additions)."""
        return self.write(staged.store, [], user, source=staged.source, validate=validate, step=step)

    def write(self, added: Store, removed: list[Quad], user: User, *, source: str,
              validate: bool = True, step: Callable[[str], None] | None = None) -> WriteResult:
        started, clock, seconds = now(), time.perf_counter(), {}

        def lap(name: str) -> None:
            nonlocal clock
            seconds[name] = round(time.perf_counter() - clock, 3)
            clock = time.perf_counter()
            if step:
                step(name)

        graphs = {q.graph_name for q in removed} | set(added.named_graphs())
        if not validate and user.role != "admin":
            raise PermissionError("only an admin may write without validation")
        check_write(user, graphs, self.names)
        warnings: list[Violation] = []
        if validate:
            report = self.check(added, removed)
            if not report.conforms:
                raise ValidationFailed(report)
            warnings = report.warnings
            lap("validate")
        delta = record_change(self.history_dir, self.names, user, added, removed, graphs, source,
                              validate, started)
        lap("history")
        try:
            self.store.apply(Change(added, removed, delta.record), refresh=self.refresh(graphs))
        except BaseException:
            for f in delta.files:
                f.unlink(missing_ok=True)
            raise
        lap("apply")
        return WriteResult(delta.change, sorted(g.value for g in graphs), len(added), len(removed),
                           warnings, seconds)

    def check(self, added: Store, removed: list[Quad]) -> ValidationReport:
        """Validate what the touched entities will look like after the change."""
        existing = self._existing(added, removed)
        staging = stage_for_validation(_chain(added, existing), self.context)
        for q in removed:
            staging.remove(Quad(q.subject, q.predicate, q.object, DATA))
        return self.validator.validate(staging, known=self.store.describe_types)

    def _existing(self, added: Store, removed: list[Quad]) -> list[Quad]:
        """Quads the store already holds about the subjects being written, in the same graphs."""
        found: list[Quad] = []
        by_graph: dict[NamedNode, set] = {}
        for q in _chain(added, removed):
            if isinstance(q.subject, NamedNode):
                by_graph.setdefault(q.graph_name, set()).add(q.subject)
        for graph, subjects in by_graph.items():
            if not self._has_data(graph):
                continue
            ordered = sorted(subjects, key=lambda n: n.value)
            for start in range(0, len(ordered), 500):
                values = " ".join(str(s) for s in ordered[start:start + 500])
                rows = self.store.query(
                    f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} GRAPH {graph} {{ ?s ?p ?o }} }}")
                found.extend(Quad(r["s"], r["p"], r["o"], graph) for r in rows)
        return found

    def _has_data(self, graph: NamedNode) -> bool:
        return bool(self.store.query(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}"))

    def refresh(self, extra: set[NamedNode] = frozenset()) -> str:
        """The update that recomputes the inferred graph from every user graph."""
        derived = {self.names.inferred.value, self.names.provenance.value}
        sources = {g for g in [*self.store.graphs(), *extra] if g.value not in derived}
        return inference.refresh_update(self.names.inferred, sorted(sources, key=lambda g: g.value))


def _chain(*parts):
    for part in parts:
        yield from part
