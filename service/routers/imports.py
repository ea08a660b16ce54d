"""Spreadsheet import over HTTP: the templates to download, and `POST /api/import/{kind}` (a CSV or XLSX
file; `dry_run=true` reports every problem with row and column and writes nothing)."""

from dataclasses import replace

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pyoxigraph import NamedNode

from pic.graph.access import writes_for
from pic.graph.contributions.forms import check_audience, check_visibility_fields, target_graph
from pic.graph.contributions.kinds import KINDS
from pic.graph.contributions.spreadsheet import run_import, template
from pic.graph.contributions.spreadsheet_rows import SheetLimits, SheetTooLarge, read_rows
from pic.graph.errors import InvalidFields
from pic.graph.said import Said, in_language
from pic.graph.settings import Settings
from pic.graph.writes.path import Writer
from pic.service.auth import check_csrf, check_write_csrf, current_session, current_user, form_session, require_writer
from pic.service.bodies import limited_upload, upload_openapi
from pic.service.deps import SettingsDep, WriterDep
from pic.service.errors import HttpError, cut, problems
from pic.service.i18n import STRINGS, answer_language, language
from pic.service.name_lookup import named_rows
from pic.service.pages import templates
from pic.service.routers.search import SearchingDep

router = APIRouter(tags=["Import"])
QUERY_PARAMETERS = {"dry_run", "org", "visibility", "shared_with", "embargo_until", "lang"}  # lang: its words
MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@router.get(
    "/import/templates/{name}",
    summary="Modèle de tableur / Spreadsheet template",
    responses={
        200: {"content": {"text/csv": {}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}
    },
)
def get_template(name: str):
    kind, _, fmt = name.partition(".")
    if kind not in KINDS or fmt not in MEDIA:
        raise HttpError(404, f"templates: {', '.join(f'{k}.csv, {k}.xlsx' for k in KINDS)}")
    return Response(
        template(kind, fmt),
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="pic-{kind}.{fmt}"'},
    )


@router.post(
    "/api/import/{kind}",
    summary="Importer un tableur / Import a spreadsheet",
    openapi_extra=upload_openapi(("dry_run",)),
)
async def import_file(
    request: Request,
    settings: SettingsDep,
    writer: WriterDep,
    searched: SearchingDep,
    kind: str,
    dry_run: bool = False,
    org: str | None = Query(None, description="Admins and facilitators: the organisation"),
    visibility: str = Query("public", description="The rows' audience, as the contribution API's"),
    shared_with: str | None = Query(None, description="organisations: their identifiers; group: its slug"),
    embargo_until: str | None = Query(None, description="embargo: the publication day"),
):
    """A CSV or XLSX file as the multipart field `file`: all the problems (row, column, message) and
    nothing written, or one atomic, attributed change. With the session cookie instead of a token, the
    session's CSRF token comes along in the `X-CSRF-Token` header. `dry_run` is read from the query
    string or a multipart field: either one asking for it makes it a dry run (the field was ignored, and a
    user who asked for a check had the rows written — seventh outside re-test)."""
    user = current_user(request)
    known_parameters(request)
    target = receiving(user, kind, org)
    repeated = sorted(k for k in QUERY_PARAMETERS if len(request.query_params.getlist(k)) > 1)
    if repeated:  # `?visibility=private&visibility=public` kept the last one (second re-test of issue 20)
        raise HttpError(422, f"`{repeated[0]}` is given more than once: give it once", field=repeated[0])
    try:
        check_visibility_fields(visibility, embargo_until, shared_with)
        graph = target_graph(writer.names, target, visibility, embargo_until, shared_with)
        check_audience(writer, user, visibility, shared_with)
    except InvalidFields as e:
        return JSONResponse(problems(e, answer_language(request)), 422)
    check_write_csrf(request)  # all before the body is read
    filename, data, fields = await limited_upload(request, settings.max_upload_bytes)
    unknown = sorted(set(fields) - {"dry_run", "csrf"})
    if unknown:  # `visibility=private` was dropped and the rows published (tenth outside re-test)
        raise HttpError(
            422,
            f"unknown field {', '.join(unknown)}: an import takes `file` and `dry_run`; its rows go to the "
            "organisation's graph of the audience the query string names (`visibility`, public by default; "
            "`org` for admins and facilitators)",
            field=unknown[0],
        )
    dry_run = dry_run or str(fields.get("dry_run", "")).lower() in ("1", "true", "on", "yes")
    names = named_rows(searched, KINDS[kind]["columns"], answer_language(request)) if kind in KINDS else None
    result = await checked_import(settings, writer, kind, data, filename, target, user, dry_run, graph, names)
    body = {
        "kind": kind,
        "rows": result.rows,
        "dry_run": dry_run,
        "written": not dry_run and not result.problems,
        "problems": [
            {"row": p.row, "column": p.column, "message": in_language(p.message, answer_language(request))}
            for p in result.problems
        ],
    }
    return JSONResponse(cut(body), status_code=422 if result.problems else 200)


def known_parameters(request: Request) -> None:
    """422 on a query parameter the import does not take: `?visibility=private` was dropped and the rows
    published (issue 16, 6d), as the multipart field was before."""
    unknown = sorted(set(request.query_params) - QUERY_PARAMETERS)
    if unknown:
        raise HttpError(
            422,
            f"unknown parameter {', '.join(unknown)}: an import takes `dry_run`, `visibility` (with "
            "`shared_with` or `embargo_until`) and, for admins and facilitators, `org`",
            field=unknown[0],
        )


def receiving(user, kind: str, org: str | None) -> str:
    """The organisation whose graph receives the rows (`access.writes_for`): an import names one."""
    require_writer(user)
    if kind not in KINDS:
        raise HttpError(404, f"no import of {kind!r}: {', '.join(KINDS)}")
    target = writes_for(user, org)
    if not target:
        raise HttpError(400, "say which organisation's graph receives the rows: org=…", field="org")
    return target


def limits(settings: Settings) -> SheetLimits:
    return SheetLimits(settings.max_import_rows, settings.max_import_cells, settings.max_upload_bytes)


async def checked_import(
    settings: Settings,
    writer: Writer,
    kind: str,
    data: bytes,
    filename: str | None,
    org: str,
    user,
    dry_run,
    graph: NamedNode | None = None,
    names=None,
):
    try:
        return await run_in_threadpool(
            run_import,
            writer,
            kind,
            data,
            filename or "upload.csv",
            org,
            user,
            dry_run=dry_run,
            limits=limits(settings),
            graph=graph,
            names=names,
        )
    except SheetTooLarge as e:
        raise HttpError(413, str(e), field="file") from None
    except UnicodeDecodeError:  # the reader's own words would be Python's ('utf-8' codec can't decode…)
        raise HttpError(
            400, Said("the file is not text in UTF-8: save it as CSV (UTF-8) or as XLSX"), field="file"
        ) from None
    except ValueError as e:
        raise HttpError(400, Said("cannot read the file: {error}", error=e), field="file") from None


@router.get("/import", response_class=HTMLResponse, summary="Importer un tableur / Import a spreadsheet (page)")
def import_page(request: Request):
    return import_view(request)


@router.post(
    "/import",
    response_class=HTMLResponse,
    summary="Importer un tableur / Import a spreadsheet (form)",
    openapi_extra=upload_openapi(("kind", "csrf", "dry_run", "org")),
)
async def import_form(request: Request, settings: SettingsDep, writer: WriterDep, searched: SearchingDep):
    """The sheet shown back with each problem next to its row and cell; nothing written unless all is well."""
    user = form_session(request).user  # before the body is read
    require_writer(user)
    filename, data, fields = await limited_upload(request, settings.max_upload_bytes)
    check_csrf(request, fields.get("csrf"))
    kind, dry_run = fields.get("kind", ""), bool(fields.get("dry_run"))
    target = receiving(user, kind, fields.get("org", ""))
    names = named_rows(searched, KINDS[kind]["columns"], language(request)) if kind in KINDS else None
    try:
        result = await checked_import(settings, writer, kind, data, filename, target, user, dry_run, names=names)
    except HttpError as e:  # a file that cannot be read: said on the page, its form kept
        if e.status not in (400, 413):
            raise
        return import_view(request, kind=kind, unread=in_language(e.message, language(request)), status=e.status)
    rows = read_rows(data, filename or "upload.csv", limits(settings))
    return import_view(request, kind=kind, rows=rows, result=result, dry_run=dry_run)


def import_view(
    request: Request, *, kind: str = "studies", rows=None, result=None, dry_run=False, unread=None, status=200
):
    session, lang = current_session(request), language(request)
    problems: dict[int, list] = {}
    for p in result.problems if result else ():  # each said in the page's language
        problems.setdefault(p.row, []).append(replace(p, message=in_language(p.message, lang)))
    header = [h.strip().lower() for h in rows[0]] if rows else []
    return templates.TemplateResponse(
        request,
        "import.html",
        {
            "t": STRINGS[lang],
            "lang": lang,
            "kinds": list(KINDS),
            "kind": kind,
            "user": session.user if session else None,
            "csrf": session.csrf if session else "",
            "rows": rows or [],
            "header": header,
            "problems": problems,
            "result": result,
            "dry_run": dry_run,
            "unread": unread,
        },
        status_code=422 if problems else status,
    )
