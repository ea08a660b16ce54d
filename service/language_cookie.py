"""The language a reader chose stays chosen (second outside re-test of issue 21, N6): `/maps?lang=en`, then
the menu's "Annual reports", landed in French, since only four pages remembered `?lang=`. Every page asked
with `?lang=fr` or `?lang=en` now sets the `lang` cookie that `i18n.language` reads next, in this one place;
an API answer does not (a client asking one JSON answer in English would have all its next ones in English)."""

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LANGUAGES = ("fr", "en")


class RememberLanguage:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        asked = asked_language(scope)
        if asked is None:
            await self.app(scope, receive, send)
            return

        async def with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):  # a page visited, not an API call
                    headers.append("set-cookie", f"lang={asked}; Path=/; SameSite=Lax; HttpOnly")
            await send(message)

        await self.app(scope, receive, with_cookie)


def asked_language(scope: Scope) -> str | None:
    """The language a GET asks for with `?lang=` when the reader's cookie says another (or none)."""
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return None
    connection = HTTPConnection(scope)
    asked = connection.query_params.get("lang")
    return asked if asked in LANGUAGES and connection.cookies.get("lang") != asked else None
