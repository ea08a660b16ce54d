"""An organisation's data as one archive, and that archive read back into another installation (issue 20
§6, portability: GDPR art. 20).

The archive (`tar.gz`) holds:
- `data.trig`: the organisation's graphs (`partner/{org}…`, `private/{org}/…`, `annotations/{org}…`,
  `hidden/{org}`; not the derived ones, which the target computes again), the authorizations that say who
  reads them, and the records of the changes to them (the records of changes that spanned several
  organisations stay behind: they name others' graphs);
- `documents/`: the files of the documents its graphs describe, by checksum, with their extracted text;
- `history/`: the delta files its change records name;
- `manifest.json`: what it is, when and from where, counts, and each file's SHA-256.

`pic load aula.tar.gz` reads it into an empty installation: the manifest's checksums are checked first,
`data.trig` goes through the dump load (`dump_load.load_dump`: derived graphs computed again, records
kept), then the documents and deltas are copied into place.
"""

import hashlib
import io
import json
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat, Store, Variable, serialize

from pic.graph.access import User
from pic.graph.audiences import rules_of
from pic.graph.contributions.documents import DOCUMENTS, SUFFIX, stored
from pic.graph.names import Names
from pic.graph.store.interface import KnowledgeStore, bind, solutions
from pic.graph.store.parsing import parse_file
from pic.graph.writes.path import Writer, WriteResult
from pic.ontology.namespaces import expand, sparql_prefixes

FORMAT, VERSION = "pic-organisation-export", 1
RECORDS = (
    sparql_prefixes("pic")
    + """SELECT DISTINCT ?change ?p ?o ?g WHERE {
  GRAPH ?g { ?change a pic:Change ; pic:changedGraph ?graph }
  GRAPH ?g { ?change ?p ?o }
  FILTER NOT EXISTS { GRAPH ?g { ?change pic:changedGraph ?other } FILTER (?other NOT IN (GRAPHS)) }
}"""
)
AGENT = "SELECT ?p ?o WHERE { GRAPH ?g { ?agent ?p ?o } }"
DELTA_FILE = NamedNode(expand("pic:deltaFile"))


class ArchiveError(ValueError):
    """An archive that is not an organisation's export, or whose files do not match its manifest."""


def org_graphs(store: KnowledgeStore, names: Names, org: str) -> list[NamedNode]:
    """The organisation's own graphs: what it wrote, not what the platform derived from it."""
    found = []
    for graph in store.graphs():
        if isinstance(graph, NamedNode) and names.owner_of(graph) == org and not names.is_derived(graph):
            found.append(graph)
    return sorted(found, key=lambda g: g.value)


def export(store: KnowledgeStore, names: Names, org: str, documents_dir: Path, history_dir: Path) -> bytes:
    """The archive of `org`'s data, as bytes (an organisation's data is small beside the store's)."""
    graphs = org_graphs(store, names, org)
    data = Store()
    for graph in graphs:
        data.extend(store.quads(graph))
    data.extend(rules_of(store, graphs, names))
    deltas = _records(store, names, graphs, data)
    files: dict[str, bytes] = {}
    buffer = io.BytesIO()
    serialize(data, buffer, RdfFormat.TRIG)
    files["data.trig"] = buffer.getvalue()
    for row in solutions(store.query(DOCUMENTS)):
        if row["g"] not in graphs:
            continue
        sha = row["id"].value.removeprefix("sha256:")
        for suffix in {*SUFFIX.values(), ".txt"}:
            path = stored(documents_dir, sha, suffix)
            if path is not None:
                files[f"documents/{path.name}"] = path.read_bytes()
    for name in sorted(deltas):
        path = (history_dir / Path(name).name).resolve()
        if path.is_relative_to(history_dir.resolve()) and path.is_file():
            files[f"history/{path.name}"] = path.read_bytes()
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "organisation": org,
        "base": names.base,
        "exported": datetime.now(UTC).isoformat(timespec="seconds"),
        "graphs": [g.value for g in graphs],
        "quads": len(data),
        "files": {name: hashlib.sha256(body).hexdigest() for name, body in sorted(files.items())},
    }
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, body in [("manifest.json", json.dumps(manifest, indent=2).encode()), *sorted(files.items())]:
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(body), int(datetime.now(UTC).timestamp())
            tar.addfile(info, io.BytesIO(body))
    return out.getvalue()


