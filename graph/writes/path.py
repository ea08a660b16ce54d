"""The one write path (docs/architecture.md §4): every write of the platform goes through `Writer.write`.

Order matters: check the user may write every graph touched and what the write says there (a graph
describes its owner's things, and what an API owns is written through that API: `ownership.py`);
validate the resulting descriptions with the SHACL shapes (run by the SPARQL engine); write the delta
to the history; apply the quads, the provenance activity and the new inferred graphs atomically. Any
failure leaves the store as it was.

The derived graphs are as private as their least public premise, so there is one per audience (see
inference.py and history.py): the activity goes to the provenance graph of the narrowest audience of
the graphs changed, the conclusions to the inferred graph of the audience whose premises they need.
Users never write a derived graph (`access.may_write`), and the rules never read one (`sources`).
"""

import hashlib
import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pyoxigraph import NamedNode, Quad, RdfFormat, Store
from rdflib import Graph

from pic.graph.access import User, check_write, is_public
from pic.graph.audiences import rules_for
from pic.graph.names import GraphName, Names, named
from pic.graph.reasoning import inference
from pic.graph.reasoning.shacl import (
    CONTEXT,
    ShapesValidator,
    ValidationReport,
    Violation,
    stage_for_validation,
)
from pic.graph.store.disk_space import DiskFull, check_free, is_disk_full, refusal
from pic.graph.store.interface import (
    Change,
    FileSource,
    KnowledgeStore,
    all_inferred,
    known_types,
    quads_to_update_data,
    solutions,
)
from pic.graph.store.parsing import (
    Progress,
    RdfParseError,
    Staged,
    as_parse_error,
    has_statements,
    parse_file,
    rdf_format,
    refuse_huge_terms,
)
from pic.graph.writes import authorizations, ownership
from pic.graph.writes import checks as write_checks
from pic.graph.writes.history import now, record_change
from pic.graph.writes.visible import seen_by
from pic.ontology import read_bytes

if TYPE_CHECKING:
    from pic.graph.search_index import SearchIndex

CONTEXT_FILES = ("pic.ttl", "structure.ttl", "schemes.ttl")
MAX_INCREMENTAL = 50_000  # past this many quads, listeners start over from the store
log = logging.getLogger(__name__)
T = TypeVar("T")


class ValidationFailed(ValueError):
    """The data breaks the shapes; `report` lists focus node, path and message of each violation."""

    def __init__(self, report: ValidationReport):
        self.report = report
        first = report.violations[:5]
        more = len(report.violations) - len(first)
        lines = "; ".join(v.describe("en") for v in first)
        super().__init__(
            f"{len(report.violations)} SHACL violation(s): {lines}" + (f"; and {more} more" if more else "")
        )


@dataclass
class Written:
    """What one write put in and took out (its provenance record and the inferred graphs' changes
    included, each quad in its own graph): what the replicas and the search index need to follow it
    without starting over."""

    added: list[Quad]
    removed: list[Quad]

    @property
    def subjects(self) -> set[str]:
        return {q.subject.value for q in _chain(self.added, self.removed) if isinstance(q.subject, NamedNode)}


# Told what each write did (`Written`; None: start over from the store), as the replicas and the search index are.
Listener = Callable[[Written | None], None]
# Which (value IRI, class IRI) pairs the store knows, for `sh:class` (`ShapesValidator.validate`).
KnownTypes = Callable[[list[tuple[str, str]]], set[tuple[str, str]]]


@dataclass
class WriteResult:
    change: NamedNode
    graphs: list[str]
    added: int
    removed: int
    warnings: list[Violation] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    entity: NamedNode | None = None  # the one entity a form's change is about (`contributions.forms.save`)


