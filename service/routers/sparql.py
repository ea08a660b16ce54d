"""SPARQL 1.1 Protocol: `/sparql` (query) and `/update` (update, admins only).

Queries run on local engines with a time limit and a row limit (graph/engine/copies.py). Their
dataset, when neither the protocol's parameters nor FROM / FROM NAMED name one:
- with PIC_UNION_DEFAULT_GRAPH on (the platform's mode), the default graph is the union of the graphs
  the user may read, which are also its named graphs;
- with it off (the standard mode, issue 18), the default graph is a graph of its own
  (`Names.default_graph`, written by `/update` without GRAPH and by the Graph Store's `?default`), and
  the named graphs are those the user may read, but the records of changes (`standard_dataset`).
Graphs named by the parameters or by FROM are cut to those the user may read.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pyoxigraph import RdfFormat, parse, serialize
from starlette.concurrency import run_in_threadpool

from pic.graph.access import User, cut_to, standard_dataset
from pic.graph.engine.jobs import Answer, Job, QueryFailed, for_reader
from pic.graph.engine.update_sandbox import Limits
from pic.graph.store.formats import BY_KEY, GRAPHS
from pic.graph.writes.update_change import apply_update
from pic.ontology.namespaces import PREFIXES, turtle_prefixes
from pic.service.auth import check_write_csrf, require_admin
from pic.service.bodies import limited_body, limited_form, strict_query_string, utf8
from pic.service.deps import GraphsDep, ParserDep, QueriesDep, ReadLogDep, SettingsDep, UserDep, WriterDep
from pic.service.errors import HttpError, query_position
from pic.service.negotiation import GRAPH_MEDIA, accepted, choose
from pic.service.parser_pool import ParserPool
from pic.service.read_log import query_read
from pic.service.sparql_guard import Reading, Refused, Unreadable, check
from pic.service.state import GraphNames
from pic.service.update_text import with_using, without_silent_loads

router = APIRouter(tags=["SPARQL"])
GraphList = Annotated[list[str], Query()]


def answer_response(answer: Answer) -> Response:
    headers = {"X-PIC-Rows": str(answer.rows), "X-PIC-Elapsed-Ms": f"{answer.seconds * 1000:.1f}", "Vary": "Accept"}
    if answer.truncated:
        headers["X-PIC-Truncated"] = "true"
    return Response(answer.body, media_type=answer.media_type, headers=headers)


def formats(request: Request, fmt: str | None) -> tuple[str, str]:
    """(result format, graph format) from the `format` parameter, else the Accept header; 406 if unknown."""
    try:
        return choose(fmt, request.headers.get("accept"))
    except ValueError as e:
        raise HttpError(406, str(e)) from None


async def checked_reading(parser: ParserPool, text: str, settings, sender: str | None = None) -> Reading:
    """What the text asks for, read by the SPARQL parser (off the event loop, bounded in size and time)
    and checked: SERVICE only to allowed endpoints, no LOAD, no deeper nesting, longer path or
    longer operator chain than the limits."""
    if len(text.encode()) > settings.max_query_bytes:
        raise HttpError(413, f"the request is longer than {settings.max_query_bytes} bytes", code="too_long")
    try:
        reading = await parser.read_async(text, sender)
        check(
            reading,
            settings.service_allowlist,
            settings.max_query_depth,
            settings.max_path_length,
            settings.max_chain_length,
            settings.max_group_size,
        )
    except Unreadable as e:
        raise HttpError(400, e.message, line=e.line, column=e.column, code=e.code) from None
    except Refused as e:
        raise HttpError(400, str(e), code=e.code) from None
    return reading


def sender(request: Request, user: User) -> str:
    """Who asked, as the engines' cooldowns count senders: a signed-in user by name, anyone else by address."""
    if user.role != "anonymous":
        return f"user:{user.name}"
    return f"address:{request.client.host if request.client else 'unknown'}"


