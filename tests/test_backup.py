"""`pic backup` while `pic serve` runs and writes, `pic restore` into an empty folder (issue 17).

A real server takes writes over HTTP (a partner creating studies, one after the other) before, during and
after the backup; the backup is restored into an empty folder, opened, and compared with the source at
the backup's point: every graph but the inferred ones quad for quad (the source less the changes the
backup does not hold, each known by its delta file), the inferred graphs as the rules conclude from the
restored graphs, the history file for file, the search index entry for entry, the accounts and tokens
row for row, the documents byte for byte. A backup with one byte changed is refused, as is a folder
that is not empty.
"""

import gzip
import hashlib
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, Store, parse

from pic.graph.installation.backup import BackupError, restore
from pic.graph.names import Names
from pic.graph.store.embedded import EmbeddedStore
from pic.graph.writes.path import Writer
from pic.service.accounts import Accounts
from tests.conftest import pic_server

PIC = str(Path(sys.executable).with_name("pic"))
NAMES = Names()
CHANGES = """PREFIX pic: <https://w3id.org/pic-euralens/ontology#>
SELECT ?change ?file ?sum WHERE { GRAPH ?g { ?change a pic:Change
  OPTIONAL { ?change pic:deltaFile ?file . ?change pic:deltaChecksum ?sum } } }"""


def pic(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PIC, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PIC_DATA_DIR": str(data_dir), **env},
    )


class Writes(threading.Thread):
    """A partner creating studies one after the other until told to stop; `made` lists those created."""

    def __init__(self, url: str, token: str):
        super().__init__(daemon=True)
        self.url, self.token, self.made, self.failed = url, token, [], []
        self.stop, self.progress = threading.Event(), threading.Condition()

    def run(self):
        with httpx.Client(base_url=self.url, timeout=60) as client:
            while not self.stop.is_set():
                key = f"sauvegarde-{len(self.made) + len(self.failed)}"
                r = client.post(
                    "/api/contribute/study",
                    headers={"Authorization": f"Bearer {self.token}"},
                    json={"id": key, "title_fr": f"Étude {key}", "status": "planned", "year": "2027"},
                )
                with self.progress:
                    (self.made if r.status_code == 201 else self.failed).append((key, r.status_code, r.text[:200]))
                    self.progress.notify_all()

    def wait_for(self, count: int) -> None:
        with self.progress:
            assert self.progress.wait_for(lambda: len(self.made) >= count or self.failed, timeout=60), self.made
        assert not self.failed, self.failed


def changes(store) -> dict[NamedNode, dict[str, str]]:
    """Each recorded change → its delta files and their checksums."""
    found: dict[NamedNode, dict[str, str]] = {}
    for row in store.query(CHANGES):
        deltas = found.setdefault(row["change"], {})
        if row["file"] is not None:
            deltas[row["file"].value] = row["sum"].value.removeprefix("sha256:")
    return found


def quads_by_graph(store) -> dict[str, set]:
    out: dict[str, set] = {}
    for q in store.quads():
        out.setdefault(q.graph_name.value, set()).add(q)
    return out


def rows(path: Path, table: str) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return sorted(db.execute(f"SELECT * FROM {table}").fetchall())
    finally:
        db.close()


def delta(path: Path) -> list:
    with gzip.open(path) as f:
        return list(parse(f, RdfFormat.N_QUADS))


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()} if folder.is_dir() else {}


