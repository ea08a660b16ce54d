"""One JSON error shape for every error: {"error": {"status", "message", and where: line, column, field,
`problems` (each with its field and message) when there are several}} — FastAPI's own errors included. A
query's errors also say their kind (`code`: syntax, prefix, too_complex, service, load, update, too_long,
timeout, wait, engine, query, parameter), for a page to say it in its own language (the workbench, issue 21, 6).

Exception types map to statuses here and only here (the graph layer's carry none: `graph/errors.py`): bad
input 400/413/415/422, not allowed 401/403, missing 404, already there 409, a query past its limit 503, a
broken query engine 502, a full disk 507 (nothing was written: `disk_space.py`). Anything else is our
fault: a 500, logged.
"""

import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pyoxigraph import NamedNode
from starlette.exceptions import HTTPException as StarletteHTTPException

from pic.graph.access import NotAllowed
from pic.graph.engine.cooldowns import SenderWaits
from pic.graph.engine.jobs import EngineFailed, QueryFailed, QueryTimeout
from pic.graph.errors import AlreadyThere, InvalidFields, Malformed, NotPublic, NotTheirs, Problems, Unknown
from pic.graph.installation.backup import BackupError
from pic.graph.said import Said, in_language, message_of
from pic.graph.store.disk_space import DiskFull, is_disk_full
from pic.graph.store.interface import BlankNodeRemoval
from pic.graph.store.parsing import RdfParseError
from pic.graph.writes.checks import CellTaken, UnsafeIri
from pic.graph.writes.path import ValidationFailed
from pic.queries.registry import ParameterError
from pic.service.error_pages import page, wants_page
from pic.service.i18n import answer_language
from pic.service.security_headers import with_security_headers


class HttpError(Exception):
    """An error with its status, raised by the routers for what the mapping below cannot tell."""

    def __init__(self, status: int, message: str, headers: dict | None = None, **where):
        self.status, self.message, self.headers, self.where = status, message, headers or {}, where
        super().__init__(message)


def checked_iri(value: str, status: int, message: str, field: str | None = None) -> str:
    """`value` if it is an IRI the engine accepts, else an HttpError: a client's text that names no IRI
    is their mistake (400) or names nothing (404), never our 500."""
    try:
        NamedNode(value)
    except ValueError:
        raise HttpError(status, message, field=field) from None
    return value


LONGEST_ECHO = 1000  # characters of one text an error carries: it may repeat a client's input


def body(status: int, message: str, **where) -> dict:
    """The error document. Its texts are cut: a 20,000-character graph name made a 20 KB 404, and a form's
    long values 10-12 KB 422s (thirteenth outside re-test)."""
    found = {k: v for k, v in where.items() if v is not None}
    return {"error": cut({"status": status, "message": message, **found})}


def echo(text: str) -> str:
    """A client's text as an error may repeat it: cut past `LONGEST_ECHO` characters, saying how long."""
    return text if len(text) <= LONGEST_ECHO else f"{text[:LONGEST_ECHO]}… ({len(text):,} characters)"


MOST_ITEMS = 100  # problems one answer lists: 500 of 1 KB made a 528 KB 422 (sixteenth outside re-test)


def cut(value):
    """A JSON value with each text cut (`echo`) and each list kept to its first `MOST_ITEMS` items, a last
    one saying how many more there were."""
    if isinstance(value, str):
        return echo(value)
    if isinstance(value, list):
        kept = [cut(v) for v in value[:MOST_ITEMS]]
        return kept + [f"… and {len(value) - MOST_ITEMS:,} more"] if len(value) > MOST_ITEMS else kept
    if isinstance(value, dict):
        return {k: cut(v) for k, v in value.items()}
    return value


# The graph layer's kinds of problem (`graph/errors.py`), and the status each one answers.
STATUS = {InvalidFields: 422, NotPublic: 422, Malformed: 400, Unknown: 404, AlreadyThere: 409, NotTheirs: 403}


def status_of(e: Problems) -> int:
    return next(STATUS[kind] for kind in type(e).__mro__ if kind in STATUS)


def problems(e: Problems, lang: str = "en") -> dict:
    """The one error shape for a graph-layer problem: each item with its field, under `problems`; a single
    item's field also as the error's `field`. Its words in `lang` (`graph/said.py`)."""
    status = status_of(e)
    items = [(f, in_language(m, lang)) for f, m in e.items]
    joined = "; ".join(f"{f}: {m}" if f else m for f, m in items)
    message = in_language(Said("{count} problem(s): {problems}", count=len(items), problems=joined), lang)
    field = items[0][0] if len(items) == 1 else None
    return body(
        status,
        message if status == 422 else joined,
        field=field,
        problems=[{"field": f, "message": m} for f, m in items],
    )


def words(e: Exception, lang: str) -> str:
    """An exception's message in `lang`: its first argument, when the graph layer said it (`Said`)."""
    return in_language(message_of(e), lang)


