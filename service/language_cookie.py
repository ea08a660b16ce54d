"""The language a reader chose stays chosen (second outside re-test of issue 21, N6): `/maps?lang=en`, then
the menu's "Annual reports", landed in French, since only four pages remembered `?lang=`. Every page asked
with `?lang=fr` or `?lang=en` now sets the `lang` cookie that `i18n.language` reads next; an API answer does
not (a client asking one JSON answer in English would have all its next ones in English)."""

from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LANGUAGES = ("fr", "en")


class RememberLanguage:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        asked = self.asked(scope)
        if asked is None:
            await self.app(scope, receive, send)
            return

        async def with_cookie(message: Message) -> None:
            page = any(
                k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in message.get("headers", [])
            )
            if message["type"] == "http.response.start" and page:  # a page visited, not an API call
                cookie = f"lang={asked}; Path=/; SameSite=Lax; HttpOnly".encode()
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie)]}
            await send(message)

        await self.app(scope, receive, with_cookie)

    @staticmethod
    def asked(scope: Scope) -> str | None:
        """The language a GET asks for with `?lang=` when the reader's cookie says another (or none)."""
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return None
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [None])[-1]
        if asked not in LANGUAGES:
            return None
        cookies = SimpleCookie()
        header = dict(scope["headers"]).get(b"cookie", b"").decode("latin-1")
        try:
            cookies.load(header)
        except Exception:  # a malformed cookie header: set ours anyway
            return asked
        return None if cookies.get("lang") and cookies["lang"].value == asked else asked
