"""An organisation's data as one archive (issue 20 §6, portability): its members download it, admins
name the organisation; `pic load` reads it into another installation (`graph/installation/org_export.py`)."""

from datetime import date

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from pic.graph.installation import org_export
from pic.service.auth import require_writer
from pic.service.deps import SettingsDep, UserDep, WriterDep
from pic.service.errors import HttpError

router = APIRouter(tags=["organisation data"])


@router.get("/api/export", summary="Exporter les données de mon organisation / Export my organisation's data")
async def export(user: UserDep, settings: SettingsDep, writer: WriterDep, org: str | None = None):
    """A `tar.gz` of the organisation's graphs (its audiences' authorizations with them), documents,
    change records and their deltas, with a manifest of checksums. A member exports their own
    organisation's; an admin names one (`?org=`)."""
    require_writer(user)
    if org is not None and org != user.org and user.role != "admin":
        raise HttpError(403, "a member exports their own organisation's data only", field="org")
    org = org or user.org
    if not org:
        raise HttpError(400, "name the organisation (?org=): this account belongs to none", field="org")

    def exported() -> bytes:
        with writer.lock:  # one state of the store, its history and documents
            return org_export.export(writer.store, writer.names, org, settings.documents_dir, settings.history_dir)

    archive = await run_in_threadpool(exported)
    name = f"pic-{org}-{date.today().isoformat()}.tar.gz"
    return Response(
        archive, media_type="application/gzip", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
