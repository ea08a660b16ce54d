"""Spreadsheet import over HTTP: the templates to download, and `POST /api/import/{kind}` (a CSV or XLSX
file; `dry_run=true` reports every problem with row and column and writes nothing)."""

from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from pic.graph.spreadsheet_import import KINDS, run_import, template
from pic.service.auth import current_user, require_writer
from pic.service.errors import HttpError

router = APIRouter(tags=["Import"])
MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@router.get("/import/templates/{name}", summary="Modèle de tableur / Spreadsheet template")
def get_template(name: str):
    kind, _, fmt = name.partition(".")
    if kind not in KINDS or fmt not in MEDIA:
        raise HttpError(404, f"templates: {', '.join(f'{k}.csv, {k}.xlsx' for k in KINDS)}")
    return Response(template(kind, fmt), media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="pic-{kind}.{fmt}"'})


@router.post("/api/import/{kind}", summary="Importer un tableur / Import a spreadsheet")
async def import_file(request: Request, kind: str, file: Annotated[UploadFile, File()], dry_run: bool = False,
                      org: str | None = Query(None, description="Admins and facilitators: the organisation")):
    """All the problems (row, column, message) and nothing written, or one atomic, attributed change."""
    user = current_user(request)
    require_writer(user)
    if kind not in KINDS:
        raise HttpError(404, f"no import of {kind!r}: {', '.join(KINDS)}")
    target = org if org and user.role in ("admin", "facilitator") else user.org
    if not target:
        raise HttpError(400, "say which organisation's graph receives the rows: ?org=…", field="org")
    settings = request.app.state.settings
    data = await file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise HttpError(413, f"the file is larger than {settings.max_upload_bytes} bytes")
    try:
        result = await run_in_threadpool(run_import, request.app.state.writer, kind, data,
                                         file.filename or "upload.csv", target, user, dry_run=dry_run)
    except (UnicodeDecodeError, ValueError) as e:
        raise HttpError(400, f"cannot read the file: {e}", field="file") from None
    body = {"kind": kind, "rows": result.rows, "dry_run": dry_run, "written": not dry_run and not result.problems,
            "problems": [{"row": p.row, "column": p.column, "message": p.message} for p in result.problems]}
    return JSONResponse(body, status_code=422 if result.problems else 200)
