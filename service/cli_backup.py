"""`pic backup DEST` and `pic restore SRC` (registered in cli.py); what they copy is `graph/installation/backup.py`.

`pic backup` copies the data directory itself when no process holds the store; while `pic serve` does
(the RocksDB lock), it asks that server for the backup (`GET /admin/backup`, with PIC_ADMIN_TOKEN) and
unpacks the stream into DEST: only the process that writes can copy the store, its history and its
search index at one point. Either way the copy in DEST is checked against its manifest before the
command says it is done.
"""

import io
import shutil
import sys
import tarfile
from pathlib import Path
from typing import Annotated

import httpx
import typer

from pic.graph.installation import backup as backups
from pic.graph.settings import Settings
from pic.graph.store.interface import open_store
from pic.service.cli_common import CliError, err

READ_TIMEOUT = 3600.0  # seconds without a byte from the server before `pic backup` gives up


def backup(
    dest: Annotated[Path, typer.Argument(help="A new (or empty) folder for the backup.")],
    server: Annotated[
        str | None,
        typer.Option(help="The running server to ask when the store is in use (default: http://PIC_HOST:PIC_PORT)."),
    ] = None,
):
    """Back up the data directory (store, accounts, search index, history, documents) into DEST, with a
    manifest of checksums; works while `pic serve` runs and writes."""
    settings = Settings()
    backups.refuse_non_empty(dest, "the backup's folder")
    if settings.store == "embedded" and not (settings.data_dir / "store").is_dir():
        raise CliError(f"there is no store in {settings.data_dir} to back up: set PIC_DATA_DIR")
    try:
        store = open_store(settings)
    except OSError as e:
        if "lock" not in str(e).lower():
            raise CliError(f"cannot open the store in {settings.data_dir}: {e}") from None
        url = server or f"http://{_local(settings.host)}:{settings.port}"
        manifest = _from_server(url, settings.admin_token, dest)
        source = f"by the server at {url}"
    else:
        from pic.graph.writes.path import Writer

        try:
            manifest = backups.take(Writer(store, settings.names, settings.history_dir), settings.data_dir, dest)
        finally:
            store.close()
        source = f"from {settings.data_dir}"
    files = manifest["files"]
    for name, why in manifest.get("left_out", {}).items():
        if name not in backups.LEFT_OUT:
            sys.stderr.write(
                f"Warning: {settings.data_dir / name} was left out ({why}): copy it yourself if it matters\n"
            )
    history = sum(1 for f in files if f.startswith("history/"))
    documents = sum(1 for f in files if f.startswith("documents/"))
    err.print(
        f"Backed up {manifest['quads']} quads in {len(manifest['graphs'])} graphs, {history} history "
        f"files, {documents} document files and {sum(f.endswith('.sqlite') for f in files)} databases "
        f"{source} into {dest}",
        soft_wrap=True,
    )


def restore(source: Annotated[Path, typer.Argument(help="A folder written by `pic backup`.")]):
    """Restore a backup into the data directory (PIC_DATA_DIR), which must be new or empty; a backup whose
    files fail their checksums is refused."""
    settings = Settings()
    manifest = backups.restore(source, settings.data_dir)
    err.print(
        f"Restored {manifest['quads']} quads in {len(manifest['graphs'])} graphs and {len(manifest['files'])} "
        f"files (backup of {manifest['created']}) into {settings.data_dir}; start it with `pic serve`",
        soft_wrap=True,
    )


def _local(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


def _from_server(url: str, token: str | None, dest: Path) -> dict:
    """Fetch the server's backup and unpack it into `dest` (removed again if anything fails)."""
    if not token:
        raise CliError(
            "the store is in use by `pic serve`: set PIC_ADMIN_TOKEN to the server's admin token so "
            "that it takes the backup (or stop it)"
        )
    timeout = httpx.Timeout(30.0, read=READ_TIMEOUT)
    try:
        with httpx.stream(
            "GET", f"{url}/admin/backup", headers={"Authorization": f"Bearer {token}"}, timeout=timeout
        ) as response:
            if response.status_code != 200:
                response.read()
                raise CliError(f"the server at {url} refused the backup ({response.status_code}): {_message(response)}")
            dest.mkdir(mode=0o700, parents=True, exist_ok=True)  # the accounts' hashes are in it
            try:
                with tarfile.open(fileobj=io.BufferedReader(_Stream(response.iter_bytes()), 1 << 20), mode="r|") as tar:
                    tar.extractall(dest, filter="data")
                return backups.verify(dest)
            except BaseException:
                shutil.rmtree(dest, ignore_errors=True)
                raise
    except httpx.TransportError as e:
        raise CliError(
            f"the store is in use, and no server answers at {url} ({e}): give the running server "
            "with --server, or stop the process that holds the store"
        ) from None
    except (tarfile.TarError, backups.BackupError) as e:
        raise CliError(f"the backup sent by {url} is damaged ({e}); nothing was kept in {dest}") from None


def _message(response: httpx.Response) -> str:
    try:
        return response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return response.text[:200]


class _Stream(io.RawIOBase):
    """A file-like reader over the response's chunks, for tarfile's streaming mode."""

    def __init__(self, chunks):
        self._chunks, self._pending = iter(chunks), memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = memoryview(chunk)
        n = min(len(buffer), len(self._pending))
        buffer[:n], self._pending = self._pending[:n], self._pending[n:]
        return n
