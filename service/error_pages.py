"""Errors as pages for browsers (issue 21, 2): a browser asking for a page that cannot be given gets a
page in the site's frame, in its language, saying what to do next — not the API's JSON, which every other
client still gets (the one error shape, `service/errors.py`)."""

from fastapi import Request
from fastapi.responses import HTMLResponse

from pic.service.i18n import STRINGS, language
from pic.service.negotiation import accepted

PAGE_TYPES = ("text/html", "application/xhtml+xml")


def wants_page(request: Request) -> bool:
    """A browser: HTML is what its Accept header prefers (`text/html,application/xhtml+xml,…,*/*;q=0.8`).
    A client that sends `*/*` alone, or JSON first, is an API client."""
    ranked = accepted(request.headers.get("accept"))
    return bool(ranked) and ranked[0] in PAGE_TYPES


def page(
    request: Request, status: int, message: str, headers: dict | None = None, field: str | None = None
) -> HTMLResponse:
    """The error page: what happened, what to do next (a form sent without its page's CSRF token is told
    to reload the page, not that its account lacks a role), and the error's own words."""
    from pic.service.errors import echo  # which imports this module
    from pic.service.pages import templates  # the pages' templates and their helpers

    lang = language(request)
    t = STRINGS[lang]
    kind = "5xx" if status >= 500 else str(status) if str(status) in t["error_page"] else "4xx"
    return templates.TemplateResponse(
        request,
        "error.html",
        {
            "t": t,
            "lang": lang,
            "status": status,
            "title": t["error_page"][kind],
            "hint": t["error_page"]["csrf_hint" if field == "csrf" else f"{kind}_hint"],
            "message": echo(message),
            "back": request.url.path,
        },
        status_code=status,
        headers=headers,
    )
