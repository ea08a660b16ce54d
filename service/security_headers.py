"""Security headers on every response: a Content Security Policy without inline script or style, no MIME
sniffing, no framing, no path in the Referer sent to other sites.

The pages keep their scripts and styles in files (`/static/…`, `/maps/static/…`, `/vendor/…`); data for
a script sits in `<script type="application/json">` blocks, which are not run and so need no nonce. The
standalone files (a map's `.html`, the report's `.html` and PDF) carry their own policy in a `<meta>` tag
with the hashes of their inlined scripts and styles (`pic.viz.inline_policy`). A response that already
sets a Content-Security-Policy keeps it.
"""

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",  # files from this server only: no inline script, handler or javascript: URL
        "style-src 'self'",  # stylesheets only: charts draw with SVG presentation attributes, not style=""
        "img-src 'self' data:",  # vis-network's and Swagger UI's stylesheets draw icons as data: URIs
        "font-src 'self'",
        "connect-src 'self'",  # the workbench, search suggestions, annotations and /docs call this server only
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",  # no page frames another; nobody else may frame ours (clickjacking)
    ]
)
# Chromium shows a PDF in its own viewer, which a document policy (object-src, default-src) may block.
PDF_POLICY = "frame-ancestors 'none'"
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers to each response's start message, leaving bodies alone
    (streamed and large responses pass through untouched)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = with_security_headers(list(message.get("headers", [])))
            await send(message)

        await self.app(scope, receive, send_with_headers)


def with_security_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    content_type = next((value for name, value in headers if name.lower() == b"content-type"), b"")
    policy = PDF_POLICY if content_type.startswith(b"application/pdf") else POLICY
    for name, value in [*HEADERS, (b"content-security-policy", policy.encode())]:
        if name not in present:
            headers.append((name, value))
    return headers
