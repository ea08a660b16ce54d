"""SPARQL 1.1 Protocol: `/sparql` (query) and `/update` (update, admins only).

Queries run on local engines with a time limit and a row limit (graph/engine_replicas.py). The
default graph is the union of the graphs the user may read; a user who may not read every graph gets
an explicit dataset, which overrides whatever FROM, FROM NAMED or GRAPH the query names.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from pic.graph.query_jobs import Answer, Job, for_reader
from pic.graph.update_change import apply_update
from pic.service.auth import check_write_csrf, require_admin
from pic.service.bodies import limited_body, limited_form, utf8
from pic.service.deps import QueriesDep, SettingsDep, UserDep, WriterDep
from pic.service.errors import HttpError
from pic.service.negotiation import choose
from pic.service.sparql_guard import Reading, Unreadable, check

router = APIRouter(tags=["SPARQL"])
GraphList = Annotated[list[str], Query()]


def answer_response(answer: Answer) -> Response:
    headers = {"X-PIC-Rows": str(answer.rows), "X-PIC-Elapsed-Ms": f"{answer.seconds * 1000:.1f}",
               "Vary": "Accept"}
    if answer.truncated:
        headers["X-PIC-Truncated"] = "true"
    return Response(answer.body, media_type=answer.media_type, headers=headers)


def formats(request: Request, fmt: str | None) -> tuple[str, str]:
    """(result format, graph format) from the `format` parameter, else the Accept header; 406 if unknown."""
    try:
        return choose(fmt, request.headers.get("accept"))
    except ValueError as e:
        raise HttpError(406, str(e)) from None


async def checked_reading(request: Request, text: str, settings) -> Reading:
    """What the text asks for, read by the SPARQL parser (off the event loop, bounded in size and time)
    and checked: SERVICE only to allowed endpoints, no LOAD, no deeper nesting than the limit."""
    if len(text.encode()) > settings.max_query_bytes:
        raise HttpError(413, f"the request is longer than {settings.max_query_bytes} bytes")
    try:
        reading = await request.app.state.parser.read_async(text)
        check(reading, settings.service_allowlist, settings.max_query_depth)
    except Unreadable as e:
        raise HttpError(400, e.message, line=e.line, column=e.column) from None
    except PermissionError as e:
        raise HttpError(400, str(e)) from None
    return reading


async def query_job(request: Request, text: str, default_graphs: list[str], named_graphs: list[str],
                    fmt: str | None, user, settings) -> Job:
    """The job for a query request, checked (size, parse, update, SERVICE, format) and with its dataset:
    the protocol's graph parameters, else the query's FROM clauses, cut to what the user may read."""
    reading = await checked_reading(request, text, settings)
    if reading.is_update:
        raise HttpError(400, "this is a SPARQL update: send it to /update (admins only)")
    result_format, graph_format = formats(request, fmt)
    all_graphs = request.app.state.graphs.names
    job = Job(reading.text, result_format, graph_format, max_rows=settings.max_rows)
    if not (default_graphs or named_graphs):  # the protocol's parameters override FROM clauses
        default_graphs, named_graphs = list(reading.default_graphs), list(reading.named_graphs)
    if default_graphs or named_graphs:
        readable = request.app.state.graphs.view(user).readable
        if readable is not None:
            default_graphs = [g for g in default_graphs if g in readable]
            named_graphs = [g for g in named_graphs if g in readable]
        job.default_graph, job.named_graphs = default_graphs, named_graphs
    else:
        for_reader(job, request.app.state.graphs.view(user))
        if job.default_graph is None and not settings.union_default_graph:
            job.default_graph, job.named_graphs = [], all_graphs
    return job


SERVICE_DESCRIPTION = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
[] a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph , sd:BasicFederatedQuery ;
    sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON> ,
        <http://www.w3.org/ns/formats/SPARQL_Results_XML> , <http://www.w3.org/ns/formats/SPARQL_Results_CSV> ,
        <http://www.w3.org/ns/formats/SPARQL_Results_TSV> , <http://www.w3.org/ns/formats/Turtle> ,
        <http://www.w3.org/ns/formats/N-Triples> , <http://www.w3.org/ns/formats/JSON-LD> ,
        <http://www.w3.org/ns/formats/RDF_XML> ;
    rdfs:label "Point d'accès SPARQL de la PIC Euralens"@fr , "PIC Euralens SPARQL endpoint"@en ;
    rdfs:comment "Graphe par défaut : union des graphes lisibles. Limites : {timeout:g} s, {rows} lignes."@fr ,
        "Default graph: union of the readable graphs. Limits: {timeout:g} s, {rows} rows."@en .
"""


