"""Network maps for facilitators: `/maps/{kind}` pages with their filters in the query string, the same
URL with a suffix for exports (`.gexf`, `.graphml`, `.json`, `.csv`, `.svg`, `.png`, `.html`), and
`/maps/{kind}/changes` for what changed between two years.

Maps query the graph through the query runner (in memory, time-limited, only the graphs the user may
read); vis-network is served from the installed pyvis package, never from a CDN.
"""

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError

from pic.graph.said import in_language
from pic.graph.settings import Settings
from pic.service.auth import current_user
from pic.service.deps import ReaderDep, SettingsDep
from pic.service.error_pages import wants_page
from pic.service.errors import HttpError
from pic.service.i18n import STRINGS, answer_language, language
from pic.service.name_lookup import iri_named, is_identifier
from pic.service.pages import page_link, templates
from pic.service.routers.search import Searching, SearchingDep
from pic.viz import maps, networks, render
from pic.viz.exports import MEDIA_TYPES
from pic.viz.filters import Filters
from pic.viz.networks import KINDS, UnknownNode

router = APIRouter(tags=["Maps"])
OWN_FILES = {
    "map.js": "text/javascript; charset=utf-8",
    "map.css": "text/css; charset=utf-8",
    "report.css": "text/css; charset=utf-8",
}  # the report's page links its stylesheet here


# The filters that name an entity, and its kind ("node": the map's nodes' kind, studies on the citations
# map): a name typed there is looked up (`name_lookup`).
NAMED = {"ego": "node", "path_from": "node", "path_to": "node", "territory": "territory", "theme": "theme"}


def read_filters(
    request: Request, settings: Settings, searched: Searching, kind: str, ignore: tuple[str, ...] = ()
) -> Filters:
    params = {k: v for k, v in request.query_params.items() if k not in ("lang", *ignore) and v != ""}
    lang = answer_language(request)
    words = STRINGS[lang]["names"]
    if params.get("actor_type") and not is_identifier(params["actor_type"]):  # a type by its name
        named = maps.actor_types(searched.writer.store).get(params["actor_type"].strip().casefold())
        if named is None:
            said = words["none"].format(name=params["actor_type"][:80], kind=words["actor_type"])
            raise HttpError(422, said, field="actor_type")
        params["actor_type"] = named
    if params.get("relation"):
        relations = {language: maps.relations(searched.writer.store, kind, language) for language in ("fr", "en")}
        known = relations[lang]
        by_name = {name.casefold(): value for each in relations.values() for value, name in each.items()}
        params["relation"] = by_name.get(params["relation"].strip().casefold(), params["relation"])  # its name
        if params["relation"] not in known:
            said = words["relation"].format(name=params["relation"][:80], names=" ; ".join(known.values()))
            raise HttpError(422, said, field="relation")
    nodes = "study" if kind == "citations" else "actor"
    for name, of in NAMED.items():
        if name in params:
            wanted = nodes if of == "node" else of
            params[name] = iri_named(searched, params[name], wanted, name, lang)
    try:
        return Filters.model_validate(params).expanded(settings.base_iri)
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(x) for x in first["loc"]) or None
        raise HttpError(400, f"{field}: {first['msg']}" if field else first["msg"], field=field) from None
    except ValueError as e:
        raise HttpError(400, str(e), field=str(e).split(":", 1)[0]) from None


def claimed(request: Request, settings: Settings, store) -> list:
    """What the reader's map leaves out: other organisations' claims about its evidence, as the reader
    sees whose each entity is (`networks.claimed_statements`)."""
    return networks.claimed_statements(store, None, settings.names, current_user(request).org)


def build(settings: Settings, store, kind: str, filters: Filters, period=None, claims: list | None = None):
    try:
        return maps.network(store, kind, filters, period=period, claimed=claims, names=settings.names)
    except UnknownNode as e:
        raise HttpError(404, str(e), field=str(e).split(":", 1)[0]) from None


@router.get("/maps", response_class=HTMLResponse, summary="Cartes / Maps")
def index(request: Request):
    lang = language(request)
    return templates.TemplateResponse(
        request, "maps.html", {"t": STRINGS[lang], "lang": lang, "kinds": KINDS, "m": render.TEXT[lang]}
    )


@router.get("/maps/static/{name}", include_in_schema=False)
def own_file(name: str):
    if name not in OWN_FILES:
        raise HttpError(404, f"no such file: {name}")
    return Response(
        render.own_file(name), media_type=OWN_FILES[name], headers={"Cache-Control": "public, max-age=3600"}
    )


