"""Who read the organisation's non-public data (issue 20 §5): its members see their organisation's log,
as JSON (`/api/read-log`) or as a page (`/read-log`); nobody sees another organisation's, admins included
(an admin reads their own organisation's, like anyone)."""

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from pic.service.auth import current_session, require_writer
from pic.service.deps import ReadLogDep, UserDep
from pic.service.errors import HttpError
from pic.service.i18n import STRINGS, language
from pic.service.pages import templates

router = APIRouter(tags=["read log"])


def own_log(user, read_log, before: float | None, limit: int) -> list[dict]:
    require_writer(user)
    if not user.org:
        raise HttpError(403, "the read log is an organisation's: this account belongs to none")
    return read_log.of(user.org, limit, before)


@router.get("/api/read-log", summary="Qui a lu nos données / Who read our data")
def read_log_json(
    user: UserDep,
    read_log: ReadLogDep,
    before: float | None = None,
    limit: int = Query(200, ge=1, le=1000),
):
    """The reads of your organisation's non-public graphs by other organisations' members, newest first:
    who, when, which item or graphs, through which path; `exact` false for a SPARQL query, whose dataset
    held the graphs (its answer may not have used them). `before`: a page's last `at_epoch`, for the next."""
    rows = own_log(user, read_log, before, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "org": user.org,
        "days": read_log.days,
        "reads": rows,
        "more": more,  # older reads: ask again with `before` = the last one's `at_epoch`
        "next": f"/api/read-log?before={rows[-1]['at_epoch']}&limit={limit}" if more else None,
    }


@router.get("/read-log", response_class=HTMLResponse, summary="Journal des lectures / Read log")
def read_log_page(request: Request, user: UserDep, read_log: ReadLogDep):
    rows = own_log(user, read_log, None, 500)
    session, lang = current_session(request), language(request)
    return templates.TemplateResponse(
        request,
        "read-log.html",
        {
            "t": STRINGS[lang],
            "lang": lang,
            "user": session.user if session else user,
            "rows": rows,
            "days": read_log.days,
        },
    )