class Writer:
    """Validates, records and applies changes to one store."""

    def __init__(
        self,
        store: KnowledgeStore,
        names: Names,
        history_dir: Path,
        *,
        min_free_bytes: int = 0,
        max_literal_chars: int | None = None,
    ):
        self.store, self.names, self.history_dir = store, names, Path(history_dir)
        # Settings (graph/settings.py): a write is refused (DiskFull) below this much free space, and a
        # file read by `load_file` may not hold a longer literal (None: parsing.MAX_LITERAL_CHARS).
        self.min_free_bytes, self.max_literal_chars = min_free_bytes, max_literal_chars
        # One write at a time: validation sees the state it writes over, inferences are computed from it,
        # and listeners receive the writes in the order they were applied (replicas replay them).
        self.lock = threading.RLock()
        # Writes begun so far: what a SPARQL Update worked out outside the lock still holds if none began
        # meanwhile (`update_change.apply_update`). Read and changed under the lock.
        self.writes_begun = 0
        # called after every successful write with what it did (a `Written`; None when unknown or large,
        # e.g. a file loaded directly), to refresh what derives from the store (replicas, search index)
        self.listeners: list[Listener] = []
        self.behind: dict[
            Listener, str
        ] = {}  # listener → why it failed after a commit; it starts over (None) next time
        self.reasoner = inference.Reasoner(names)
        # who reads each graph of an audience (`audiences.py`), as `access.may_read` asks it
        self.rules = rules_for(names.base)
        self.rules.load(store, names)
        self.timers: list[
            Callable[[float], object]
        ] = []  # called with each write's seconds, checks to listeners (the write latency metric)
        # the platform's organisations beside those with graphs (the service's accounts'): their actors
        # `actor/{org}` are their own (`minted.refuse_others_actor`)
        self.organisations: Callable[[], set[str]] = set
        # the full-text index and its follower (`factory.open_writer`)
        self.search: SearchIndex | None = None
        self.reindex: Listener | None = None

    @cached_property
    def validator(self) -> ShapesValidator:
        return ShapesValidator(Graph().parse(data=read_bytes("shapes.ttl"), format="turtle"))

    @cached_property
    def context(self) -> list[Quad]:
        """The ontology, structure and schemes: class and property hierarchies for validation."""
        ctx = Store()
        for name in CONTEXT_FILES:
            ctx.load(read_bytes(name), RdfFormat.TURTLE, to_graph=CONTEXT)
        return list(ctx)

    # -- entry points ------------------------------------------------------------------------
    def load_file(
        self,
        path: Path,
        graph: NamedNode | None,
        user: User,
        *,
        fmt: str | None = None,
        validate: bool = True,
        progress: Progress | None = None,
    ) -> WriteResult:
        """Load a file. A trusted admin load without validation goes straight to the bulk loader
        (the store stays atomic: a syntax error half-way restores it); it is checked by its graph only,
        its statements are not read before they are written."""
        rdf = rdf_format(fmt, Path(path).name)
        if not has_statements(path, rdf):
            raise RdfParseError("the file holds no statements: nothing was loaded", str(path))
        direct = getattr(self.store, "loads_files_atomically", False)
        if validate or graph is None or rdf.supports_datasets or not direct:
            clock = time.perf_counter()
            staged = parse_file(path, graph, fmt, progress, max_literal_chars=self.max_literal_chars)
            parsed_in = round(time.perf_counter() - clock, 3)
            result = self.load(staged, user, validate=validate)
            result.seconds = {"parse": parsed_in, **result.seconds}
            return result
        self._check_role(user, {graph}, validate=False)
        try:
            with self.lock:
                return self._write(
                    None, [], user, source=str(path), validated=False, file=FileSource(Path(path), rdf, graph)
                )
        except SyntaxError as e:  # from the bulk loader, after the store was restored
            raise as_parse_error(e, str(path)) from None

    def load(self, staged: Staged, user: User, *, validate: bool = True) -> WriteResult:
        """Write a parsed file (all its quads are additions; parsing refused its huge literals)."""
        with self.lock:
            return self._checked_write(staged.store, [], user, staged.source, validate)

    def load_dump(self, staged: Staged, user: User, *, validated: bool) -> WriteResult:
        """Write another installation's dump as it is — its provenance and the graphs APIs own included —
        past the permission step: only for `dump_load.load_dump`, which holds the lock, checks that the
        user is an admin and the store empty, validates, and drops the inferred graphs (recomputed here,
        as after any write)."""
        with self.lock:
            return self._write(staged.store, [], user, source=staged.source, validated=validated)

    def write(
        self,
        added: Store,
        removed: list[Quad],
        user: User,
        *,
        source: str,
        validate: bool = True,
        api: str | None = None,
        detail: str | None = None,
    ) -> WriteResult:
        """`api` names the API writing (`access.ANNOTATIONS_API`, …): only its code passes it, and only
        through it are the graphs and statements it owns written (`access.owning_api`, `ownership`).
        What forms, imports and APIs build was not parsed: its literals are checked here (400 past
        `max_literal_chars`). `detail`: what the change was asked as (a SPARQL Update's text), kept on
        its record for facilitators and admins (`history.record_change`)."""
        refuse_huge_terms(added, source, self.max_literal_chars)
        with self.lock:
            return self._checked_write(added, removed, user, source, validate, api, detail)

    def _checked_write(
        self,
        added: Store,
        removed: list[Quad],
        user: User,
        source: str,
        validate: bool,
        api: str | None = None,
        detail: str | None = None,
    ) -> WriteResult:
        began = time.perf_counter()
        self.check_permission(added, removed, user, validate=validate, api=api)
        warnings: list[Violation] = []
        clock = time.perf_counter()
        if validate:
            report = self.check(added, removed, user)
            if not report.conforms:
                raise ValidationFailed(report)
            warnings = report.warnings
        validated_in = round(time.perf_counter() - clock, 3)
        result = self._write(added, removed, user, source=source, validated=validate, detail=detail)
        result.warnings = warnings
        result.seconds = {"validate": validated_in, **result.seconds}
        for timer in self.timers:
            timer(time.perf_counter() - began)
        return result

    # -- steps -------------------------------------------------------------------------------
    def check_permission(
        self, added: Store, removed: list[Quad], user: User, *, validate: bool = True, api: str | None = None
    ) -> None:
        """The permission step, also for dry runs: the user may write every graph touched (through
        `api`), and a graph describes its owner's things (`ownership.check`); raises NotAllowed."""
        graphs = {named(q.graph_name) for q in removed} | set(added.named_graphs())
        self._check_role(user, graphs, validate, api)
        quads, organisations = list(added), self.organisations()
        authorizations.check_new(self.store, self.names, self.rules, user, set(added.named_graphs()), organisations)
        write_checks.check(self.store, self.names, user, quads, removed)
        ownership.check(self.store, self.names, user, quads, removed, api, organisations)

    def _check_role(self, user: User, graphs: AbstractSet[GraphName], validate: bool, api: str | None = None) -> None:
        if not validate and user.role != "admin":
            raise PermissionError("only an admin may write without validation")
        check_write(user, graphs, self.names, api)

    def _write(
        self,
        added: Store | None,
        removed: list[Quad],
        user: User,
        *,
        source: str,
        validated: bool,
        file: FileSource | None = None,
        detail: str | None = None,
    ) -> WriteResult:
        self.writes_begun += 1
        started, clock = now(), time.perf_counter()
        graphs: set[GraphName]
        if file:
            graphs = {file.graph}
        else:
            assert added is not None  # a write that loads no file has its staged quads
            graphs = {named(q.graph_name) for q in removed} | set(added.named_graphs())
        files: list[Path] = []
        made: list[NamedNode] = []
        records: list[Quad] = []
        if file and (rule := authorizations.needed(self.store, self.names, self.rules, {file.graph})):
            first = Store()
            first.extend(rule)
            self._write(first, [], user, source=source, validated=validated)  # the file's graph's rule first
        elif added is not None and self.names.access_control not in added.named_graphs():  # a dump brings its own
            for q in authorizations.needed(self.store, self.names, self.rules, set(added.named_graphs())):
                added.add(q)
        rules_changed = (
            added is not None
            and self.names.access_control in added.named_graphs()
            or any(q.graph_name == self.names.access_control for q in removed)
        )
        if rules_changed:
            self.rules.load(self.store, self.names, pending=added, removed=removed)  # as readers will find them

        def record(count: int) -> list[Quad]:
            delta = record_change(
                self.history_dir,
                self.names,
                user,
                added,
                removed,
                graphs,
                source,
                validated,
                started,
                count=count,
                copy_of=self._keep(file) if file else None,
                detail=detail,
            )
            files.extend(delta.files)
            made.append(delta.change)
            records.extend(delta.record)
            return delta.record

        change = Change(added, removed, record, file)
        check_free(self.history_dir, self.min_free_bytes)
        try:
            getattr(self.store, "recover", lambda: None)()  # a store whose last write failed is reopened first
            count = self.store.apply(change, self.names.is_inferred, self._infer)
        except BaseException as e:
            for f in files:
                f.unlink(missing_ok=True)
            if rules_changed:
                self.rules.load(self.store, self.names)
            if is_disk_full(e) and not isinstance(e, DiskFull):
                raise refusal(self.history_dir) from e
            raise
        written = None
        if change.inferred_change is not None and len(change.staged) + len(removed) <= MAX_INCREMENTAL:
            gone, new = change.inferred_change  # a change with its staged quads (the stores know no file's)
            written = Written([*change.staged, *records, *new], [*removed, *gone])
        self._tell(written)
        return WriteResult(
            made[0],
            sorted(g.value for g in graphs),
            count,
            len(removed),
            seconds={"write": round(time.perf_counter() - clock, 3)},
        )

    # -- after the commit ----------------------------------------------------------------------
    def _tell(self, written: Written | None, listeners: list[Listener] | None = None) -> None:
        """Tell the listeners what was written. The write is committed whatever they do: one that fails
        (the search index on a full disk) is logged, and next time — the next write, or `catch_up` — it is
        told None, to start over from the store, until it succeeds. Its failure used to fail the write
        (500) after the commit, and clients that retried made duplicates."""
        for listener in self.listeners if listeners is None else listeners:
            try:
                listener(None if listener in self.behind else written)
            except Exception as e:  # whatever it is, the write stands; /health shows it until repaired
                if listener not in self.behind:
                    log.exception(
                        "%s failed after a committed write; it starts over from the store next time", _name(listener)
                    )
                self.behind[listener] = str(e)[:300] or type(e).__name__
            else:
                self.behind.pop(listener, None)

    def catch_up(self) -> None:
        """Repair what a fault left behind without waiting for a write: reopen a store whose writes failed,
        and let each listener that failed start over from the store (see service/recovery.py)."""
        with self.lock:
            getattr(self.store, "recover", lambda: None)()
            self._tell(None, list(self.behind))

    def lagging(self) -> dict[str, str]:
        """The listeners still behind the store, by name, with their error (for /health)."""
        return {_name(listener): error for listener, error in list(self.behind.items())}

    def _keep(self, file: FileSource) -> tuple[Path, str]:
        """Copy a directly loaded file into the history (the delta of a trusted load is the file)."""
        self.history_dir.mkdir(parents=True, exist_ok=True)
        target = self.history_dir / f"incoming-{time.time_ns()}{file.path.suffix}"
        try:
            shutil.copyfile(file.path, target)
        except BaseException:  # a full disk: no half copy left behind
            target.unlink(missing_ok=True)
            raise
        digest = hashlib.sha256()
        with target.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        return target, digest.hexdigest()

    def _infer(self, change: Change | None) -> list[Quad] | None:
        """Every inferred quad after the change, or None when the change cannot alter them (it holds none
        of the triples the rules read: a title, an annotation, an observation — most partners' writes)."""
        if change is not None and change.added is not None and not self._feeds_rules(change.added, change.removed):
            return None
        added = change.added if change else None
        sources, removed = self.sources(added.named_graphs() if added else ()), change.removed if change else ()
        premises = inference.premises(self.store, sources, added, removed)
        premises = inference.facts_only(self.store, self.names, sources, premises, self._inferred_for, added, removed)
        return self.reasoner.conclusions(premises, self._inferred_for)

    def _inferred_for(self, graph: GraphName) -> NamedNode | None:
        """The inferred graph of a premise graph's audience: the public one for what anonymous readers
        may read today (an embargo that has ended included)."""
        if is_public(graph.value, self.names):
            return self.names.inferred
        return self.names.inferred_for(graph)

    def _feeds_rules(self, added: Store, removed: list[Quad]) -> bool:
        predicates = {q.predicate for q in _chain(added, removed)}
        if not predicates:
            return False
        attributions = inference.attribution_predicates(self.store, predicates)
        if not (predicates & inference.READ or attributions):  # a typing may make a statement a claim, or a fact
            return inference.retyped(self.store, list(_chain(added, removed)))
        return not inference.inert(self.store, list(_chain(added, removed)), attributions)

    def sources(self, extra: Iterable[GraphName] = ()) -> list[GraphName]:
        """Every user graph: what the rules read (not the inferred and provenance graphs)."""
        graphs = {g for g in [*self.store.graphs(), *extra] if not self.names.is_derived(g)}
        return sorted(graphs, key=lambda g: g.value)

    def refresh(self) -> None:
        """Recompute the inferred graphs from scratch (after an out-of-band change)."""
        self.rules.load(self.store, self.names)
        quads = all_inferred(self._infer)
        stale = [g for g in self.store.graphs() if self.names.is_inferred(g)]
        self.store.update(
            " ;\n".join(
                [*(f"DROP SILENT GRAPH {g}" for g in stale), f"INSERT DATA {{ {quads_to_update_data(quads)} }}"]
            )
        )

    # -- validation --------------------------------------------------------------------------
    def check(self, added: Store, removed: list[Quad], user: User | None = None) -> ValidationReport:
        """Validate what the touched entities will look like after the change. The classes of the entities
        it refers to (`sh:class`) are looked up in the graphs `user` may read: a reference to another
        organisation's private actor must fail as a reference to nothing does, or the answer tells that
        it exists, and what it is."""
        known = self._types_seen_by(user)
        if not all(self.names.is_validated(g) for g in {*added.named_graphs(), *(q.graph_name for q in removed)}):
            added = _validated(added, self.names)
            removed = [q for q in removed if self.names.is_validated(q.graph_name)]
            if not len(added) and not removed:
                return ValidationReport()  # nothing in the platform's graphs: no shape applies
        existing = self._existing(added, removed)
        if not existing and not removed:
            # Pure additions to graphs without those entities: validate the staged store in place.
            added.bulk_extend(self.context)
            try:
                return self.validator.validate(added, known=known)
            finally:
                added.remove_graph(CONTEXT)
        staging = stage_for_validation(_chain(added, existing), self.context)
        for q in removed:
            staging.remove(q)
        return self.validator.validate(staging, known=known)

    def _types_seen_by(self, user: User | None) -> KnownTypes:
        if user is None or user.role in ("admin", "facilitator"):  # they read every graph
            return self.store.describe_types
        return lambda pairs: known_types(seen_by(self.store, user, self.names).query, pairs, chunk=500)

    def _existing(self, added: Store, removed: list[Quad]) -> list[Quad]:
        """Quads the store already holds about the subjects being written, in the same graphs."""
        found: list[Quad] = []
        by_graph: dict[NamedNode, set[NamedNode]] = {}
        for q in _chain(added, removed):
            if isinstance(q.subject, NamedNode):
                by_graph.setdefault(q.graph_name, set()).add(q.subject)
        for graph, subjects in by_graph.items():
            if not self._has_data(graph):
                continue
            ordered = sorted(subjects, key=lambda n: n.value)
            for start in range(0, len(ordered), 500):
                values = " ".join(str(s) for s in ordered[start : start + 500])
                rows = solutions(
                    self.store.query(
                        f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} GRAPH {graph} {{ ?s ?p ?o }} }}"
                    )
                )
                found.extend(Quad(r["s"], r["p"], r["o"], graph) for r in rows)
        return found

    def _has_data(self, graph: NamedNode) -> bool:
        return bool(self.store.query(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}"))


def _name(listener: Listener) -> str:
    return getattr(listener, "__name__", None) or repr(listener)


def _validated(added: Store, names: Names) -> Store:
    """The quads of `added` the shapes check (`Names.is_validated`), in a store of their own."""
    kept = Store()
    kept.bulk_extend(q for q in added if names.is_validated(q.graph_name))
    return kept


def _chain(*parts: Iterable[T]) -> Iterator[T]:
    for part in parts:
        yield from part