async def query_job(
    request: Request,
    text: str,
    default_graphs: list[str],
    named_graphs: list[str],
    fmt: str | None,
    user,
    settings,
    graphs: GraphNames,
    parser: ParserPool,
) -> Job:
    """The job for a query request, checked (size, parse, update, SERVICE, format) and with its dataset:
    the protocol's graph parameters, else the query's FROM clauses, cut to what the user may read."""
    reading = await checked_reading(parser, text, settings, sender(request, user))
    if reading.is_update:
        raise HttpError(400, "this is a SPARQL update: send it to /update (admins only)", code="update")
    result_format, graph_format = formats(request, fmt)
    all_graphs = graphs.names
    # Relative IRIs resolve against this endpoint's URL (the engine would take its own address); the
    # query's own BASE, after this one, still wins. On a line of its own: the engine's positions are then
    # the text's, one line down (`engine_refusal`).
    base = f"BASE <{request.url_for('sparql_get')}>\n"
    job = Job(
        base + reading.text, result_format, graph_format, max_rows=settings.max_rows, sender=sender(request, user)
    )
    if not (default_graphs or named_graphs):  # the protocol's parameters override FROM clauses
        default_graphs, named_graphs = list(reading.default_graphs), list(reading.named_graphs)
    view = graphs.view(user)
    if default_graphs or named_graphs:
        job.default_graph, job.named_graphs = cut_to(view, default_graphs), cut_to(view, named_graphs)
    elif settings.union_default_graph:
        for_reader(job, view)
    else:
        job.default_graph, job.named_graphs = standard_dataset(view, all_graphs, settings.names)
    return job


def engine_refusal(message: str) -> HttpError:
    """The engine's refusal of a query (an undeclared prefix, a variable bound twice: what rdflib's parser
    lets through), its position in the client's text: the engine read it one line down, after the BASE
    line `query_job` puts first. Its `code` says "prefix" for an undeclared prefix (the engine says where
    the prefixed name ends), "syntax" for another refusal with a position."""
    where = query_position(message)
    if where.get("line", 0) > 1:
        line, column = where["line"], where["column"]
        where["line"] = line - 1
        message = message.replace(f"error at {line}:{column}", f"error at {line - 1}:{column}", 1)
    # the engine's one refusal rdflib's parser lets through most: a prefixed name whose prefix is not declared
    code = "prefix" if where and "Prefix not found" in message else "syntax" if where else "query"
    return HttpError(400, message, code=code, **where)


SERVICE_DESCRIPTION = (
    turtle_prefixes("sd", "rdfs")
    + """[] a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    {features}
    sd:resultFormat <{formats}SPARQL_Results_JSON> ,
        <{formats}SPARQL_Results_XML> , <{formats}SPARQL_Results_CSV> ,
        <{formats}SPARQL_Results_TSV> , <{formats}Turtle> ,
        <{formats}N-Triples> , <{formats}JSON-LD> ,
        <{formats}RDF_XML> ;
    sd:defaultDataset [ a sd:Dataset ; {default_graph}
        rdfs:comment "{dataset_fr}"@fr , "{dataset_en}"@en ] ;
    rdfs:label "Point d'accès SPARQL de la PIC Euralens"@fr , "PIC Euralens SPARQL endpoint"@en ;
    rdfs:comment "Limites : {timeout:g} s, {rows} lignes. Mises à jour (/update) : administrateurs."@fr ,
        "Limits: {timeout:g} s, {rows} rows. Updates (/update): admins."@en .
"""
)
# What each mode makes the default graph (PIC_UNION_DEFAULT_GRAPH), said in the service description.
DATASETS = {
    True: (
        "sd:UnionDefaultGraph",
        "",
        "Graphe par défaut : union des graphes nommés que le lecteur peut lire.",
        "Default graph: the union of the named graphs the reader may read.",
    ),
    False: (
        "",
        "sd:defaultGraph [ a sd:Graph ] ;",
        "Jeu de données standard : le graphe par défaut est le graphe {name} (écrit par /update sans GRAPH "
        "et par le Graph Store avec ?default) ; GRAPH ?g parcourt les graphes nommés que le lecteur peut lire, "
        "sauf les registres des modifications (…/provenance), que FROM NAMED ou named-graph-uri nomment.",
        "Standard dataset: the default graph is graph {name} (written by /update without GRAPH and by "
        "the Graph Store with ?default); GRAPH ?g ranges over the named graphs the reader may read but "
        "the change records (…/provenance), which FROM NAMED or named-graph-uri name.",
    ),
}