def _records(store: KnowledgeStore, names: Names, graphs: list[NamedNode], into: Store) -> set[str]:
    """Add the change records of the organisation's graphs (not those that changed others' graphs too)
    and the accounts that made them (their labels); the delta files they name."""
    if not graphs:
        return set()
    deltas, agents = set(), set()
    users = f"{names.base}user/"
    for row in solutions(store.query(RECORDS.replace("GRAPHS", ", ".join(str(g) for g in graphs)))):
        into.add(Quad(row["change"], row["p"], row["o"], row["g"]))
        if row["p"] == DELTA_FILE:
            deltas.add(row["o"].value)
        if isinstance(row["o"], NamedNode) and row["o"].value.startswith(users):
            agents.add((row["o"], row["g"]))
    for agent, graph in agents:
        for row in solutions(store.query(bind(AGENT, {Variable("agent"): agent, Variable("g"): graph}))):
            into.add(Quad(agent, row["p"], row["o"], graph))
    return deltas


def read_archive(path: Path) -> tuple[dict[str, object], dict[str, bytes]]:
    """The manifest and the files of an archive, checked against the manifest's checksums."""
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            files = {}
            for member in tar.getmembers():
                if not member.isfile():
                    raise ArchiveError(f"{path}: {member.name} is not a file")
                extracted = tar.extractfile(member)
                assert extracted is not None  # a file member
                files[member.name] = extracted.read()
    except (tarfile.TarError, OSError, EOFError) as e:
        raise ArchiveError(f"{path} is not a readable tar.gz archive: {e}") from None
    try:
        manifest = json.loads(files.pop("manifest.json"))
    except (KeyError, ValueError):
        raise ArchiveError(f"{path} has no manifest.json: not an organisation's export") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise ArchiveError(f"{path}: not a {FORMAT} version {VERSION} (it says {manifest.get('format')!r})")
    listed = manifest.get("files", {})
    if set(listed) != set(files):
        raise ArchiveError(f"{path}: its files are not those its manifest lists ({sorted(set(listed) ^ set(files))})")
    for name, body in files.items():
        if hashlib.sha256(body).hexdigest() != listed[name]:
            raise ArchiveError(f"{path}: {name} does not match its checksum in the manifest")
        if "/" in name and name.split("/", 1)[0] not in ("documents", "history") or ".." in name:
            raise ArchiveError(f"{path}: {name} is not where an export puts files")
    return manifest, files


def load(writer: Writer, path: Path, user: User, documents_dir: Path, *, validate: bool = False) -> WriteResult:
    """Read an organisation's archive into this (empty) installation, then the ontology and territories
    this version ships. Without the shapes check unless asked (`validate`): the graphs were checked where
    they were written, and they point at what the source installation held and the archive does not —
    the curators' description of the organisation's own actor, other organisations' entities."""
    from pic.graph.installation.bootstrap import initialise
    from pic.graph.installation.dump_load import load_dump, platform_graphs  # it imports the write path

    manifest, files = read_archive(path)
    if manifest.get("base") != writer.names.base:
        raise ArchiveError(
            f"{path} was exported from an installation whose base IRI is {manifest.get('base')}, not "
            f"{writer.names.base}: its IRIs would not be this installation's"
        )
    with tempfile.TemporaryDirectory() as tmp:
        trig = Path(tmp) / "data.trig"
        trig.write_bytes(files["data.trig"])
        staged = parse_file(trig, None, "trig", None, max_literal_chars=writer.max_literal_chars)
        staged.source = f"{path.name} ({manifest['organisation']}'s export of {manifest['exported']})"
        reserved = platform_graphs(staged.store, writer.names) or [f"{manifest['organisation']}'s graphs"]
        result = load_dump(writer, staged, user, reserved, validate=validate)
    initialise(writer)  # the ontology and territories of this version
    for name, body in files.items():
        folder, _, leaf = name.partition("/")
        target = {"documents": documents_dir, "history": writer.history_dir}.get(folder)
        if target is not None and leaf and not (target / leaf).exists():
            target.mkdir(parents=True, exist_ok=True)
            (target / leaf).write_bytes(body)
    return result
