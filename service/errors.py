"""One JSON error shape for every error: {"error": {"status", "message", and where: line, column, field}}.

Exception types map to statuses here and only here: bad input 400/413/415/422, not allowed 401/403,
missing 404, a query past its limit 503, a full disk 507 (nothing was written: `disk_space.py`). Anything
else is our fault: FastAPI's 500, logged.
"""

import re

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pyoxigraph import NamedNode

from pic.graph.access import NotAllowed
from pic.graph.engine.jobs import QueryFailed, QueryTimeout
from pic.graph.installation.backup import BackupError
from pic.graph.store.disk_space import DiskFull, is_disk_full
from pic.graph.store.interface import BlankNodeRemoval
from pic.graph.store.parsing import RdfParseError
from pic.graph.writes.checks import CellTaken, UnsafeIri
from pic.graph.writes.path import ValidationFailed
from pic.queries.registry import ParameterError
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


def body(status: int, message: str, **where) -> dict:
    return {"error": {"status": status, "message": message, **{k: v for k, v in where.items() if v is not None}}}


def query_position(message: str) -> dict:
    """pyoxigraph reports query syntax errors as 'error at LINE:COLUMN: …'."""
    m = re.search(r"error at (\d+):(\d+)", message)
    return {"line": int(m.group(1)), "column": int(m.group(2))} if m else {}


def refusal(status: int):
    """A handler answering `status` with the exception's one-line message."""

    async def handler(request: Request, e: Exception):
        return JSONResponse(body(status, str(e)), status)

    return handler


def install(app: FastAPI) -> None:
    @app.exception_handler(Exception)
    async def server_error(request: Request, e: Exception):
        """Our fault: a 500 in the one error shape, with the security headers (Starlette answers it outside
        the middleware that adds them). The traceback still goes to the log. A full disk met outside the
        write path (a sign-in's session, a document's file) is a 507, as in it."""
        if is_disk_full(e):
            response = JSONResponse(
                body(
                    507,
                    "the data directory's disk is full: nothing was written; free "
                    "some space, the service resumes by itself",
                ),
                507,
            )
        else:
            response = JSONResponse(body(500, "internal error: the service's log says what happened"), 500)
        for name, value in with_security_headers([]):
            response.headers[name.decode()] = value.decode()
        return response

    @app.exception_handler(HttpError)
    async def http_error(request: Request, e: HttpError):
        return JSONResponse(body(e.status, e.message, **e.where), e.status, headers=e.headers)

    @app.exception_handler(QueryFailed)
    async def query_failed(request: Request, e: QueryFailed):
        return JSONResponse(body(400, str(e), **query_position(str(e))), 400)

    @app.exception_handler(QueryTimeout)
    async def query_timeout(request: Request, e: QueryTimeout):
        return JSONResponse(body(503, str(e)), 503, headers={"Retry-After": "60"})

    @app.exception_handler(RdfParseError)
    async def parse_error(request: Request, e: RdfParseError):
        return JSONResponse(body(400, e.message, source=e.source, line=e.line, column=e.column), 400)

    @app.exception_handler(ValidationFailed)
    async def validation_failed(request: Request, e: ValidationFailed):
        violations = [
            {
                "focus": v.focus,
                "path": v.path,
                "value": v.value,
                "message_fr": v.message_fr,
                "message_en": v.message_en,
                "component": v.component,
            }
            for v in e.report.violations
        ]
        return JSONResponse({"error": {"status": 422, "message": str(e), "violations": violations}}, 422)

    @app.exception_handler(ParameterError)
    async def parameter_error(request: Request, e: ParameterError):
        return JSONResponse(body(400, str(e), field=e.name), 400)

    @app.exception_handler(DiskFull)
    async def disk_full(request: Request, e: DiskFull):
        return JSONResponse(body(507, str(e)), 507, headers={"Retry-After": "60"})

    # Refusals whose message says it all, by status. A backup a remote store cannot take (BackupError):
    # the request is right, the setup is not (409).
    plain = {UnsafeIri: 400, BlankNodeRemoval: 400, NotAllowed: 403, CellTaken: 409, BackupError: 409}
    for kind, status in plain.items():
        app.add_exception_handler(kind, refusal(status))