def service_description(request: Request, settings) -> str:
    union, default_graph, fr, en = DATASETS[settings.union_default_graph]
    features = ", ".join(f for f in (union, "sd:BasicFederatedQuery" * bool(settings.service_allowlist)) if f)
    name = settings.names.default_graph.value
    return SERVICE_DESCRIPTION.format(
        endpoint=str(request.url_for("sparql_get")),
        formats=PREFIXES["formats"],
        timeout=settings.query_timeout,
        rows=settings.max_rows,
        features=f"sd:feature {features} ;" if features else "",
        default_graph=default_graph,
        dataset_fr=fr.format(name=name),
        dataset_en=en.format(name=name),
    )


def described(request: Request, settings) -> Response:
    """The service description in the RDF format `Accept` asks for (Turtle by default)."""
    key = next((GRAPH_MEDIA[m] for m in accepted(request.headers.get("accept")) if m in GRAPH_MEDIA), "ttl")
    media, rdf_format = BY_KEY[key].media_type, BY_KEY[key].rdf_format
    text = service_description(request, settings)
    if key == "ttl":
        return Response(text, media_type=media, headers={"Vary": "Accept"})
    triples = [q.triple for q in parse(text.encode(), RdfFormat.TURTLE)]
    return Response(serialize(triples, format=rdf_format), media_type=media, headers={"Vary": "Accept"})


@router.get(
    "/sparql",
    summary="SPARQL query (GET), or the service description without `query`",
    responses={
        200: {
            "content": {
                media: {}
                for media in (
                    "application/sparql-results+json",
                    "application/sparql-results+xml",
                    "text/csv",
                    "text/tab-separated-values",
                    *(s.accepted[0] for s in GRAPHS),
                )
            }
        }
    },
)
async def sparql_get(
    request: Request,
    user: UserDep,
    settings: SettingsDep,
    queries: QueriesDep,
    graphs: GraphsDep,
    parser: ParserDep,
    read_log: ReadLogDep,
    query: str | None = None,
    default_graph_uri: Annotated[list[str], Query(alias="default-graph-uri")] = [],  # noqa: B006
    named_graph_uri: Annotated[list[str], Query(alias="named-graph-uri")] = [],  # noqa: B006
    format: str | None = None,
):
    """Run `query`; results as SPARQL JSON, XML, CSV or TSV (SELECT, ASK) or as Turtle, N-Triples,
    JSON-LD or RDF/XML (CONSTRUCT, DESCRIBE), chosen by `Accept` or by `format`."""
    strict_query_string(request)
    if "update" in request.query_params:
        raise HttpError(400, "an update is sent by POST to /update, never by GET", field="update")
    if len(request.query_params.getlist("query")) > 1:
        raise HttpError(400, f"one `query` parameter, not {len(request.query_params.getlist('query'))}", field="query")
    if query is None:
        return described(request, settings)
    job = await query_job(request, query, default_graph_uri, named_graph_uri, format, user, settings, graphs, parser)
    return await answered(queries, job, user, graphs, read_log)


async def answered(queries, job: Job, user: User, graphs: GraphNames, read_log) -> Response:
    """The job's answer, its read logged for the organisations whose non-public graphs it read over."""
    try:
        answer = await queries.run_async(job)
    except QueryFailed as e:
        raise engine_refusal(str(e)) from None
    await run_in_threadpool(
        query_read, read_log, user, job, answer, graphs.view(user).readable or graphs.names, "/sparql"
    )
    return answer_response(answer)


@router.post("/sparql", summary="SPARQL query (POST, form-encoded or direct)")
async def sparql_post(
    request: Request,
    user: UserDep,
    settings: SettingsDep,
    queries: QueriesDep,
    graphs: GraphsDep,
    parser: ParserDep,
    read_log: ReadLogDep,
):
    """POST with `application/x-www-form-urlencoded` (`query=…`) or `application/sparql-query`."""
    text, defaults, named, fmt = await read_request(
        request, "query", "application/sparql-query", settings.max_query_bytes
    )
    job = await query_job(request, text, defaults, named, fmt, user, settings, graphs, parser)
    return await answered(queries, job, user, graphs, read_log)