@router.get("/vendor/vis-network.min.js", include_in_schema=False)
def vis_js():
    return Response(
        render.vis_network_js(),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/vendor/vis-network.css", include_in_schema=False)
def vis_css():
    return Response(
        render.vis_network_css(),
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get(
    "/maps/{kind}/changes",
    summary="Ce qui a changé / What changed between two years",
    responses={200: {"content": {"text/html": {}}}},
)
def changes(
    request: Request,
    store: ReaderDep,
    settings: SettingsDep,
    searched: SearchingDep,
    kind: str,
    before: int = 2012,
    after: int = 2024,
):
    """New and lost ties, newcomers and those who left, between the networks of two years.
    `Accept: application/json` (or `/changes?format=json`) gives the JSON twin."""
    if kind not in KINDS:
        raise HttpError(404, f"no map of kind {kind!r}: {', '.join(KINDS)}")
    filters = read_filters(request, settings, searched, kind, ignore=("before", "after", "format"))
    lang = language(request)
    claims = claimed(request, settings, store)
    old = build(settings, store, kind, filters, period=(before, before), claims=claims)
    new = build(settings, store, kind, filters, period=(after, after), claims=claims)
    diff = networks.changes(old, new)
    labels = {
        **dict(old.nodes(data="label_en" if lang == "en" else "label")),
        **dict(new.nodes(data="label_en" if lang == "en" else "label")),
    }
    if request.query_params.get("format") == "json" or "application/json" in request.headers.get("accept", ""):
        return JSONResponse(
            {"kind": kind, "before": before, "after": after, **diff, "labels": {n: labels[n] for n in labels}}
        )
    link = page_link(settings.base_iri)
    return templates.TemplateResponse(
        request,
        "map-changes.html",
        {
            "t": STRINGS[lang],
            "lang": lang,
            "m": render.TEXT[lang],
            "kind": kind,
            "title": KINDS[kind].title[lang],
            "before": before,
            "after": after,
            "diff": diff,
            "label": labels.__getitem__,
            "link": link,
            "sizes": {"before": old.number_of_edges(), "after": new.number_of_edges()},
        },
    )


@router.get(
    "/maps/{name}",
    summary="Carte d'un réseau / Network map",
    responses={200: {"content": {t: {} for t in MEDIA_TYPES.values()}}},
)
def map_page(request: Request, store: ReaderDep, settings: SettingsDep, searched: SearchingDep, name: str):
    """`/maps/cooperation`, `/maps/knowledge-flows`, `/maps/actor-project`, `/maps/citations`,
    `/maps/actor-territory`; add `.gexf`, `.graphml`, `.json`, `.csv`, `.svg`, `.png` or `.html` for a file.
    Filters: theme, territory, from, until, actor_type, relation, min_weight, ego, depth, path_from,
    path_to, colour, size."""
    kind, _, fmt = name.partition(".")
    if kind not in KINDS:
        raise HttpError(404, f"no map of kind {kind!r}: {', '.join(KINDS)}")
    if fmt and fmt not in MEDIA_TYPES:
        raise HttpError(404, f"no export format {fmt!r}: {', '.join(MEDIA_TYPES)}")
    lang = language(request)
    problem = None
    try:
        filters = read_filters(request, settings, searched, kind)
    except HttpError as e:  # the page, with the map of the other filters and the problem beside them
        field = e.where.get("field")
        if fmt or not wants_page(request) or e.status not in (400, 422) or not isinstance(field, str):
            raise
        problem = {"field": field, "message": in_language(e.message, lang)}
        filters = read_filters(request, settings, searched, kind, ignore=(field,))
    link = page_link(settings.base_iri)
    claims = claimed(request, settings, store)
    if fmt:
        graph = build(settings, store, kind, filters, claims=claims)
        body = maps.output(graph, fmt, kind, filters, lang, link)
        disposition = "inline" if fmt in ("svg", "png") else "attachment"
        return Response(
            body,
            media_type=MEDIA_TYPES[fmt],
            headers={"Content-Disposition": f'{disposition}; filename="{kind}.{fmt}"'},
        )
    query = filters.query_string()
    switch = {**{k: str(v) for k, v in query.items()}, "lang": "en" if lang == "fr" else "fr"}
    try:
        html, _ = maps.page(
            store,
            kind,
            filters,
            lang,
            link,
            {"export_query": urlencode({**query, "lang": lang}), "switch_query": urlencode(switch), "problem": problem},
            claimed=claims,
            names=settings.names,
        )
    except UnknownNode as e:
        raise HttpError(404, str(e), field=str(e).split(":", 1)[0]) from None
    response = HTMLResponse(html, status_code=422 if problem else 200)
    return response
