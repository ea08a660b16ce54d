"""The W3C Web Annotation Protocol: an LDP basic container at `/annotations/` (GET with paging and the
Prefer header, POST creates: 201 + Location + ETag) and each annotation at `/annotations/{id}` (GET, HEAD,
OPTIONS, PUT with If-Match — 412 when stale, 428 when missing — and DELETE), in JSON-LD with the W3C
context and the annotation media type, Turtle on request. Filters: target, creator, motivation, org.

Browsers write with their session cookie and the session's CSRF token in `X-CSRF-Token`; programs send a
bearer token. Everything is read from the graphs the reader may read: group and private annotations
never reach anyone else.
"""

import hashlib
import json
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pyoxigraph import RdfFormat, Triple, serialize

from pic.graph.annotation_model import CONTEXT, MOTIVATIONS, AnnotationError
from pic.graph.annotations import Annotations, Stored
from pic.service.auth import check_csrf, current_user, require_writer
from pic.service.bodies import limited_json
from pic.service.errors import HttpError, checked_iri
from pic.service.negotiation import accepted

router = APIRouter(tags=["Annotations"])
# What the annotation routes answer, for the OpenAPI schema (the protocol's JSON-LD profile, or Turtle).
ANNOTATION_MEDIA = {200: {"content": {media: {} for media in (
    'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"', "application/ld+json", "text/turtle")}}}
MEDIA = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
PAGE = 20
LDP = "http://www.w3.org/ns/ldp#"
CONTAINER_LINKS = (f'<{LDP}BasicContainer>; rel="type", '
                   f'<http://www.w3.org/TR/annotation-protocol/>; rel="{LDP}constrainedBy"')
RESOURCE_LINKS = f'<{LDP}Resource>; rel="type", <http://www.w3.org/ns/oa#Annotation>; rel="type"'
CONTAINER_HEADERS = {"Link": CONTAINER_LINKS, "Allow": "GET, HEAD, OPTIONS, POST", "Vary": "Accept, Prefer",
                     "Accept-Post": f"{MEDIA}, application/ld+json, application/json"}
RESOURCE_HEADERS = {"Link": RESOURCE_LINKS, "Allow": "GET, HEAD, OPTIONS, PUT, DELETE", "Vary": "Accept"}


def notes(request: Request) -> Annotations:
    return Annotations(request.app.state.writer, request.app.state.settings.documents_dir,
                       f"{str(request.base_url).rstrip('/')}/annotations/")


def reader_graphs(request: Request, user, hidden: bool = False) -> list[str] | None:
    names = request.app.state.settings.names
    readable = request.app.state.graphs.view(user).readable
    if hidden or user.role not in ("facilitator", "admin"):
        return readable
    return [g for g in request.app.state.graphs.names if not g.startswith(f"{names.base}graph/hidden/")]


def writer_of(request: Request):
    """The user writing; with a session cookie (no bearer token) the CSRF token must come along."""
    user = current_user(request)
    require_writer(user)
    if not request.headers.get("authorization"):
        check_csrf(request, request.headers.get("x-csrf-token"))
    return user


def jsonld(body: dict, status: int = 200, headers: dict | None = None, etag: str | None = None) -> Response:
    headers = dict(headers or {})
    if etag:
        headers["ETag"] = etag
    return Response(json.dumps(body, ensure_ascii=False), status, media_type=MEDIA, headers=headers)


def wants_turtle(request: Request) -> bool:
    return next((m for m in accepted(request.headers.get("accept")) if m in ("text/turtle", MEDIA.split(";")[0],
                                                                           "application/json", "*/*")),
                None) == "text/turtle"


def annotation_iri(request: Request, key: str) -> str:
    return checked_iri(f"{request.app.state.settings.base_iri}annotation/{key}", 404, f"no annotation {key!r}")


