"""One JSON line per request on standard output (`PIC_ACCESS_LOG=json`), for a log collector.

Each line: `time` (UTC, ms), `method`, `route` (the template, `/id/{path:path}`, never the path asked:
a log line must not name a private entity), `status`, `ms` (time to the end of the response) and `role`
(`anonymous`, `partner`, `facilitator`, `admin`, as the route identified the caller; null when it never
asked, as for static files). Never a user name, a query text, a query string, a token or an address:
operators read logs, and a query text or an entity's path tells of private data. Who changed what is in
the provenance graphs.

Example: `{"time": "2026-12-02T09:14:03.512Z", "method": "GET", "route": "/sparql", "status": 200,
"ms": 4.2, "role": "anonymous"}`
"""

import json
import logging
import sys
import time
from datetime import UTC, datetime

log = logging.getLogger("pic.requests")


def _handler() -> None:
    """The lines go to standard output as they are, whatever uvicorn did to logging (once per process)."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


class RequestLog:
    """Pure ASGI middleware, outside every other: it sees the status the client gets."""

    def __init__(self, app):
        self.app = app
        _handler()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), [500]

        async def sending(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            log.info(
                json.dumps(
                    {
                        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                        "method": scope["method"],
                        "route": getattr(scope.get("route"), "path", None) or "unmatched",
                        "status": status[0],
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                        "role": scope.get("state", {}).get("role"),
                    }
                )
            )