def query_position(message: str) -> dict:
    """pyoxigraph reports query syntax errors as 'error at LINE:COLUMN: …'."""
    m = re.search(r"error at (\d+):(\d+)", message)
    return {"line": int(m.group(1)), "column": int(m.group(2))} if m else {}


def answered(request: Request, payload: dict, status: int, headers: dict | None = None) -> Response:
    """The one error shape as JSON, or as a page in the site's frame for a browser (issue 21, 2)."""
    if wants_page(request):
        error = payload.get("error", {})
        return page(request, status, str(error.get("message", "")), headers, field=error.get("field"))
    return JSONResponse(payload, status, headers=headers)


def refusal(status: int):
    """A handler answering `status` with the exception's one-line message."""

    async def handler(request: Request, e: Exception):
        return answered(request, body(status, words(e, answer_language(request))), status)

    return handler


def install(app: FastAPI) -> None:
    @app.exception_handler(Exception)
    async def server_error(request: Request, e: Exception):
        """Our fault: a 500 in the one error shape, with the security headers (Starlette answers it outside
        the middleware that adds them). The traceback still goes to the log. A full disk met outside the
        write path (a sign-in's session, a document's file) is a 507, as in it."""
        if is_disk_full(e):
            response = answered(
                request,
                body(
                    507,
                    "the data directory's disk is full: nothing was written; free "
                    "some space, the service resumes by itself",
                ),
                507,
            )
        else:
            response = answered(request, body(500, "internal error: the service's log says what happened"), 500)
        for name, value in with_security_headers([]):
            response.headers[name.decode()] = value.decode()
        return response

    @app.exception_handler(HttpError)
    async def http_error(request: Request, e: HttpError):
        message = in_language(e.message, answer_language(request))
        return answered(request, body(e.status, message, **e.where), e.status, headers=e.headers)

    @app.exception_handler(QueryFailed)
    async def query_failed(request: Request, e: QueryFailed):
        where = query_position(str(e))
        return answered(request, body(400, str(e), code="syntax" if where else "query", **where), 400)

    @app.exception_handler(QueryTimeout)
    async def query_timeout(request: Request, e: QueryTimeout):
        return answered(request, body(503, str(e), code="timeout"), 503, headers={"Retry-After": "60"})

    @app.exception_handler(RdfParseError)
    async def parse_error(request: Request, e: RdfParseError):
        return answered(request, body(400, e.message, source=e.source, line=e.line, column=e.column), 400)

    @app.exception_handler(ValidationFailed)
    async def validation_failed(request: Request, e: ValidationFailed):
        found = [
            {
                "field": v.path,
                "message": v.message_en,
                "message_fr": v.message_fr,
                "focus": v.focus,
                "value": v.value,
                "component": v.component,
            }
            for v in e.report.violations
        ]
        return answered(request, body(422, str(e), problems=found), 422)

    @app.exception_handler(Problems)
    async def graph_problems(request: Request, e: Problems):
        return answered(request, problems(e, answer_language(request)), status_of(e))

    @app.exception_handler(SenderWaits)
    async def sender_waits(request: Request, e: SenderWaits):
        return answered(request, body(429, str(e), code="wait"), 429, headers={"Retry-After": str(e.seconds)})

    @app.exception_handler(EngineFailed)
    async def engine_failed(request: Request, e: EngineFailed):
        """The query engine broke, not the query: the client may try again (issue 19: a remote engine's
        500 was answered 400, as the client's fault)."""
        return answered(request, body(502, str(e), code="engine"), 502, headers={"Retry-After": "30"})

    @app.exception_handler(StarletteHTTPException)
    async def framework_error(request: Request, e: StarletteHTTPException):
        """FastAPI's own refusals (an unknown path, a method a route has not) in the one shape, not
        `{"detail": …}`."""
        return answered(request, body(e.status_code, str(e.detail)), e.status_code, headers=getattr(e, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def request_invalid(request: Request, e: RequestValidationError):
        found = [
            {"field": ".".join(str(p) for p in err.get("loc", ()) if p != "body") or None, "message": err.get("msg")}
            for err in e.errors()
        ]
        message = "; ".join(f"{p['field']}: {p['message']}" if p["field"] else p["message"] for p in found)
        return answered(request, body(422, message or "invalid request", problems=found), 422)

    @app.exception_handler(ParameterError)
    async def parameter_error(request: Request, e: ParameterError):
        return answered(request, body(400, words(e, answer_language(request)), field=e.name, code="parameter"), 400)

    @app.exception_handler(DiskFull)
    async def disk_full(request: Request, e: DiskFull):
        return answered(request, body(507, str(e)), 507, headers={"Retry-After": "60"})

    # Refusals whose message says it all, by status. A backup a remote store cannot take (BackupError):
    # the request is right, the setup is not (409).
    plain = {UnsafeIri: 400, BlankNodeRemoval: 400, NotAllowed: 403, CellTaken: 409, BackupError: 409}
    for kind, status in plain.items():
        app.add_exception_handler(kind, refusal(status))
