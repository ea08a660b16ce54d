"""A consistent copy of a data directory, taken while the service writes, and its restore.

What a backup holds: the store (a RocksDB checkpoint), the accounts and search databases (SQLite's online
backup), the history's delta files, the studies' documents and the graph-layout marker, with
`manifest.json`: the quads of each graph, the SHA-256 of every file, the versions that wrote them.
What it leaves out, as the manifest says: the query engines' snapshots (rebuilt at start), a bulk load's
checkpoint and journal (none while the writer's lock is held), unfinished files (`*.part`, `incoming-*`)
and SQLite's `-wal`/`-shm` files (each copy is one self-contained file).

Why it is consistent: every write — the store's transaction, its delta files in `history/`, the search
index's update, a document's file and its removal — happens under the writer's lock (`Writer.lock`). The
backup takes that lock for as long as it takes a checkpoint (hard links, milliseconds), hard-links the
history's and the documents' files (immutable: named by change and by checksum) and copies the search
index: so a change is in the copy with its delta and its index entries, or not at all. Writes wait for
it (~0.1 s on the demo). The accounts are not written under that lock; SQLite's online backup gives a
consistent state of their own. Checksums and counts are computed after the lock is released, from the
copy. The copy is staged inside the data directory (hard links need the same disk), then moved to its
destination or streamed as a tar file (`tar_stream`) by the service.

A backup is restored only into an empty data directory, and only if every file matches its checksum
and the store holds the quads the manifest counts (`restore`).
"""

import gc
import hashlib
import json
import os
import shutil
import sqlite3
import tarfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyoxigraph import Store

from pic.graph.installation.layout import LAYOUT, layout_file
from pic.graph.store.interface import solutions

if TYPE_CHECKING:  # the write path's module imports most of graph/
    from pic.graph.writes.path import Writer

# A backup's manifest.json, as written and as read back (JSON: checked key by key where it is read).
Manifest = dict[str, Any]

FORMAT = 1  # of the backup itself: what `restore` knows how to read
MANIFEST = "manifest.json"
STAGING = ".backup-staging-"  # the staged copies' names in the data directory
STALE = 24 * 3600  # seconds after which a staged copy is taken for what a killed backup left
DATABASES = ("accounts.sqlite", "search.sqlite")
LEFT_OUT = {
    "snapshots": "the query engines' copies, rebuilt from the store at start",
    "checkpoint": "a bulk load's safety copy (none while writes are locked)",
    "bulk-load.journal": "a bulk load's journal (none while writes are locked)",
    "store.interrupted": "what a killed bulk load left",
}
COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


class BackupError(ValueError):
    """A backup that cannot be taken or restored: says why and what to do, in one line."""


# -- taking ---------------------------------------------------------------------------------------
def stage(writer: "Writer", data_dir: Path) -> Path:
    """Copy everything under the writer's lock into a new folder of the data directory; returns it with
    its manifest written. Call `remove_staged` (or move it away) when done."""
    data_dir = Path(data_dir)
    if not hasattr(writer.store, "backup"):
        raise BackupError(
            "PIC_STORE=remote: back up the remote engine with its own tools; `pic backup` copies the embedded store"
        )
    _remove_stale(data_dir)
    staging = data_dir / f"{STAGING}{uuid.uuid4().hex[:12]}"
    staging.mkdir(mode=0o700)  # the accounts' password and token hashes are in it
    try:
        with writer.lock:
            writer.store.backup(staging / "store")
            for name in DATABASES:
                if (data_dir / name).exists():
                    copy_sqlite(data_dir / name, staging / name)
            for folder, keep in (("history", _is_delta), ("documents", _is_document)):
                for path in sorted((data_dir / folder).glob("*")) if (data_dir / folder).is_dir() else ():
                    if path.is_file() and keep(path.name):
                        _link(path, staging / folder / path.name)
            if layout_file(data_dir).exists():
                shutil.copy2(layout_file(data_dir), staging / layout_file(data_dir).name)
        write_manifest(staging, writer.names.base, left_out(data_dir))
    except BaseException:
        remove_staged(staging)
        raise
    return staging


def take(writer: "Writer", data_dir: Path, target: Path) -> Manifest:
    """Write a backup into `target` (new, or an empty folder); returns its manifest."""
    target = Path(target)
    refuse_non_empty(target, "the backup's folder")
    staging = stage(writer, data_dir)
    try:
        if target.exists():
            target.rmdir()
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(staging, target)  # a rename on the same disk, else a copy
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)  # it was new or empty: no half backup left there
        raise
    finally:
        remove_staged(staging)
    return read_manifest(target)


def copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy while others write, as one file (no -wal beside it)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")
    finally:
        src.close()
        dst.close()


def write_manifest(folder: Path, base_iri: str, left: dict[str, str]) -> Manifest:
    manifest: Manifest = {
        "format": FORMAT,
        "created": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "versions": {"pic": _version("pic-euralens"), "layout": LAYOUT, "pyoxigraph": _version("pyoxigraph")},
        "base_iri": base_iri,
        "graphs": count_quads(folder / "store"),
        "files": {
            rel: {"sha256": _sha256(folder / rel), "bytes": (folder / rel).stat().st_size} for rel in _files(folder)
        },
        "left_out": left,
    }
    manifest["quads"] = sum(manifest["graphs"].values())
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def count_quads(store_dir: Path) -> dict[str, int]:
    """Quads per named graph ("" for the default graph), read from a copy no process writes."""
    store = Store.read_only(str(store_dir))
    try:
        counts = {row["g"].value: int(row["n"].value) for row in solutions(store.query(COUNTS))}
        rows = solutions(store.query("SELECT * WHERE { ?s ?p ?o }", use_default_graph_as_union=False))
        default = sum(1 for _ in rows)
        if default:
            counts[""] = default
        return dict(sorted(counts.items()))
    finally:
        del store
        gc.collect()  # RocksDB's files are let go with the last reference


