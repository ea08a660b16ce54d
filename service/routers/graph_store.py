"""SPARQL 1.1 Graph Store HTTP Protocol at `/rdf-graphs`: read readable graphs, admins write.

Writes go through the one write path (parsing with the fault's position, SHACL validation, history,
provenance, inferred graph), like every other write.

A graph the reader may not read is "no graph" (404), as one that does not exist. Who may write a graph
is decided from its IRI alone (`access.check_write`), before its existence or the body is looked at: a
partner writing another organisation's private graph is refused (403) whether it exists or not — an
empty body (no quads, so nothing for the write path to check) included — and so is everyone writing a
graph an API owns (annotations, hidden annotations, moderation, accepted links). What the body says is
the write path's to check: a partner's graph describes its organisation's entities (`ownership.py`).
"""

import io
import uuid
from typing import cast

from fastapi import APIRouter, Request, Response
from pyoxigraph import NamedNode, Quad, RdfFormat, Store
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from pic.graph.access import check_write, readable_by
from pic.graph.contributions.documents import attached_documents
from pic.graph.store.formats import BY_KEY
from pic.graph.store.parsing import parse_bytes
from pic.graph.writes.checks import DOT_SEGMENT
from pic.graph.writes.ownership import DISTRIBUTION, is_document_description
from pic.service.auth import check_write_csrf, require_writer
from pic.service.bodies import limited_body, limited_multipart
from pic.service.deps import ReadLogDep, SettingsDep, StoreDep, UserDep, WriterDep
from pic.service.errors import HttpError
from pic.service.negotiation import GRAPH_MEDIA, accepted

router = APIRouter(tags=["Graph Store"])


def target(request: Request, settings, store, user, must_exist: bool, writing: bool = False) -> NamedNode:
    iri = request.query_params.get("graph")
    if path := request.path_params.get("path"):  # direct identification: the request's URL names the graph
        if iri is not None or "default" in request.query_params:
            raise HttpError(400, "a graph named by its URL takes no ?graph= or ?default")
        if DOT_SEGMENT.search(path):
            raise HttpError(400, "a graph's URL has no '.' or '..' segments (a client resolves them away)")
        iri = str(request.url.replace(query=None, fragment=None))
    elif "default" in request.query_params:
        if iri is not None:
            raise HttpError(400, "name one graph: ?default or ?graph=<IRI>, not both")
        if settings.union_default_graph:
            raise HttpError(
                400,
                "the default graph is the union of the graphs the reader may read here "
                "(PIC_UNION_DEFAULT_GRAPH=true); name a graph with ?graph=",
            )
        iri = settings.names.default_graph.value
    if not iri:
        raise HttpError(400, "name the graph with ?graph=<IRI>")
    try:
        graph = NamedNode(iri)
    except ValueError:
        raise HttpError(400, f"not an IRI: {iri!r}", field="graph") from None
    if writing:  # before its existence is looked at (partners their own graphs, admins all)
        check_write(user, {graph}, settings.names)
    if "default" in request.query_params:  # the default graph always exists, if empty
        return graph
    if must_exist and (graph not in store.graphs() or not readable_by(user, [graph], settings.names)):
        raise HttpError(404, f"no graph {iri}")
    return graph


def _read(request: Request, settings: SettingsDep, store: StoreDep, user: UserDep, read_log, head: bool) -> Response:
    graph = target(request, settings, store, user, must_exist=True)
    if not head:
        read_log.record(user, [graph.value], graph.value, "/rdf-graphs")
    key = next((GRAPH_MEDIA[m] for m in accepted(request.headers.get("accept")) if m in GRAPH_MEDIA), "ttl")
    buffer = io.BytesIO()
    store.dump(buffer, BY_KEY[key].rdf_format, graph)
    media = BY_KEY[key].media_type
    body = b"" if head else buffer.getvalue()
    return Response(body, media_type=media, headers={"Vary": "Accept", "Content-Length": str(len(buffer.getvalue()))})


# Every route serves a graph named by `?graph=`, the default graph (`?default`, in the standard mode), or,
# under /rdf-graphs/…, the graph its own URL names (the protocol's direct identification).
DIRECT = "/rdf-graphs/{path:path}"


@router.get("/rdf-graphs", summary="Get a named graph (?graph=) or the default graph (?default)")
@router.get(DIRECT, summary="Get the graph this URL names", include_in_schema=False)
def get_graph(request: Request, settings: SettingsDep, store: StoreDep, user: UserDep, read_log: ReadLogDep):
    return _read(request, settings, store, user, read_log, head=False)


@router.head("/rdf-graphs", include_in_schema=False)
@router.head(DIRECT, include_in_schema=False)
def head_graph(request: Request, settings: SettingsDep, store: StoreDep, user: UserDep):
    return _read(request, settings, store, user, None, head=True)


def _format(media: str, where: str) -> RdfFormat:
    fmt = RdfFormat.from_media_type(media) if media else None
    if fmt is None or (fmt.supports_datasets and fmt != RdfFormat.JSON_LD):  # JSON-LD: its default graph
        raise HttpError(415, f"unsupported media type {media!r}{where}; send Turtle, N-Triples, JSON-LD or RDF/XML")
    return fmt