def url_of(request: Request, iri: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/annotations/{iri.rsplit('/', 1)[-1]}"


async def body_of(request: Request):
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in ("application/ld+json", "application/json"):
        raise HttpError(415, f"send the annotation as {MEDIA}", field="content-type")
    return await limited_json(request, request.app.state.settings.max_form_bytes, "JSON-LD")


def failed(e: AnnotationError) -> HttpError:
    return HttpError(e.status, str(e), field=e.field)


def filters_of(request: Request) -> dict:
    q = dict(request.query_params)
    for name in ("target", "creator"):
        if q.get(name):
            checked_iri(q[name], 400, f"{name}: an IRI (e.g. https://w3id.org/pic-euralens/id/user/alice)",
                        field=name)
    if q.get("target"):  # an annotation may be named by its protocol IRI or its canonical one
        q["target"] = notes(request).canonical(q["target"])
    if q.get("motivation") and q["motivation"] not in MOTIVATIONS:
        raise HttpError(400, f"motivation: one of {', '.join(MOTIVATIONS)}", field="motivation")
    return {k: q[k] for k in ("target", "creator", "motivation", "org") if q.get(k)} | (
        {"hidden": True} if q.get("hidden") == "true" else {})


# -- the container -------------------------------------------------------------------------------------
@router.options("/annotations/", summary="Conteneur d'annotations / Annotation container (options)")
def container_options():
    return Response(status_code=204, headers=CONTAINER_HEADERS)


@router.head("/annotations/", include_in_schema=False)
@router.get("/annotations/", summary="Conteneur d'annotations / Annotation container", responses=ANNOTATION_MEDIA)
def container(request: Request, page: int | None = None, iris: int = 0):
    """The container (LDP basic container and annotation collection), or one of its pages (`?page=0`)."""
    user = current_user(request)
    filters = filters_of(request)
    readable = reader_graphs(request, user, filters.get("hidden", False))
    base_url = f"{str(request.base_url).rstrip('/')}/annotations/"
    query = {k: v for k, v in filters.items() if k != "hidden"} | ({"hidden": "true"} if filters.get("hidden") else {})
    store = notes(request)
    if page is not None:
        return annotation_page(request, store, readable, filters, page, bool(iris), base_url, query)
    prefer = request.headers.get("prefer", "")
    minimal = f"{LDP}PreferMinimalContainer" in prefer
    as_iris = "http://www.w3.org/ns/oa#PreferContainedIRIs" in prefer
    total, _ = store.listing(readable, filters, 0, 0)
    last = max(0, (total - 1) // PAGE)
    container_id = base_url + (f"?{urlencode(query)}" if query else "")

    def page_url(n: int) -> str:
        return base_url + "?" + urlencode({**query, **({"iris": 1} if as_iris else {}), "page": n})

    body = {"@context": [*CONTEXT, "http://www.w3.org/ns/ldp.jsonld"], "id": container_id,
            "type": ["BasicContainer", "AnnotationCollection"], "label": "Annotations PIC Euralens",
            "total": total}
    if total:
        body["first"] = page_url(0) if minimal else page_body(request, store, readable, filters, 0, as_iris,
                                                              base_url, query, embedded=True)
        body["last"] = page_url(last)
    headers = dict(CONTAINER_HEADERS)
    if prefer:
        headers["Preference-Applied"] = "return=representation"
    etag = '"' + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32] + '"'
    return jsonld(body, headers=headers, etag=etag)


def annotation_page(request, store, readable, filters, page, as_iris, base_url, query):
    body = page_body(request, store, readable, filters, page, as_iris, base_url, query)
    if body is None:
        raise HttpError(404, f"no page {page}")
    etag = '"' + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32] + '"'
    return jsonld(body, headers={"Allow": "GET, HEAD, OPTIONS", "Vary": "Accept"}, etag=etag)


