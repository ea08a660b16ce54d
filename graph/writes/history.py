"""The append-only history of writes: one delta file per change, one PROV activity per change.

The delta (added and removed quads, gzipped N-Quads) sits in `history/` beside the store; the activity
in a provenance graph says who, when, which graphs, how many triples, which entities, and points to
the delta by file name and checksum. Replaying deltas answers "what changed" and "as of year X".

An activity says as much as the change it records (the private graph's IRI, the entities it touched,
the file's name), so it goes to the provenance graph of the narrowest audience of the graphs changed
(`Names.provenance_for`): `provenance` for public graphs, `private/{org}/provenance` for one
organisation's (`private/{org}/until-…/provenance` for an embargo, public on its day), and
`restricted/provenance`, read by facilitators and admins only, for anything else (several
organisations, hidden graphs), and for a SPARQL Update's text (`detail`). A change that also changed
public graphs (a draft made public) leaves besides a public record of who, when and which public graphs
and entities (`public_record`), without its private side.
"""

import gzip
import hashlib
import uuid
from collections.abc import Collection, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, serialize

from pic.graph.access import User
from pic.graph.names import GraphName, Names
from pic.graph.store.atomic_file import atomic_file
from pic.graph.store.interface import KnowledgeStore, solutions
from pic.ontology.namespaces import PREFIXES, expand, sparql_prefixes
from pic.ontology.namespaces import SHAPES_IRI as SHAPES

PROV = PREFIXES["prov"]
PIC = PREFIXES["pic"]
RDF_TYPE = NamedNode(expand("rdf:type"))
RDFS_LABEL = NamedNode(expand("rdfs:label"))
XSD = PREFIXES["xsd"]
DCTERMS_SOURCE = NamedNode(expand("dcterms:source"))
DCTERMS_DESCRIPTION = NamedNode(expand("dcterms:description"))
SHAPES_IRI = NamedNode(SHAPES)
MAX_TOUCHED = 500  # entities listed on the activity; past that, the delta file tells
MAX_DETAIL = 10_000  # characters of a change's `detail` kept on its activity


@dataclass
class Delta:
    change: NamedNode
    files: list[Path]
    record: list[Quad]


def now() -> datetime:
    return datetime.now(UTC)


def write_delta(path: Path, quads: Iterable[Quad]) -> str:
    """Write a delta file (gzipped N-Quads); the SHA-256 of the file, as its record gives it."""
    digest = hashlib.sha256()
    with gzip.open(path, "wb", compresslevel=1) as f:
        serialize(quads, f, RdfFormat.N_QUADS)  # type: ignore[arg-type]  # stubs: IO[bytes]; a GzipFile is a binary file
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def rewrite_delta(path: Path, quads: Iterable[Quad]) -> str:
    """Replace a delta file's content (a withdrawal, an erasure), whole or not at all; its new checksum."""
    with atomic_file(path) as f, gzip.GzipFile(fileobj=f, mode="wb", compresslevel=1) as gz:
        serialize(quads, gz, RdfFormat.N_QUADS)  # type: ignore[arg-type]  # stubs: IO[bytes]; a GzipFile is a binary file
    return hashlib.sha256(path.read_bytes()).hexdigest()


def record_change(
    history_dir: Path,
    names: Names,
    user: User,
    added: Collection[Quad] | None,  # None: a file loaded directly (its copy is kept whole)
    removed: list[Quad],
    graphs: AbstractSet[GraphName],
    source: str,
    validated: bool,
    started: datetime,
    count: int,
    copy_of: tuple[Path, str] | None = None,
    detail: str | None = None,
) -> Delta:
    """Write the delta files and build the provenance activity (not yet in the store).

    `added` is None for a file loaded directly; `copy_of` is then that file's copy in the history and
    its checksum, and stands as the delta. `detail` (a SPARQL Update's text) goes on the activity as its
    dcterms:description in `restricted/provenance` only: its WHERE may name what the change's readers
    may not read.
    """
    history_dir.mkdir(parents=True, exist_ok=True)
    change_id = f"{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    change = names.change(change_id)
    g = names.provenance_for(graphs)
    agent = names.user(user.name)
    record = [
        Quad(change, RDF_TYPE, NamedNode(f"{PROV}Activity"), g),
        Quad(change, RDF_TYPE, NamedNode(f"{PIC}Change"), g),
        Quad(change, NamedNode(f"{PROV}wasAssociatedWith"), agent, g),
        Quad(change, NamedNode(f"{PROV}startedAtTime"), _datetime(started), g),
        Quad(change, NamedNode(f"{PROV}endedAtTime"), _datetime(now()), g),
        Quad(change, NamedNode(f"{PIC}addedTriples"), _integer(count), g),
        Quad(change, NamedNode(f"{PIC}removedTriples"), _integer(len(removed)), g),
        Quad(change, DCTERMS_SOURCE, Literal(source), g),
        Quad(agent, RDF_TYPE, NamedNode(f"{PROV}Agent"), g),
        Quad(agent, RDFS_LABEL, Literal(user.name), g),
    ]
    if validated:
        record.append(Quad(change, NamedNode(f"{PROV}used"), SHAPES_IRI, g))
    if detail:
        record.append(Quad(change, DCTERMS_DESCRIPTION, Literal(detail[:MAX_DETAIL]), names.restricted_provenance))
    for graph in sorted(graphs, key=lambda n: n.value):
        record.append(Quad(change, NamedNode(f"{PIC}changedGraph"), graph, g))
    touched = {q.subject for q in removed if isinstance(q.subject, NamedNode)}
    for q in added if added is not None else ():
        if len(touched) > MAX_TOUCHED:
            break
        if isinstance(q.subject, NamedNode):
            touched.add(q.subject)
    if len(touched) <= MAX_TOUCHED:
        record.extend(Quad(change, NamedNode(f"{PIC}touched"), s, g) for s in sorted(touched, key=lambda n: n.value))
    record += public_record(names, change, agent, user, started, graphs, added, removed, g)
    files = []
    deltas = [("added", added), ("removed", removed)]
    if copy_of is not None:
        kept, checksum = copy_of
        path = history_dir / f"{change_id}.added{kept.suffix}"
        kept.rename(path)
        files.append(path)
        record.append(Quad(change, NamedNode(f"{PIC}deltaFile"), Literal(f"history/{path.name}"), g))
        record.append(Quad(change, NamedNode(f"{PIC}deltaChecksum"), Literal(f"sha256:{checksum}"), g))
        deltas = [("removed", removed)]
    try:
        for kind, quads in deltas:
            if quads is None or len(quads) == 0:
                continue
            path = history_dir / f"{change_id}.{kind}.nq.gz"
            files.append(path)
            checksum = write_delta(path, quads)
            record.append(Quad(change, NamedNode(f"{PIC}deltaFile"), Literal(f"history/{path.name}"), g))
            record.append(Quad(change, NamedNode(f"{PIC}deltaChecksum"), Literal(f"sha256:{checksum}"), g))
    except BaseException:  # a full disk half-way through a file: no delta of a change that did not happen
        for path in files:
            path.unlink(missing_ok=True)
        raise
    return Delta(change, files, record)