@router.get("/sparql", summary="SPARQL query (GET), or the service description without `query`",
            responses={200: {"content": {media: {} for media in (
                "application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values", "text/turtle", "application/n-triples", "application/ld+json",
                "application/rdf+xml")}}})
async def sparql_get(request: Request, user: UserDep, settings: SettingsDep, queries: QueriesDep,
                     query: str | None = None,
                     default_graph_uri: Annotated[list[str], Query(alias="default-graph-uri")] = [],  # noqa: B006
                     named_graph_uri: Annotated[list[str], Query(alias="named-graph-uri")] = [],  # noqa: B006
                     format: str | None = None):
    """Run `query`; results as SPARQL JSON, XML, CSV or TSV (SELECT, ASK) or as Turtle, N-Triples,
    JSON-LD or RDF/XML (CONSTRUCT, DESCRIBE), chosen by `Accept` or by `format`."""
    if query is None:
        text = SERVICE_DESCRIPTION.format(endpoint=str(request.url_for("sparql_get")),
                                          timeout=settings.query_timeout, rows=settings.max_rows)
        return Response(text, media_type="text/turtle; charset=utf-8")
    job = await query_job(request, query, default_graph_uri, named_graph_uri, format, user, settings)
    return answer_response(await queries.run_async(job))


@router.post("/sparql", summary="SPARQL query (POST, form-encoded or direct)")
async def sparql_post(request: Request, user: UserDep, settings: SettingsDep, queries: QueriesDep):
    """POST with `application/x-www-form-urlencoded` (`query=…`) or `application/sparql-query`."""
    text, defaults, named, fmt = await read_request(request, "query", "application/sparql-query",
                                                    settings.max_query_bytes)
    job = await query_job(request, text, defaults, named, fmt, user, settings)
    return answer_response(await queries.run_async(job))


async def read_request(request: Request, field: str, direct_type: str, limit: int):
    """The text and the protocol's parameters of a POST, its body read with the size limit."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    params = request.query_params
    defaults, named = params.getlist("default-graph-uri"), params.getlist("named-graph-uri")
    if content_type == "application/x-www-form-urlencoded":
        form = await limited_form(request, limit)
        text = (form.get(field) or [None])[0]
        defaults = defaults + form.get("default-graph-uri", []) + form.get("using-graph-uri", [])
        named = named + form.get("named-graph-uri", []) + form.get("using-named-graph-uri", [])
        fmt = (form.get("format") or [None])[0] or params.get("format")
    elif content_type == direct_type:
        text, fmt = utf8(await limited_body(request, limit), field), params.get("format")
    else:
        raise HttpError(415, f"send {direct_type} or application/x-www-form-urlencoded")
    if not text:
        raise HttpError(400, f"the `{field}` parameter is missing")
    return text, defaults, named, fmt


@router.post("/update", summary="SPARQL update (admins)", status_code=204)
async def sparql_update(request: Request, user: UserDep, settings: SettingsDep, writer: WriterDep,
                        queries: QueriesDep):
    """Apply a SPARQL 1.1 update; needs the admin token. Its exact change goes through the one write
    path like any other: graphs the admin role may write (no derived graph, no API-owned graph), the
    SHACL shapes (422), one transaction with its PROV activity and its delta in the history (the text
    kept for facilitators and admins); an update that changes nothing records nothing. Writing the
    default graph, or removing statements with blank nodes, is refused (400)."""
    require_admin(user)
    check_write_csrf(request)  # a browser's session cookie alone is not enough
    text, _, _, _ = await read_request(request, "update", "application/sparql-update",
                                       settings.max_query_bytes)
    reading = await checked_reading(request, text, settings)
    if not reading.is_update:
        raise HttpError(400, "this is a query, not an update: send it to /sparql")
    await run_in_threadpool(apply_update, writer, user, reading.text, reading.scope)
    return Response(status_code=204)
