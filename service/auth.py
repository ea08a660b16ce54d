"""Who is asking, and which graphs they may read (ARCHITECTURE.md §8).

Until accounts exist, a request is anonymous unless it carries `Authorization: Bearer <PIC_ADMIN_TOKEN>`.
Private graphs live under `{base}graph/private/{org}/`: readable by that organisation's members,
facilitators and admins, and by nobody else, whatever a query says.
"""

import hmac

from fastapi import Request

from pic.graph.access import User
from pic.graph.names import Names
from pic.service.errors import HttpError

ANONYMOUS = User("anonymous", role="anonymous")


def current_user(request: Request) -> User:
    header = request.headers.get("authorization", "")
    if not header:
        return ANONYMOUS
    scheme, _, token = header.partition(" ")
    admin_token = request.app.state.settings.admin_token
    if scheme.lower() != "bearer" or not token:
        raise HttpError(401, "use Authorization: Bearer <token>", {"WWW-Authenticate": "Bearer"})
    if admin_token and hmac.compare_digest(token.strip(), admin_token):
        return User("admin", role="admin")
    raise HttpError(403, "this token is not valid here")


def require_admin(user: User) -> None:
    if user.role == "anonymous":
        raise HttpError(401, "this needs an admin token", {"WWW-Authenticate": "Bearer"})
    if user.role != "admin":
        raise HttpError(403, "this needs the admin role")


def may_read(user: User, graph: str, names: Names) -> bool:
    private = f"{names.base}graph/private/"
    if not graph.startswith(private):
        return True
    if user.role in ("admin", "facilitator"):
        return True
    return user.org is not None and graph[len(private):].split("/", 1)[0] == user.org


def readable_graphs(user: User, all_graphs: list[str], names: Names) -> list[str] | None:
    """None when the user may read every graph (the union default graph applies), else the list."""
    allowed = [g for g in all_graphs if may_read(user, g, names)]
    return None if len(allowed) == len(all_graphs) else allowed
