"""Answer only requests that name one of the platform's host names (`PIC_ALLOWED_HOSTS`).

The annotation ids and containers, the report's and saved queries' links and the SPARQL service
description are built from the request's `Host` header (`request.base_url`), and so is Starlette's
trailing-slash redirect: a request sent with `Host: evil.example` got ids and links on evil.example,
which a cache in front would then serve to everyone (issue 16, finding 8). Starlette's
`TrustedHostMiddleware` decides; its refusal (a plain-text 400) is answered here in the one error shape,
saying what to do. `X-Forwarded-Host` is believed by nothing (uvicorn's proxy headers are `-For` and
`-Proto` only), so a proxy in front passes the original `Host` through and that name is listed.
"""

from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import JSONResponse

from pic.service.errors import body

PASSED = "pic.allowed_host"  # set in the request's scope once the host is found allowed
REFUSAL = (
    "this platform does not answer to the host name this request was sent to (its Host header): "
    "use the platform's own address, or have the operator add the name to PIC_ALLOWED_HOSTS"
)


class AllowedHosts:
    """Pure ASGI middleware around `TrustedHostMiddleware` (no `www.` redirect: only the names listed)."""

    def __init__(self, app, hosts: list[str]):
        self.app = app
        self.trusted = TrustedHostMiddleware(self._passed, allowed_hosts=hosts, www_redirect=False)

    async def _passed(self, scope, receive, send):
        scope[PASSED] = True
        await self.app(scope, receive, send)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":  # lifespan passes; a websocket would get Starlette's own refusal
            await self.trusted(scope, receive, send)
            return

        async def refusal_in_our_shape(message):
            if scope.get(PASSED):
                await send(message)
            elif message["type"] == "http.response.start":  # TrustedHostMiddleware's own 400
                await JSONResponse(body(400, REFUSAL), 400)(scope, receive, send)
            # and its plain-text body is dropped

        await self.trusted(scope, receive, refusal_in_our_shape)