# The protocol's dataset parameters of a query and of an update.
DATASET_PARAMETERS = {
    "query": ("default-graph-uri", "named-graph-uri"),
    "update": ("using-graph-uri", "using-named-graph-uri"),
}


async def read_request(request: Request, field: str, direct_type: str, limit: int):
    """The text and the protocol's parameters of a POST, its body read with the size limit."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    params = request.query_params
    strict_query_string(request)
    other = "update" if field == "query" else "query"
    if field in params or other in params:
        raise HttpError(400, f"send the {field} in the body, not in the URL", field=field)
    keys = DATASET_PARAMETERS[field]
    defaults, named = params.getlist(keys[0]), params.getlist(keys[1])
    if content_type == "application/x-www-form-urlencoded":
        form = await limited_form(request, limit)
        texts = form.get(field) or []
        if len(texts) > 1:
            raise HttpError(400, f"one `{field}` parameter, not {len(texts)}", field=field)
        if other in form:
            raise HttpError(
                400,
                f"a request to this endpoint carries a {field}, not a{'n' * (other == 'update')} {other}",
                field=other,
            )
        text = texts[0] if texts else None
        defaults, named = defaults + form.get(keys[0], []), named + form.get(keys[1], [])
        fmt = next(iter(form.get("format") or []), None) or params.get("format")
    elif content_type == direct_type:
        text = utf8(await limited_body(request, limit), field).removeprefix("\ufeff")  # (a BOM is no text)
        fmt = params.get("format")
    else:
        raise HttpError(415, f"send {direct_type} or application/x-www-form-urlencoded")
    if not text:
        raise HttpError(400, f"the `{field}` parameter is missing")
    return text, defaults, named, fmt


@router.post("/update", summary="SPARQL update (admins)", status_code=204)
async def sparql_update(request: Request, user: UserDep, settings: SettingsDep, writer: WriterDep, parser: ParserDep):
    """Apply a SPARQL 1.1 update; needs the admin token. Its exact change goes through the one write
    path like any other: graphs the admin role may write (no derived graph, no API-owned graph), the
    SHACL shapes (422), one transaction with its PROV activity and its delta in the history (the text
    kept for facilitators and admins); an update that changes nothing records nothing. Removing
    statements with blank nodes is refused (400), and so is writing the default graph when it is the
    union of the graphs (PIC_UNION_DEFAULT_GRAPH, the default); DROP/CLEAR ALL and NAMED apply to the
    graphs the admin may write. Relative IRIs resolve against this endpoint's IRI."""
    require_admin(user)
    check_write_csrf(request)  # a browser's session cookie alone is not enough
    text, using, using_named, _ = await read_request(
        request, "update", "application/sparql-update", settings.max_query_bytes
    )
    try:
        text = without_silent_loads(with_using(text, using, using_named))
    except ValueError as e:
        raise HttpError(400, str(e)) from None
    reading = await checked_reading(parser, text, settings)
    if not reading.is_update:
        raise HttpError(400, "this is a query, not an update: send it to /sparql")
    assert reading.scope is not None  # an update's reading has its scope (`sparql_guard`)
    if settings.union_default_graph and reading.scope.default_graph:
        raise HttpError(
            400,
            "this update reads or writes the default graph, which is the union of the graphs "
            "here (PIC_UNION_DEFAULT_GRAPH=true) and which no update changes: name the graphs "
            "with GRAPH <…>, WITH <…> or USING <…>",
        )
    default = None if settings.union_default_graph else settings.names.default_graph
    limits = Limits(settings.query_timeout, settings.engine_memory_mb * 2**20)
    endpoint = str(request.url_for("sparql_update"))
    await run_in_threadpool(apply_update, writer, user, reading.text, reading.scope, default, endpoint, limits)
    return Response(status_code=204)
