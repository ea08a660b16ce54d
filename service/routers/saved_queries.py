"""The saved-query library as an API (grlc's idea): list the queries, run one with parameters.

Each query gets its own documented path in the OpenAPI schema, with its parameters. Parameters are
bound as RDF terms (a VALUES block of pyoxigraph terms), never pasted into the query text.
"""

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.routing import Route

from pic.graph.engine.jobs import Job, for_reader
from pic.graph.store.interface import bind
from pic.queries.registry import SavedQuery, saved_queries
from pic.service import deps
from pic.service.errors import HttpError
from pic.service.i18n import answer_language
from pic.service.name_lookup import KINDS, iri_named
from pic.service.routers.search import Searching
from pic.service.routers.sparql import answer_response, formats

OPENAPI_TYPES = {
    "iri": ("string", "uri"),
    "string": ("string", None),
    "lang": ("string", None),
    "integer": ("integer", None),
    "decimal": ("number", None),
    "year": ("integer", None),
    "date": ("string", "date"),
    "boolean": ("boolean", None),
}


def describe(q: SavedQuery, request: Request) -> dict:
    return {
        "name": q.name,
        "title": q.title,
        "description": q.description,
        "url": f"{request.base_url}api/queries/{q.name}",  # url_for scans every route: 0.6 ms a query
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "default": p.default,
                "values": list(p.values) or None,
                "min": p.minimum,
                "max": p.maximum,
                "label": p.label,
            }
            for p in q.parameters
        ],
        "query": q.text,
    }


async def list_queries(request: Request) -> list[dict]:
    """Every saved query with its French and English title and description and its parameters."""
    return [describe(q, request) for q in saved_queries().values()]


async def run_saved(q: SavedQuery, request: Request):
    """A plain Starlette route (see `install`) has no dependency injection: it asks `service/deps.py`
    for what an endpoint would name in its signature."""
    user = await deps.get_user(request)
    settings, view = await deps.get_settings(request), await deps.get_view(user, await deps.get_graphs(request))
    own = {p.name for p in q.parameters}  # `lang` is the answer's words, unless the query has a parameter so named
    params = {k: v for k, v in request.query_params.items() if k != "format" and (k != "lang" or k in own)}
    named = {p.name for p in q.parameters if p.type == "iri" and params.get(p.name, "").strip()}
    if any(not params[n].startswith(("http://", "https://")) for n in named):
        searched = Searching(
            await deps.get_search(request),
            await deps.get_writer(request),
            settings,
            user,
            view.readable,
            await deps.get_read_log(request),
        )
        for n in named:  # a name or a short form: an actor's `actor=Musée du Louvre-Lens` (issue 21, 1)
            kind = n if n in KINDS else None
            params[n] = await run_in_threadpool(iri_named, searched, params[n], kind, n, answer_language(request))
    text = bind(q.text, q.bindings(params))
    result_format, graph_format = formats(request, request.query_params.get("format"))
    job = for_reader(Job(text, result_format, graph_format, max_rows=settings.max_rows), view)
    return answer_response(await (await deps.get_queries(request)).run_async(job))


def _openapi_parameters(q: SavedQuery) -> list[dict]:
    out = []
    for p in q.parameters:
        kind, fmt = OPENAPI_TYPES[p.type]
        schema: dict[str, Any] = {"type": kind}
        if fmt:
            schema["format"] = fmt
        if p.default:
            schema["default"] = p.default
        if p.values:
            schema["enum"] = list(p.values)
        if p.minimum is not None:
            schema["minimum"] = p.minimum
        if p.maximum is not None:
            schema["maximum"] = p.maximum
        out.append(
            {"name": p.name, "in": "query", "required": False, "schema": schema, "description": p.label or p.type}
        )
    out.append(
        {
            "name": "format",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "enum": ["json", "xml", "csv", "tsv"]},
            "description": "Result format (otherwise the Accept header decides)",
        }
    )
    return out


async def run_named(request: Request):
    name = request.path_params["name"]
    q = saved_queries().get(name)
    if q is None:
        raise HttpError(404, f"no saved query {name!r}: GET /api/queries lists them")
    return await run_saved(q, request)


def operation(q: SavedQuery) -> dict:
    """The OpenAPI operation of one saved query, with its parameters."""
    return {
        "tags": ["Saved queries"],
        "summary": f"{q.title['fr']} / {q.title['en']}",
        "description": f"{q.description['fr']}\n\n{q.description['en']}",
        "operationId": f"saved_query_{q.name}",
        "parameters": _openapi_parameters(q),
        "responses": {
            "200": {"description": "SPARQL results (JSON, XML, CSV or TSV)"},
            "400": {"description": "A parameter is not valid (the field is named)"},
        },
    }


def install(app: FastAPI) -> None:
    """The listing, and one route for every saved query documented as one path each in the OpenAPI
    schema (one route rather than one per query: routes are matched one by one on every request).

    The runner is a plain Starlette route, first in the table: its parameters are the query's own, read
    and checked by the registry, so FastAPI's parameter solving (~0.2 ms) and the walk through every
    router before it would only add to each call.
    """
    router = APIRouter(tags=["Saved queries"])
    router.add_api_route("/api/queries", list_queries, methods=["GET"], summary="List the saved queries")
    app.include_router(router)
    app.router.routes.insert(0, Route("/api/queries/{name}", run_named, methods=["GET"]))
    generated = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = generated()
            for q in saved_queries().values():
                schema["paths"][f"/api/queries/{q.name}"] = {"get": operation(q)}
        assert app.openapi_schema is not None  # FastAPI's `openapi` keeps what it made
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the schema