def _parsed(data: bytes, fmt: RdfFormat, graph: NamedNode, source: str, settings) -> Store:
    """One RDF document's triples in `graph` (relative IRIs resolved against it). A JSON-LD document
    that names a graph of its own is refused: the request names the one graph it writes."""
    staged = parse_bytes(data, fmt, graph, source, base_iri=graph.value, max_literal_chars=settings.max_literal_chars)
    other = next((g for g in staged.store.named_graphs() if g != graph), None)
    if other is not None:
        raise HttpError(
            400,
            f"{source} names the graph {other.value}: a Graph Store body is the content of the "
            f"one graph the request names ({graph.value}); send it without naming a graph",
        )
    return staged.store


async def _staged(request: Request, settings, graph: NamedNode) -> Store:
    """The body's triples in `graph`. A POST may send several RDF documents as the parts of a
    `multipart/form-data` body (the protocol's §5.5), each with its own media type: their merge is added.
    A part that does not parse is named in the 400, and nothing is written."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()

    if media != "multipart/form-data" or request.method != "POST":
        fmt = _format(media, "")
        return _parsed(await limited_body(request, settings.max_upload_bytes), fmt, graph, "request body", settings)
    merged = Store()
    async with limited_multipart(request, settings.max_upload_bytes, max_files=settings.max_upload_files) as form:
        for name, part in form.multi_items():
            if not isinstance(part, UploadFile):
                raise HttpError(415, f"the form's field {name!r} is not a file part with a media type", field=name)
            fmt = _format((part.content_type or "").split(";")[0].strip(), f" in the form's part {name!r}")
            merged.extend(_parsed(await part.read(), fmt, graph, f"form part {name!r}", settings))
    return merged


async def _write(
    request: Request, settings, store, writer, user, replace: bool, new: NamedNode | None = None
) -> Response:
    """A PUT or POST to the graph the request names, or to `new`, a graph it creates (201, `Location`)."""
    require_writer(user)
    check_write_csrf(request)  # a browser's session cookie alone is not enough
    if new is None:
        graph = target(request, settings, store, user, must_exist=False, writing=True)
    else:
        graph = new
        check_write(user, {graph}, settings.names)
    staged = await _staged(request, settings, graph)
    existed = await run_in_threadpool(apply, writer, graph, staged, user, replace, f"Graph Store {request.method}")
    if new is not None:
        return Response(status_code=201, headers={"Location": new.value})
    return Response(status_code=204 if existed else 201)


def apply(writer, graph: NamedNode, added: Store, user, replace: bool, source: str, deleting: bool = False) -> bool:
    """Write one Graph Store change; True if the graph existed. What a PUT removes is read inside the
    writer's lock, with the write: read before it, two parallel PUTs each removed the graph as it was and
    both bodies stayed (20 rounds of 20). A change that changes nothing is not recorded.

    Documents' descriptions are the documents API's (`ownership.is_document_description`): a PUT
    replaces everything else and keeps them (a body that repeats them changes nothing), and a DELETE of
    a graph that holds some is refused (409) until the documents are removed through their API."""
    with writer.lock:
        existed = graph in writer.store.graphs()
        repeats = any(is_document_description(q, writer.names) for q in added)
        current = list(writer.store.quads(graph)) if existed and (replace or repeats) else []
        kept = set(attached_documents(current, writer.names))
        if deleting and kept:
            raise HttpError(409, documents_first(kept, writer.names.base))
        for q in kept:
            added.remove(q)
        removed = [q for q in current if q not in kept] if replace else []
        if len(added) or removed:
            writer.write(added, removed, user, source=source)
    return existed


def documents_first(kept: set[Quad], base: str) -> str:
    """The 409 of a DELETE: which documents the graph's studies have, and how to remove them."""
    routes = sorted(
        f"/api/studies/{q.subject.value.removeprefix(base + 'study/')}/documents/"  # type: ignore[union-attr]  # pyoxigraph 0.5 stubs: a subject is never a Triple
        f"{cast(NamedNode, q.object).value.removeprefix(base + 'document/')}"
        for q in kept
        if q.predicate == DISTRIBUTION
    )
    more = f" and {len(routes) - 3} more" if len(routes) > 3 else ""
    return (
        f"the graph's studies have {len(routes)} document(s), which only the documents API removes: "
        f"DELETE {', '.join(routes[:3])}{more} first, then the graph"
    )


@router.put("/rdf-graphs", summary="Replace a named graph (its owner, admins)")
@router.put(DIRECT, include_in_schema=False)
async def put_graph(request: Request, settings: SettingsDep, store: StoreDep, writer: WriterDep, user: UserDep):
    return await _write(request, settings, store, writer, user, replace=True)


@router.post("/rdf-graphs", summary="Add to a named graph (its owner, admins); without a graph, create one")
@router.post(DIRECT, include_in_schema=False)
async def post_graph(request: Request, settings: SettingsDep, store: StoreDep, writer: WriterDep, user: UserDep):
    if request.path_params.get("path") or {"graph", "default"} & set(request.query_params):
        return await _write(request, settings, store, writer, user, replace=False)
    # Without a graph: a new one, named by a new URL under /rdf-graphs/.
    new = NamedNode(str(request.url_for("get_graph", path=uuid.uuid4().hex)))
    return await _write(request, settings, store, writer, user, replace=False, new=new)


@router.delete("/rdf-graphs", summary="Delete a named graph (its owner, admins)", status_code=204)
@router.delete(DIRECT, include_in_schema=False, status_code=204)
async def delete_graph(request: Request, settings: SettingsDep, store: StoreDep, writer: WriterDep, user: UserDep):
    require_writer(user)
    check_write_csrf(request)
    graph = target(request, settings, store, user, must_exist=True, writing=True)
    await run_in_threadpool(apply, writer, graph, Store(), user, True, "Graph Store DELETE", True)
    return Response(status_code=204)