def left_out(data_dir: Path) -> dict[str, str]:
    """What the data directory holds that a backup does not copy, and why."""
    known = {"store", "history", "documents", layout_file(data_dir).name, *DATABASES}
    left = {}
    for path in sorted(Path(data_dir).iterdir()):
        if path.name in known or path.name.startswith(STAGING):
            continue
        if path.name.startswith(DATABASES) and path.name.endswith(("-wal", "-shm", "-journal")):
            continue  # SQLite's side files: the online backup reads through them
        left[path.name] = LEFT_OUT.get(path.name, "not a part of the platform's data")
    return left


def tar_stream(folder: Path, remove: bool = True) -> Iterator[bytes]:
    """The staged backup as an uncompressed tar file (the manifest first), block by block: the store's
    files are compressed already, and a 1 GB file never sits in memory. `remove`: the folder after."""
    try:
        for rel in [MANIFEST, *_files(folder)]:
            path = folder / rel
            info = tarfile.TarInfo(rel)
            info.size, info.mtime, info.mode = path.stat().st_size, int(path.stat().st_mtime), 0o644
            yield info.tobuf(format=tarfile.PAX_FORMAT)
            with path.open("rb") as f:
                yield from iter(lambda: f.read(1 << 20), b"")
            if info.size % tarfile.BLOCKSIZE:
                yield bytes(tarfile.BLOCKSIZE - info.size % tarfile.BLOCKSIZE)
        yield bytes(2 * tarfile.BLOCKSIZE)
    finally:
        if remove:
            remove_staged(folder)


def remove_staged(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


# -- checking and restoring ---------------------------------------------------------------------------
def read_manifest(folder: Path) -> Manifest:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} is not a backup: it has no {MANIFEST}")
    try:
        manifest: Manifest = json.loads(path.read_text())
        files, graphs = manifest["files"], manifest["graphs"]
    except (ValueError, KeyError, TypeError) as e:
        raise BackupError(f"{path} is damaged ({e}): use another backup") from None
    if manifest.get("format") != FORMAT or not isinstance(files, dict) or not isinstance(graphs, dict):
        raise BackupError(f"{path} is not a backup this version reads (format {manifest.get('format')!r})")
    if manifest.get("versions", {}).get("layout", 0) > LAYOUT:
        raise BackupError(
            f"the backup was made by a newer pic (graph layout {manifest['versions']['layout']}); "
            f"restore it with that version"
        )
    return manifest


def verify(folder: Path) -> Manifest:
    """The manifest, once every file it lists is there with its checksum and nothing else is."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    present = set(_files(folder))
    missing = sorted(set(manifest["files"]) - present)
    extra = sorted(present - set(manifest["files"]))
    if missing or extra:
        which = f"{missing[0]} is missing" if missing else f"{extra[0]} is not in its manifest"
        raise BackupError(f"the backup in {folder} is incomplete or altered: {which}; use another backup")
    for rel, expected in manifest["files"].items():
        if _sha256(folder / rel) != expected.get("sha256"):
            raise BackupError(
                f"the backup in {folder} fails its checksums: {rel} was changed or damaged; use another backup"
            )
    return manifest


def restore(source: Path, data_dir: Path) -> Manifest:
    """Copy a verified backup into `data_dir` (new or empty); returns its manifest. The files are copied
    beside the target first and renamed into place once the copy's store holds what the manifest counts,
    so a failed restore leaves no half data directory."""
    source, data_dir = Path(source), Path(data_dir)
    refuse_non_empty(data_dir, "the data directory (PIC_DATA_DIR)")
    manifest = verify(source)
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    temporary = data_dir.with_name(f".{data_dir.name}.restoring-{uuid.uuid4().hex[:8]}")
    try:
        for rel, expected in manifest["files"].items():
            (temporary / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / rel, temporary / rel)
            if _sha256(temporary / rel) != expected["sha256"]:
                raise BackupError(f"{rel} changed while it was copied into {data_dir}: try again")
        counts = count_quads(temporary / "store")
        if counts != manifest["graphs"]:
            wrong = sorted(set(counts.items()) ^ set(manifest["graphs"].items()))[0][0]
            raise BackupError(
                f"the backup's store does not hold what its manifest counts (graph {wrong or 'default'})"
                "; use another backup"
            )
        if data_dir.exists():
            data_dir.rmdir()
        temporary.rename(data_dir)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return manifest


def refuse_non_empty(folder: Path, what: str) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"{what} {folder} is not empty: give a new or empty folder")


# -- helpers --------------------------------------------------------------------------------------------
def _files(folder: Path) -> list[str]:
    """Every file under `folder` but the manifest, as sorted relative POSIX paths."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in Path(folder).rglob("*")
        if p.is_file() and p.relative_to(folder).as_posix() != MANIFEST
    )


def _is_delta(name: str) -> bool:
    return not name.startswith("incoming-") and not name.endswith(".part")


def _is_document(name: str) -> bool:
    return not name.endswith(".part")


def _link(source: Path, target: Path) -> None:
    """A hard link (same disk, immutable file), else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def _remove_stale(data_dir: Path) -> None:
    """Staged copies a killed backup left (a running backup's is recent)."""
    for path in data_dir.glob(f"{STAGING}*"):
        if time.time() - path.stat().st_mtime > STALE:
            remove_staged(path)