def public_record(
    names: Names,
    change: NamedNode,
    agent: NamedNode,
    user: User,
    started: datetime,
    graphs: AbstractSet[GraphName],
    added: Collection[Quad] | None,  # None: a file loaded directly (its copy is kept whole)
    removed: list[Quad],
    g: NamedNode,
) -> list[Quad]:
    """What anonymous readers learn of a change whose record goes to a narrower provenance graph but that
    changed public graphs too — a draft moved from `private/{org}` to `partner/{org}` by its form: who,
    when, which public graphs and which entities in them (public now, or until then), in `provenance`.
    Nothing of the private side: no private graph, no entity only it holds, no counts, no source text,
    no delta file (issue 16, outside re-test finding 9b). `ownership.earliest_typing` then reads when an
    entity became public from the public records, as the rule says."""
    public = sorted((graph for graph in graphs if names.audience_of(graph) == ""), key=lambda n: n.value)
    if g == names.provenance or not public:
        return []
    p = names.provenance
    out = [
        Quad(change, RDF_TYPE, NamedNode(f"{PROV}Activity"), p),
        Quad(change, RDF_TYPE, NamedNode(f"{PIC}Change"), p),
        Quad(change, NamedNode(f"{PROV}wasAssociatedWith"), agent, p),
        Quad(change, NamedNode(f"{PROV}startedAtTime"), _datetime(started), p),
        Quad(agent, RDF_TYPE, NamedNode(f"{PROV}Agent"), p),
        Quad(agent, RDFS_LABEL, Literal(user.name), p),
    ]
    out += [Quad(change, NamedNode(f"{PIC}changedGraph"), graph, p) for graph in public]
    shown = set(public)
    touched = {
        q.subject
        for q in [*(added if added is not None else ()), *removed]
        if q.graph_name in shown and isinstance(q.subject, NamedNode)
    }
    if len(touched) <= MAX_TOUCHED:
        out += [Quad(change, NamedNode(f"{PIC}touched"), s, p) for s in sorted(touched, key=lambda n: n.value)]
    return out


def _integer(value: int) -> Literal:
    return Literal(str(value), datatype=NamedNode(f"{XSD}integer"))


def _datetime(value: datetime) -> Literal:
    return Literal(
        value.isoformat(timespec="milliseconds").replace("+00:00", "Z"), datatype=NamedNode(f"{XSD}dateTime")
    )


def remove_orphans(history_dir: Path) -> list[Path]:
    """Files a killed bulk load left: its copy of the loaded file (`incoming-*`) is renamed to its change's
    delta once the change is recorded, so one still named so belongs to no change. Call before writes start."""
    orphans = sorted(Path(history_dir).glob("incoming-*")) if Path(history_dir).exists() else []
    for orphan in orphans:
        orphan.unlink()
    return orphans


DELTA_FILES = sparql_prefixes("pic") + "SELECT DISTINCT ?f WHERE { GRAPH ?g { ?c pic:deltaFile ?f } }"


def remove_unrecorded(history_dir: Path, store: KnowledgeStore) -> list[Path]:
    """Delta files of changes the store does not have: a write's delta is written before its transaction,
    so a server killed between the two (or a write the disk stopped) leaves one that no activity names —
    replaying the history would replay a change that never happened. Call before writes start."""
    history_dir = Path(history_dir)
    if not history_dir.exists():
        return []
    named = {row["f"].value for row in solutions(store.query(DELTA_FILES))}
    deltas = [p for p in history_dir.iterdir() if p.is_file() and (".added." in p.name or ".removed." in p.name)]
    orphans = sorted(p for p in deltas if f"history/{p.name}" not in named)
    for orphan in orphans:
        orphan.unlink()
    return orphans
