"""Build every link on the platform's own address, never on the port a request's `Host` header names.

Annotation ids and containers, `Location` headers, the saved queries' and the report's links, the SPARQL
service description and Starlette's trailing-slash redirect are all built from the request's URL
(`request.base_url`, `request.url_for`), which Starlette takes from the `Host` header. `allowed_hosts.py`
checks the header's host name, not its port: `Host: 127.0.0.1:9999` got ids and links on port 9999 (issue
16), which a cache in front then serves to everyone. So, once the host name has passed, this middleware
rewrites what the request's URL is built from, in one place for every route:

- with `PIC_PUBLIC_URL` (`https://pic.example.org`): its scheme and host and port, whatever was asked;
- without it: the host name asked (one of `PIC_ALLOWED_HOSTS`) and the port this server listens on — or
  no port behind a proxy (`PIC_TRUSTED_PROXIES`: the server's port is not the public one; set
  `PIC_PUBLIC_URL` there).

Example: `pic serve --port 8000`, `curl -H 'Host: 127.0.0.1:9999' http://127.0.0.1:8000/annotations/`
answers a container whose `id` is `http://127.0.0.1:8000/annotations/`.
"""

from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def public_netloc(scope: dict, behind_proxy: bool) -> str:
    """host[:port] of the links without a configured public address: the host name asked, the port the
    request came in on (none behind a proxy, none when it is the scheme's default)."""
    asked = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), "")
    server = scope.get("server") or (None, None)
    try:
        host = urlsplit(f"//{asked}").hostname or server[0] or ""
    except ValueError:  # not a host name: the server's own
        host = server[0] or ""
    if ":" in host:  # an IPv6 address, bracketed again
        host = f"[{host}]"
    port = None if behind_proxy else server[1]
    return host if port in (None, DEFAULT_PORTS.get(scope.get("scheme", "http"))) else f"{host}:{port}"


class PublicOrigin:
    """Pure ASGI middleware, inside `AllowedHosts` (the host name has passed its check by then)."""

    def __init__(self, app, public_url: str | None = None, behind_proxy: bool = False):
        self.app, self.behind_proxy = app, behind_proxy
        self.public = urlsplit(public_url) if public_url else None

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            scheme = self.public.scheme if self.public else scope.get("scheme", "http")
            netloc = self.public.netloc if self.public else public_netloc(scope, self.behind_proxy)
            headers = [(k, v) for k, v in scope["headers"] if k != b"host"]
            # In place, not a copy: the router writes the matched route into this scope, which the
            # metrics and the access log (outer middleware) read back.
            scope["scheme"], scope["headers"] = scheme, [(b"host", netloc.encode("latin-1")), *headers]
        await self.app(scope, receive, send)
