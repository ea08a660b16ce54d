"""Who is asking (docs/architecture.md §6); what they may read is `graph/access.py`.

A request is anonymous unless it carries `Authorization: Bearer <token>` (the admin token setting, or a
user's API token) or the session cookie of a browser login (`service/accounts.py`).
Private graphs live under `{base}graph/private/{org}/`: readable by that organisation's members,
facilitators and admins, and by nobody else, whatever a query says.
"""

import hmac
from dataclasses import replace

from fastapi import Request

from pic.graph.access import ANONYMOUS, User
from pic.graph.said import Said
from pic.service.errors import HttpError

SESSION_COOKIE = "pic_session"


def current_user(request: Request) -> User:
    """Who is asking, with the working groups of their organisation (for group-shared annotations)."""
    user = identified(request)
    groups = getattr(request.app.state, "groups", None)
    if user.org and groups is not None:
        return replace(user, groups=groups.of(user.org))
    return user


def identified(request: Request) -> User:
    user = _identified(request)
    request.state.role = user.role  # for the request log (service/request_log.py): the role, never the name
    return user


def _identified(request: Request) -> User:
    header = request.headers.get("authorization", "")
    if not header:
        session = current_session(request)
        return session.user if session else ANONYMOUS
    scheme, _, token = header.partition(" ")
    admin_token = request.app.state.settings.admin_token
    if scheme.lower() != "bearer" or not token:
        raise HttpError(401, "use Authorization: Bearer <token>", {"WWW-Authenticate": "Bearer"})
    if admin_token and hmac.compare_digest(token.strip().encode(), admin_token.encode()):  # bytes: any token
        return User("admin", role="admin")
    user = request.app.state.accounts.by_token(token.strip())
    if user is None:
        raise HttpError(401, "this token is not valid here", {"WWW-Authenticate": "Bearer"})
    return user


def current_session(request: Request):
    session_id = request.cookies.get(SESSION_COOKIE)
    return request.app.state.accounts.session(session_id) if session_id else None


def check_csrf(request: Request, token: str | None) -> None:
    """Forms sent with a session cookie carry the session's CSRF token (cookie alone is not enough)."""
    session = current_session(request)
    if session is None or not token or not hmac.compare_digest(token.encode(), session.csrf.encode()):
        raise HttpError(403, Said("the form's CSRF token is missing or wrong: reload the page"), field="csrf")


def by_cookie(request: Request) -> bool:
    """Whether a request is authenticated (if at all) by the session cookie rather than a bearer token.
    A browser sends the cookie whichever site made it send the request, so such a request changes
    something only with the session's CSRF token too. A browser never adds a bearer token by itself."""
    return not request.headers.get("authorization")


def check_write_csrf(request: Request, token: str | None = None) -> None:
    """A state-changing request authenticated by the session cookie carries the session's CSRF token:
    `token` (the form's `csrf` field or the JSON body's) or the `X-CSRF-Token` header. Bearer-token
    requests need none."""
    if by_cookie(request):
        check_csrf(request, (token if isinstance(token, str) else None) or request.headers.get("x-csrf-token"))


def form_session(request: Request):
    """The session of a form post, asked before its body is read: a form is only ever sent by a signed-in
    browser, so without a session it is refused at once (403, as it would be for its missing CSRF token)."""
    session = current_session(request)
    if session is None:
        raise HttpError(403, Said("sign in, then send the form from its page (with its CSRF token)"), field="csrf")
    return session


def require_writer(user: User) -> None:
    if user.role == "anonymous":
        raise HttpError(401, Said("sign in or send a token to write"), {"WWW-Authenticate": "Bearer"})


def require_admin(user: User) -> None:
    if user.role == "anonymous":
        raise HttpError(401, "this needs an admin token", {"WWW-Authenticate": "Bearer"})
    if user.role != "admin":
        raise HttpError(403, Said("this needs the admin role"))
