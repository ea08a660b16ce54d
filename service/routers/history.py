"""Undoing a change: `POST /changes/{id}/revert`, for facilitators and admins (from the entity page's
history with the session's CSRF token, or with a bearer token). The undo is itself a new change."""

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse

from pic.graph.revert import CannotRevert, UnknownChange, revert
from pic.service.auth import check_csrf, current_user, require_writer
from pic.service.errors import HttpError

router = APIRouter(tags=["History"])


@router.post("/changes/{change_id}/revert", summary="Annuler un changement / Revert a change")
async def revert_change(request: Request, change_id: str, csrf: str = Form(""), back: str = Form("")):
    user = current_user(request)
    if not request.headers.get("authorization"):
        check_csrf(request, csrf)
    require_writer(user)
    if user.role not in ("facilitator", "admin"):
        raise HttpError(403, "reverting a change needs the facilitator role")
    writer = request.app.state.writer
    try:
        change = writer.names.change(change_id)
    except ValueError:  # characters no IRI may hold: it names no change
        raise HttpError(404, f"no change {change_id!r} in the history", field="change_id") from None
    try:
        result = await run_in_threadpool(revert, writer, change, user)
    except CannotRevert as e:
        raise HttpError(404 if isinstance(e, UnknownChange) else 409, str(e)) from None
    if back.startswith("/id/"):
        return RedirectResponse(f"{back}?reverted={result.change.value.rsplit('/', 1)[-1]}#history",
                                status_code=303)
    return JSONResponse({"change": result.change.value, "added": result.added, "removed": result.removed})