def page_body(request, store: Annotations, readable, filters, page: int, as_iris: bool, base_url: str, query: dict,
              embedded: bool = False) -> dict | None:
    total, items = store.listing(readable, filters, page * PAGE, PAGE)
    if page < 0 or (page > 0 and page * PAGE >= total):
        return None

    def url(n: int) -> str:
        return base_url + "?" + urlencode({**query, **({"iris": 1} if as_iris else {}), "page": n})

    body: dict = {} if embedded else {"@context": CONTEXT}
    body |= {"id": url(page), "type": "AnnotationPage", "startIndex": page * PAGE,
             "partOf": {"id": base_url + (f"?{urlencode(query)}" if query else ""), "total": total}}
    if (page + 1) * PAGE < total:
        body["next"] = url(page + 1)
    if page > 0:
        body["prev"] = url(page - 1)
    body["items"] = items if as_iris else [
        {k: v for k, v in store.json(store.get(i, readable)).items() if k != "@context"} for i in items]
    return body


@router.post("/annotations/", status_code=201, summary="Créer une annotation / Create an annotation")
async def create(request: Request):
    user = writer_of(request)
    data = await body_of(request)
    store = notes(request)
    readable = reader_graphs(request, user)
    try:
        stored = await run_in_threadpool(store.create, data, user, readable)
    except AnnotationError as e:
        raise failed(e) from None
    return jsonld(store.json(stored), 201, {**RESOURCE_HEADERS, "Location": url_of(request, stored.iri)},
                  stored.etag)


# -- one annotation ------------------------------------------------------------------------------------
def fetch(request: Request, key: str, user) -> tuple[Annotations, Stored]:
    store = notes(request)
    stored = store.get(annotation_iri(request, key), reader_graphs(request, user, hidden=True))
    if stored is None:
        raise HttpError(404, f"no annotation {key}")
    return store, stored


@router.options("/annotations/{key}", summary="Annotation (options)")
def annotation_options(key: str):
    return Response(status_code=204, headers=RESOURCE_HEADERS)


@router.head("/annotations/{key}", include_in_schema=False)
@router.get("/annotations/{key}", summary="Lire une annotation / Read an annotation", responses=ANNOTATION_MEDIA)
def read(request: Request, key: str):
    store, stored = fetch(request, key, current_user(request))
    if wants_turtle(request):
        triples = [Triple(q.subject, q.predicate, q.object) for q in stored.quads()]
        return Response(serialize(triples, format=RdfFormat.TURTLE), media_type="text/turtle",
                        headers={**RESOURCE_HEADERS, "ETag": stored.etag})
    if request.headers.get("if-none-match") == stored.etag:
        return Response(status_code=304, headers={"ETag": stored.etag})
    return jsonld(store.json(stored), headers=RESOURCE_HEADERS, etag=stored.etag)


@router.put("/annotations/{key}", summary="Modifier une annotation / Update an annotation")
async def update(request: Request, key: str):
    user = writer_of(request)
    store, stored = fetch(request, key, user)
    match = request.headers.get("if-match")
    if not match:
        raise HttpError(428, "send If-Match with the ETag you last read", field="If-Match")
    if match not in (stored.etag, "*"):
        raise HttpError(412, "the annotation changed since you read it: read it again", field="If-Match")
    data = await body_of(request)
    if isinstance(data, dict) and store.canonical(data.get("id")) not in (None, stored.iri):
        raise HttpError(400, "the body's id is not this annotation's", field="id")
    try:
        new = await run_in_threadpool(store.replace, stored, data, user, reader_graphs(request, user))
    except AnnotationError as e:
        raise failed(e) from None
    return jsonld(store.json(new), headers=RESOURCE_HEADERS, etag=new.etag)


@router.delete("/annotations/{key}", status_code=204, summary="Supprimer une annotation / Delete an annotation")
async def delete(request: Request, key: str):
    user = writer_of(request)
    store, stored = fetch(request, key, user)
    match = request.headers.get("if-match")
    if match and match not in (stored.etag, "*"):
        raise HttpError(412, "the annotation changed since you read it", field="If-Match")
    try:
        await run_in_threadpool(store.delete, stored, user)
    except AnnotationError as e:
        raise failed(e) from None
    return Response(status_code=204)
