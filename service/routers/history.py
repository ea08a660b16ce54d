"""Undoing a change: `POST /changes/{id}/revert`, for facilitators and admins (from the entity page's
history with the session's CSRF token, or with a bearer token). The undo is itself a new change."""

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse

from pic.graph.writes.revert import CannotRevert, UnknownChange, revert
from pic.service.auth import check_write_csrf, current_user, require_writer
from pic.service.bodies import limited_fields
from pic.service.deps import SettingsDep, WriterDep
from pic.service.errors import HttpError
from pic.service.links import local_path

router = APIRouter(tags=["History"])


@router.post("/changes/{change_id}/revert", summary="Annuler un changement / Revert a change")
async def revert_change(request: Request, settings: SettingsDep, writer: WriterDep, change_id: str):
    """Form fields (optional): `csrf` (needed with a session cookie), `back` (the entity page to return to).
    Who asks is checked before the body is read, and the body with its limit."""
    user = current_user(request)
    require_writer(user)
    if user.role not in ("facilitator", "admin"):
        raise HttpError(403, "reverting a change needs the facilitator role")
    fields = await limited_fields(request, settings.max_form_bytes)
    check_write_csrf(request, fields.get("csrf"))
    back = fields.get("back", "")
    try:
        change = writer.names.change(change_id)
    except ValueError:  # characters no IRI may hold: it names no change
        raise HttpError(404, f"no change {change_id!r} in the history", field="change_id") from None
    try:
        result = await run_in_threadpool(revert, writer, change, user)
    except CannotRevert as e:
        raise HttpError(404 if isinstance(e, UnknownChange) else 409, str(e)) from None
    if back.startswith("/id/") and local_path(back):
        return RedirectResponse(f"{back}?reverted={result.change.value.rsplit('/', 1)[-1]}#history", status_code=303)
    return JSONResponse({"change": result.change.value, "added": result.added, "removed": result.removed})
