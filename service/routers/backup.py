"""`GET /admin/backup`: a consistent backup of the running service's data directory, as a tar file (admins).

Why the service takes it, not the CLI beside it: `pic serve` holds the store's RocksDB lock, so another
process cannot open it for writing, and pyoxigraph's read-only open is undefined while another process
writes. Only the process that writes can copy the store, its history and its search index at one point:
under the writer's lock (`graph/installation/backup.py`). `pic backup DEST` asks for it when the store is in use, and
unpacks the stream into DEST; any HTTP client with the admin token can fetch it too.
"""

from datetime import UTC, datetime

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from pic.graph.installation import backup
from pic.service.auth import require_admin
from pic.service.deps import SettingsDep, UserDep, WriterDep

router = APIRouter()


@router.get(
    "/admin/backup", summary="Sauvegarde / Backup (admins)", responses={200: {"content": {"application/x-tar": {}}}}
)
def take_backup(user: UserDep, writer: WriterDep, settings: SettingsDep) -> StreamingResponse:
    """The whole data directory as a tar file — the store, the accounts and search databases, the history, the
    documents — with `manifest.json` (quads per graph, the SHA-256 of every file, versions), copied at one
    point while writes go on (they wait ~0.1 s). Restore it with `pic restore`, after `tar -xf`."""
    require_admin(user)
    staged = backup.stage(writer, settings.data_dir)
    name = f"pic-backup-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.tar"
    return StreamingResponse(
        backup.tar_stream(staged),
        media_type="application/x-tar",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
