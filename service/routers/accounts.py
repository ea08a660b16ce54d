"""Browser sign-in (session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS; CSRF tokens on forms),
the account page with API tokens, and `/api/me`."""

import hmac
import secrets

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from pic.graph.said import Said
from pic.graph.settings import Settings
from pic.service import deps
from pic.service.accounts import Accounts
from pic.service.auth import SESSION_COOKIE, check_csrf, current_session, current_user, form_session
from pic.service.bodies import form_openapi, limited_fields
from pic.service.deps import AccountsDep, SettingsDep, ThrottleDep
from pic.service.entities import solutions
from pic.service.entity_labels import names_for
from pic.service.errors import HttpError
from pic.service.i18n import STRINGS, language
from pic.service.pages import templates
from pic.service.throttle import Throttle

router = APIRouter(tags=["Accounts"])
LOGIN_CSRF = "pic_login_csrf"


def secure(request: Request, settings: Settings) -> bool:
    return request.url.scheme == "https" or settings.cookie_secure


@router.get("/login", response_class=HTMLResponse, summary="Connexion / Sign in")
def login_page(request: Request, settings: SettingsDep, error: str | None = None, next: str | None = None):
    lang = language(request)
    token = secrets.token_urlsafe(24)
    response = templates.TemplateResponse(
        request,
        "login.html",
        {"t": STRINGS[lang], "lang": lang, "csrf": token, "error": error, "next": local_path(next)},
        status_code=401 if error else 200,
    )
    response.set_cookie(
        LOGIN_CSRF, token, httponly=True, samesite="strict", secure=secure(request, settings), max_age=3600
    )
    return response


async def form_fields(request: Request, settings: Settings) -> dict[str, str]:
    return await limited_fields(request, settings.max_form_bytes)


@router.post("/login", summary="Connexion / Sign in", openapi_extra=form_openapi(("name", "password", "csrf", "next")))
async def login(request: Request, settings: SettingsDep, accounts: AccountsDep, throttle: ThrottleDep):
    """The sign-in form (`name`, `password`, and the CSRF token of the login page's cookie)."""
    expected = request.cookies.get(LOGIN_CSRF, "")
    if not expected:  # no login page was shown to this browser: refused before the body is read
        raise HttpError(403, Said("the form's CSRF token is missing or wrong: reload the page"), field="csrf")
    fields = await form_fields(request, settings)
    if not hmac.compare_digest(fields.get("csrf", "").encode(), expected.encode()):
        raise HttpError(403, Said("the form's CSRF token is missing or wrong: reload the page"), field="csrf")
    name, password = fields.get("name"), fields.get("password")
    if name is None or password is None:
        raise HttpError(422, Said("send the name and the password"), field="password" if name is not None else "name")
    back = local_path(fields.get("next"))
    return await run_in_threadpool(sign_in, request, settings, accounts, throttle, name, password, back)


def local_path(value: str | None) -> str | None:
    """Where a sign-in returns to (issue 21, 4: it always landed on /account): a path of this site only —
    `/x`, never `//host` nor a scheme, nor a backslash a browser reads as a slash."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or len(value) > 2000:
        return None
    return value if all(c.isprintable() and not c.isspace() for c in value) else None


def sign_in(
    request: Request,
    settings: Settings,
    accounts: Accounts,
    throttle: Throttle,
    name: str,
    password: str,
    back: str | None = None,
):
    address = request.client.host if request.client else "unknown"
    wait = throttle.wait(name, address)
    if wait > 0:
        raise HttpError(
            429,
            Said("too many failed sign-ins: try again in {seconds} s", seconds=int(wait) + 1),
            headers={"Retry-After": str(int(wait) + 1)},
        )
    done = accounts.login(name, password)
    if done is None:
        throttle.failed(name, address)
        return login_page(request, settings, error="bad", next=back)
    throttle.succeeded(name)
    session_id, _ = done
    response = RedirectResponse(back or "/account", status_code=303)
    response.set_cookie(
        SESSION_COOKIE, session_id, httponly=True, samesite="lax", secure=secure(request, settings), max_age=8 * 3600
    )
    response.delete_cookie(LOGIN_CSRF)
    return response


@router.post("/logout", summary="Déconnexion / Sign out", openapi_extra=form_openapi(("csrf",)))
async def logout(request: Request, settings: SettingsDep, accounts: AccountsDep):
    form_session(request)  # before the body is read
    check_csrf(request, (await form_fields(request, settings)).get("csrf"))
    accounts.logout(request.cookies[SESSION_COOKIE])
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/account", response_class=HTMLResponse, summary="Mon compte / My account")
async def account(request: Request, token: str | None = None):
    session = current_session(request)
    if session is None:
        return RedirectResponse("/login", status_code=303)
    lang = language(request)
    org = session.user.org
    settings = await deps.get_settings(request)
    iri = f"{settings.base_iri}actor/{org}"  # one's own organisation: its name, as its page gives it
    view = await deps.get_view(session.user, await deps.get_graphs(request))
    reader = await deps.get_reader(await deps.get_queries(request), view)
    org_name = names_for(reader, [iri], lang, solutions, settings.names)[iri] if org else None
    return templates.TemplateResponse(
        request,
        "account.html",
        {
            "t": STRINGS[lang],
            "lang": lang,
            "user": session.user,
            "org_name": org_name,
            "csrf": session.csrf,
            "token": token,
        },
    )


@router.post(
    "/account/tokens",
    response_class=HTMLResponse,
    summary="Nouveau jeton d'API / New API token",
    openapi_extra=form_openapi(("label", "csrf")),
)
async def new_token(request: Request, settings: SettingsDep, accounts: AccountsDep):
    session = form_session(request)  # before the body is read
    fields = await form_fields(request, settings)
    check_csrf(request, fields.get("csrf"))
    token = accounts.new_token(session.user.name, fields.get("label", "")[:100])
    return await account(request, token=token)


@router.get("/api/me", summary="Qui suis-je ? / Who am I?")
def me(request: Request):
    user = current_user(request)
    return {"name": user.name, "role": user.role, "org": user.org}
