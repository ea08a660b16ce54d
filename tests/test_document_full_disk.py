"""A document upload the full disk stops (issue 16 leftovers): the file was written as `{sha}.docx.part`,
the write failed with ENOSPC, and the `.part` stayed in the documents folder for ever (nothing else removes
it); a failure on the extracted text left the document's file behind too. Now nothing of the upload is
kept and the client gets the refusal every full-disk write gets (`disk_space.DiskFull`: 507, Retry-After).

A full disk cannot be made here safely for one folder, so the documents folder's file writes are made to
fail as a full disk fails them: half the bytes written, then `OSError(ENOSPC)`."""

import errno
import hashlib
from pathlib import Path

import pytest

from tests.conftest import app_client, bearer, word_file


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("document-full-disk") / "data") as c:
        r = c.post(
            "/api/contribute/study",
            headers=bearer(c, "alice"),
            json={"id": "etude-disque-plein", "title_fr": "Étude du disque plein", "status": "ongoing", "year": "2026"},
        )
        assert r.status_code == 201, r.text
        yield c


def disk_full_for(monkeypatch, folder: Path, suffix: str) -> None:
    """Writes of `*{suffix}.part` files in `folder` (opened by `graph/store/atomic_file.py`, or written
    whole) stop half-way with ENOSPC; every other write is left alone."""
    real_write, real_open = Path.write_bytes, Path.open

    def failing(path: Path) -> bool:
        return path.parent == folder and path.name.endswith(f"{suffix}.part")

    class HalfFull:
        def __init__(self, f):
            self.f = f

        def write(self, data):
            self.f.write(bytes(data)[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device", self.f.name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    def write_bytes(self, data):
        if failing(self):
            real_write(self, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real_write(self, data)

    def open_(self, mode="r", *args, **kwargs):
        f = real_open(self, mode, *args, **kwargs)
        return HalfFull(f) if "w" in mode and failing(self) else f

    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    monkeypatch.setattr(Path, "open", open_)


@pytest.mark.parametrize("failing", [".docx", ".txt"])
def test_an_upload_the_full_disk_stops_leaves_nothing_behind(app, monkeypatch, failing):
    folder = app.app.state.settings.documents_dir
    data = word_file(f"Un rapport que le disque plein arrête ({failing}).")
    sha = hashlib.sha256(data).hexdigest()
    disk_full_for(monkeypatch, folder, failing)
    r = app.post(
        "/api/studies/etude-disque-plein/documents", headers=bearer(app, "alice"), files={"file": ("plein.docx", data)}
    )
    assert r.status_code == 507, r.text
    message = r.json()["error"]["message"]
    assert "disk is full" in message and "bytes free" in message and "nothing was written" in message, message
    assert r.headers.get("retry-after") == "60", r.headers
    left = sorted(p.name for p in folder.iterdir() if p.name.startswith(sha) or p.name.endswith(".part"))
    assert left == [], left
    page = app.get("/id/study/etude-disque-plein").text
    assert 'id="section-documents"' not in page, "no description was written either"
    # space is back: the same upload goes through
    monkeypatch.undo()
    r = app.post(
        "/api/studies/etude-disque-plein/documents", headers=bearer(app, "alice"), files={"file": ("plein.docx", data)}
    )
    assert r.status_code == 201, r.text
    assert {f"{sha}.docx", f"{sha}.txt"} <= {p.name for p in folder.iterdir()}
    assert 'id="section-documents"' in app.get("/id/study/etude-disque-plein").text
    document = r.json()["document"].rsplit("/", 1)[-1]
    detached = app.delete(f"/api/studies/etude-disque-plein/documents/{document}", headers=bearer(app, "alice"))
    assert detached.status_code == 204, detached.text