def test_a_backup_taken_while_writing_restores_as_the_source_was_at_its_point(tmp_path):
    source, backup, restored = tmp_path / "data", tmp_path / "backup", tmp_path / "restored"
    with pic_server(source, [("alice", "partner", "aula")]) as (url, tokens):
        assert httpx.get(f"{url}/admin/backup").status_code == 401
        partner = {"Authorization": f"Bearer {tokens['alice']}"}
        assert httpx.get(f"{url}/admin/backup", headers=partner).status_code == 403
        writes = Writes(url, tokens["alice"])
        writes.start()
        try:
            writes.wait_for(2)
            port = url.rsplit(":", 1)[1]
            done = pic("backup", str(backup), data_dir=source, PIC_PORT=port, PIC_ADMIN_TOKEN="t")
            assert done.returncode == 0, done.stderr
            writes.wait_for(len(writes.made) + 2)
        finally:
            writes.stop.set()
            writes.join(60)
    assert "by the server at" in done.stderr, done.stderr

    done = pic("restore", str(backup), data_dir=restored)
    assert done.returncode == 0, done.stderr
    old, new = EmbeddedStore(source), EmbeddedStore(restored)
    try:
        # The changes the backup holds, and those made after its point: some of each.
        before, now = changes(new), changes(old)
        later = set(now) - set(before)
        assert set(before) <= set(now)
        studies = {key for key, _, _ in writes.made}
        subjects = {q.subject.value for q in new.quads()}
        kept = {k for k in studies if f"{NAMES.base}study/{k}" in subjects}
        assert kept and kept != studies, f"no write before or after the backup's point: {sorted(kept)}"

        # The history: a file for each change the store records, with its checksum; no file of a later one.
        history = files(restored / "history")
        for change, deltas in before.items():
            for name, checksum in deltas.items():
                assert Path(name).name in history, f"{change.value} is in the store, its delta {name} is not"
                assert hashlib.sha256(history[Path(name).name]).hexdigest() == checksum, name
        later_files = {Path(name).name for c in later for name in now[c]}
        assert set(history) == set(files(source / "history")) - later_files
        assert all(history[n] == (source / "history" / n).read_bytes() for n in history)

        # Every graph but the inferred ones: the source less what the later changes added and recorded.
        undone = {q for c in later for name in now[c] if ".added." in name for q in delta(source / name)}
        assert not any(".removed." in name for c in later for name in now[c])
        undone |= {q for q in old.quads() if q.subject in later}
        was, restored_quads = quads_by_graph(old), quads_by_graph(new)
        for graph in sorted(set(was) | set(restored_quads)):
            if NAMES.is_inferred(NamedNode(graph)):
                continue
            assert restored_quads.get(graph, set()) == was.get(graph, set()) - undone, graph
        # The inferred graphs: what the rules conclude from the restored graphs.
        inferred = {g: q for g, q in restored_quads.items() if NAMES.is_inferred(NamedNode(g))}
        writer = Writer(new, NAMES, restored / "history")
        writer.refresh()
        assert {g: q for g, q in quads_by_graph(new).items() if NAMES.is_inferred(NamedNode(g))} == inferred
    finally:
        old.close()
        new.close()

    # The search index holds the studies the store holds, and no other.
    indexed = {iri.removeprefix(NAMES.base + "study/") for iri, *_ in rows(restored / "search.sqlite", "entity")}
    indexed &= studies
    assert indexed == kept
    # Accounts and tokens as they were; the partner's token still signs her in.
    for table in ("user", "token"):
        assert rows(restored / "accounts.sqlite", table) == rows(source / "accounts.sqlite", table)
    assert Accounts(restored / "accounts.sqlite").by_token(tokens["alice"]).name == "alice"
    assert files(restored / "documents") == files(source / "documents") and files(restored / "documents")
    assert (restored / "graph-layout").read_text() == (source / "graph-layout").read_text()

    # A folder that is not empty, and a backup with one byte changed (in one line), are refused.
    with pytest.raises(BackupError, match="is not empty"):
        restore(backup, restored)
    victim = sorted((backup / "store").glob("*.sst"))[0]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 1
    victim.write_bytes(bytes(data))
    refused = pic("restore", str(backup), data_dir=tmp_path / "other")
    assert refused.returncode == 1, refused.stderr
    assert refused.stderr.startswith("Error: ") and refused.stderr.count("\n") == 1, refused.stderr
    assert "checksum" in refused.stderr and victim.name in refused.stderr, refused.stderr
    assert not (tmp_path / "other").exists()


def test_without_a_server_the_cli_copies_the_data_directory_itself(tmp_path):
    """No process holds the store: `pic backup` takes the copy itself; a quad the backup counts and the
    restore finds missing (a manifest that lies) is refused too."""
    source = tmp_path / "data"
    store = EmbeddedStore(source)
    store.update(
        'INSERT DATA { GRAPH <https://w3id.org/pic-euralens/id/graph/partner/aula> { <urn:a> <urn:b> "sauvegarde" } }'
    )
    store.close()
    done = pic("backup", str(tmp_path / "backup"), data_dir=source)
    assert done.returncode == 0 and "from " in done.stderr, done.stderr
    done = pic("restore", str(tmp_path / "backup"), data_dir=tmp_path / "restored")
    assert done.returncode == 0, done.stderr
    copy = Store.read_only(str(tmp_path / "restored" / "store"))
    assert [q.object for q in copy] == [Literal("sauvegarde")]
    del copy
    manifest = tmp_path / "backup" / "manifest.json"
    manifest.write_text(
        manifest.read_text()
        .replace('"quads": 1', '"quads": 2')
        .replace('graph/partner/aula": 1', 'graph/partner/aula": 2')
    )
    with pytest.raises(BackupError, match="does not hold what its manifest counts"):
        restore(tmp_path / "backup", tmp_path / "again")
    assert not (tmp_path / "again").exists()
