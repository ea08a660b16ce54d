"""The W3C Web Annotation Protocol: an LDP basic container at `/annotations/` (GET with paging and the
Prefer header, POST creates: 201 + Location + ETag) and each annotation at `/annotations/{id}` (GET, HEAD,
OPTIONS, PUT with If-Match — 412 when stale, 428 when missing — and DELETE, If-Match honoured there but
not required), in JSON-LD with the W3C context and the annotation media type; annotations, containers
and pages in Turtle on request (the same JSON-LD, read as RDF). A client's `canonical` is kept, its `id`
becomes `via`. Filters: target, creator, motivation, org. In a listing, an annotation the signed-in reader
has flagged says so to them (`pic:flaggedByYou`), and to nobody else. `tests/test_annotation_protocol.py` lists the
Recommendation's requirements and checks each.

Browsers write with their session cookie and the session's CSRF token in `X-CSRF-Token`; programs send a
bearer token. Everything is read from the graphs the reader may read: group and private annotations
never reach anyone else.
"""

import functools
import inspect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from pic.graph.access import annotation_graphs
from pic.graph.annotations.model import CONTEXT, MOTIVATIONS
from pic.graph.annotations.rdf import turtle
from pic.graph.annotations.storage import Annotations, Stored
from pic.graph.said import Said
from pic.graph.settings import Settings
from pic.graph.store.formats import BY_KEY, TURTLE
from pic.ontology.namespaces import DEFAULT_BASE, PREFIXES
from pic.service.auth import check_csrf, current_user, require_writer
from pic.service.bodies import limited_json
from pic.service.deps import GraphsDep, SettingsDep, WriterDep
from pic.service.entity_tags import matches_strongly, matches_weakly, tag_of, variant
from pic.service.errors import HttpError, checked_iri
from pic.service.negotiation import accepted
from pic.service.state import GraphNames

router = APIRouter(tags=["Annotations"])
TURTLE_MEDIA, JSON_LD = TURTLE.accepted[0], BY_KEY["jsonld"].media_type  # the protocol's Turtle has no charset
# What the annotation routes answer, for the OpenAPI schema (the protocol's JSON-LD profile, or Turtle).
ANNOTATION_MEDIA: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            media: {}
            for media in (
                'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"',
                JSON_LD,
                TURTLE_MEDIA,
            )
        }
    }
}
MEDIA = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
LDP, OA = PREFIXES["ldp"], PREFIXES["oa"]
# A container is an LDP basic container, and so an LDP resource (LDP 4.2.1.4), bound by the protocol.
CONTAINER_LINKS = (
    f'<{LDP}BasicContainer>; rel="type", <{LDP}Resource>; rel="type", '
    f'<http://www.w3.org/TR/annotation-protocol/>; rel="{LDP}constrainedBy"'
)
RESOURCE_LINKS = f'<{LDP}Resource>; rel="type", <{OA}Annotation>; rel="type"'
CONTAINER_HEADERS = {
    "Link": CONTAINER_LINKS,
    "Allow": "GET, HEAD, OPTIONS, POST",
    "Vary": "Accept, Prefer",
    "Accept-Post": f"{MEDIA}, application/ld+json, application/json",
}
RESOURCE_HEADERS = {"Link": RESOURCE_LINKS, "Allow": "GET, HEAD, OPTIONS, PUT, DELETE", "Vary": "Accept"}


@dataclass(frozen=True)
class Notes:
    """What the annotation and moderation routes use of the app, in one dependency (`NotesDep`): the
    annotations in the store (their protocol IRIs on this request's address), the graph names and
    readers' views, the settings."""

    store: Annotations
    graphs: GraphNames
    settings: Settings

    def readable(self, user, hidden: bool = False) -> list[str] | None:
        """The graphs read for `user` (`access.annotation_graphs`: hidden ones only when asked)."""
        return annotation_graphs(user, self.graphs.view(user), self.graphs.names, self.settings.names, hidden)


async def notes_of(request: Request, writer: WriterDep, settings: SettingsDep, graphs: GraphsDep) -> Notes:
    public = f"{str(request.base_url).rstrip('/')}/annotations/"
    return Notes(Annotations(writer, settings.documents_dir, public), graphs, settings)


NotesDep = Annotated[Notes, Depends(notes_of)]


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
    return (
        next(
            (
                m
                for m in accepted(request.headers.get("accept"))
                if m in (TURTLE_MEDIA, JSON_LD, "application/json", "*/*")
            ),
            None,
        )
        == TURTLE_MEDIA
    )


def tags(etag: str) -> list[str]:
    """The entity tags of one state of a resource: its JSON-LD's, its Turtle's."""
    return [etag, variant(etag, "ttl")]


def represent(request: Request, body: dict, etag: str, headers: dict, status: int = 200) -> Response:
    """The JSON-LD body, or the same as Turtle when the client asks for it, each with its entity tag;
    304 to a GET whose If-None-Match names the current one."""
    as_turtle = wants_turtle(request)
    etag = tags(etag)[1] if as_turtle else etag
    if request.method in ("GET", "HEAD") and matches_weakly(request.headers.get("if-none-match", ""), [etag]):
        return Response(status_code=304, headers={**headers, "ETag": etag})
    if as_turtle:
        return Response(turtle(body), status, media_type=TURTLE_MEDIA, headers={**headers, "ETag": etag})
    return jsonld(body, status, headers, etag)


def container_links(handler):
    """Every answer of the container carries its Link header (protocol §4.1), refusals included; a page
    (`?page=`) is no container."""

    def add(e: HttpError, kwargs: dict) -> None:
        if kwargs.get("page") is None:
            e.headers = {"Link": CONTAINER_LINKS, **e.headers}

    wrapped: Callable[..., Any]
    if inspect.iscoroutinefunction(handler):

        async def awaited(*args, **kwargs):
            try:
                return await handler(*args, **kwargs)
            except HttpError as e:
                add(e, kwargs)
                raise

        wrapped = awaited
    else:  # stays synchronous: FastAPI runs it in its thread pool, off the event loop

        def called(*args, **kwargs):
            try:
                return handler(*args, **kwargs)
            except HttpError as e:
                add(e, kwargs)
                raise

        wrapped = called
    return functools.wraps(handler)(wrapped)


def annotation_iri(settings: Settings, key: str) -> str:
    return checked_iri(f"{settings.base_iri}annotation/{key}", 404, f"no annotation {key!r}")


def url_of(request: Request, iri: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/annotations/{iri.rsplit('/', 1)[-1]}"


async def body_of(request: Request, settings: Settings):
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in (JSON_LD, "application/json"):
        raise HttpError(415, Said("send the annotation as {media}", media=MEDIA), field="content-type")
    return await limited_json(request, settings.max_form_bytes, "JSON-LD")


ORG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def filters_of(request: Request, notes: Notes) -> dict:
    q = dict(request.query_params)
    for name in ("target", "creator"):
        if q.get(name):
            checked_iri(q[name], 400, f"{name}: an IRI (e.g. {DEFAULT_BASE}user/alice)", field=name)
    if q.get("target"):  # an annotation may be named by its protocol IRI or its canonical one
        q["target"] = notes.store.canonical(q["target"])
    if q.get("org") and not ORG.match(q["org"]):  # a name with a space made an IRI no engine takes: a 500
        raise HttpError(400, Said("org: an organisation's identifier, as its page's address ends (aula)"), field="org")
    if q.get("motivation") and q["motivation"] not in MOTIVATIONS:
        raise HttpError(400, Said("motivation: one of {choices}", choices=", ".join(MOTIVATIONS)), field="motivation")
    return {k: q[k] for k in ("target", "creator", "motivation", "org") if q.get(k)} | (
        {"hidden": True} if q.get("hidden") == "true" else {}
    )


# -- the container -------------------------------------------------------------------------------------
def container_iri(base_url: str, query: dict, as_iris: bool, page: int | None = None) -> str:
    """The IRI of a listing (its filters; `iris=1` when it lists IRIs, so that the two listings have
    different IRIs, protocol §4.2), or of one of its pages."""
    params = {**query, **({"iris": 1} if as_iris else {}), **({"page": page} if page is not None else {})}
    return base_url + (f"?{urlencode(params)}" if params else "")


def listing_of(request: Request, notes: Notes) -> tuple:
    """(store, the reader's graphs, filters, the query string they make, the container's URL)."""
    user = current_user(request)
    filters = filters_of(request, notes)
    readable = notes.readable(user, filters.get("hidden", False))
    query = {k: v for k, v in filters.items() if k != "hidden"} | ({"hidden": "true"} if filters.get("hidden") else {})
    return notes.store, readable, filters, query, f"{str(request.base_url).rstrip('/')}/annotations/"


def container_body(request: Request, notes: Notes, minimal: bool, as_iris: bool) -> dict:
    store, readable, filters, query, base_url = listing_of(request, notes)
    total, _ = store.listing(readable, filters, 0, 0)
    body = {
        "@context": [*CONTEXT, "http://www.w3.org/ns/ldp.jsonld"],
        "id": container_iri(base_url, query, as_iris),
        "type": ["BasicContainer", "AnnotationCollection"],
        "label": "Annotations PIC Euralens",
        "total": total,
    }
    if total:
        body["first"] = (
            container_iri(base_url, query, as_iris, 0)
            if minimal
            else page_body(
                store,
                readable,
                filters,
                0,
                notes.settings.annotations_page,
                as_iris,
                base_url,
                query,
                embedded=True,
                flagged=flagged_by_reader(request, store, readable, as_iris),
            )
        )
        body["last"] = container_iri(base_url, query, as_iris, max(0, (total - 1) // notes.settings.annotations_page))
    return body


@router.options("/annotations/", summary="Conteneur d'annotations / Annotation container (options)")
@container_links
def container_options(request: Request, notes: NotesDep):
    """The container's methods and links; its ETag is that of its default representation."""
    return Response(
        status_code=204, headers={**CONTAINER_HEADERS, "ETag": tag_of(container_body(request, notes, False, False))}
    )


@router.head("/annotations/", include_in_schema=False)
@router.get("/annotations/", summary="Conteneur d'annotations / Annotation container", responses=ANNOTATION_MEDIA)
@container_links
def container(request: Request, notes: NotesDep, page: int | None = None, iris: int = 0):
    """The container (LDP basic container and annotation collection), or one of its pages (`?page=0`).
    `Prefer` asks for the minimal container (`ldp#PreferMinimalContainer`: links to the pages only), the
    annotations' IRIs (`oa#PreferContainedIRIs`, the listing `?iris=1`) or their descriptions (the
    default); `Accept: text/turtle` for Turtle."""
    if page is not None:
        return annotation_page(request, notes, page, bool(iris))
    prefer = request.headers.get("prefer", "")
    minimal = f"{LDP}PreferMinimalContainer" in prefer
    as_iris = f"{OA}PreferContainedIRIs" in prefer or (bool(iris) and f"{OA}PreferContainedDescriptions" not in prefer)
    body = container_body(request, notes, minimal, as_iris)
    headers = {**CONTAINER_HEADERS, "Content-Location": body["id"]}
    if prefer:
        headers["Preference-Applied"] = "return=representation"
    return represent(request, body, tag_of(body), headers)


def annotation_page(request: Request, notes: Notes, page: int, as_iris: bool) -> Response:
    store, readable, filters, query, base_url = listing_of(request, notes)
    flagged = flagged_by_reader(request, store, readable, as_iris)
    body = page_body(
        store, readable, filters, page, notes.settings.annotations_page, as_iris, base_url, query, flagged=flagged
    )
    if body is None:
        raise HttpError(404, Said("no page {page}", page=page))
    return represent(request, body, tag_of(body), {"Allow": "GET, HEAD, OPTIONS", "Vary": "Accept"})


def page_body(
    store: Annotations,
    readable,
    filters,
    page: int,
    size: int,
    as_iris: bool,
    base_url: str,
    query: dict,
    embedded: bool = False,
    flagged: set[str] | None = None,
) -> dict | None:
    """One page of a listing; `flagged`: the annotations the reader has flagged, each said so to them
    (`pic:flaggedByYou`), so that their page shows the flag as given."""
    total, items = store.listing(readable, filters, page * size, size)
    if page < 0 or (page > 0 and page * size >= total):
        return None
    body: dict = {} if embedded else {"@context": CONTEXT}
    body |= {
        "id": container_iri(base_url, query, as_iris, page),
        "type": "AnnotationPage",
        "startIndex": page * size,
        "partOf": {"id": container_iri(base_url, query, as_iris), "total": total},
    }
    if (page + 1) * size < total:
        body["next"] = container_iri(base_url, query, as_iris, page + 1)
    if page > 0:
        body["prev"] = container_iri(base_url, query, as_iris, page - 1)
    # the IRIs are the annotations' ids, so that a client finds in its container the annotation it made
    body["items"] = (
        [store.public_iri(i) for i in items]
        if as_iris
        else [  # one deleted since the listing is left out (a 500 before)
            {k: v for k, v in store.json(stored).items() if k != "@context"}
            | ({"pic:flaggedByYou": True} if stored.iri in (flagged or ()) else {})
            for i in items
            if (stored := store.get(i, readable)) is not None
        ]
    )
    return body


def flagged_by_reader(request: Request, store: Annotations, readable, as_iris: bool) -> set[str]:
    """What the reader has flagged, for a listing of descriptions (a listing of IRIs says nothing of it)."""
    return set() if as_iris else store.flagged_by(current_user(request), readable)


@router.post("/annotations/", status_code=201, summary="Créer une annotation / Create an annotation")
@container_links
async def create(request: Request, notes: NotesDep):
    """201 with the annotation as stored, `Location` its IRI. The server names it; a client's `id` is kept
    as `via`, its `canonical` unchanged."""
    user = writer_of(request)
    data = await body_of(request, notes.settings)
    store = notes.store
    readable = notes.readable(user)
    stored = await run_in_threadpool(store.create, data, user, readable)
    return jsonld(store.json(stored), 201, {**CONTAINER_HEADERS, "Location": url_of(request, stored.iri)}, stored.etag)


# -- one annotation ------------------------------------------------------------------------------------
def fetch(notes: Notes, key: str, user) -> tuple[Annotations, Stored]:
    store = notes.store
    stored = store.get(annotation_iri(notes.settings, key), notes.readable(user, hidden=True))
    if stored is None:
        raise HttpError(404, Said("no annotation {key}", key=key))
    return store, stored


@router.options("/annotations/{key}", summary="Annotation (options)")
def annotation_options(key: str):
    return Response(status_code=204, headers=RESOURCE_HEADERS)


@router.head("/annotations/{key}", include_in_schema=False)
@router.get("/annotations/{key}", summary="Lire une annotation / Read an annotation", responses=ANNOTATION_MEDIA)
def read(request: Request, notes: NotesDep, key: str):
    store, stored = fetch(notes, key, current_user(request))
    return represent(request, store.json(stored), stored.etag, RESOURCE_HEADERS)


@router.put("/annotations/{key}", summary="Modifier une annotation / Update an annotation")
async def update(request: Request, notes: NotesDep, key: str):
    user = writer_of(request)
    store, stored = fetch(notes, key, user)
    match = request.headers.get("if-match")
    if not match:
        raise HttpError(428, Said("send If-Match with the ETag you last read"), field="If-Match")
    if not matches_strongly(match, tags(stored.etag)):
        raise HttpError(412, Said("the annotation changed since you read it: read it again"), field="If-Match")
    data = await body_of(request, notes.settings)
    if isinstance(data, dict) and store.canonical(data.get("id")) not in (None, stored.iri):
        raise HttpError(400, Said("the body's id is not this annotation's"), field="id")
    new = await run_in_threadpool(store.replace, stored, data, user, notes.readable(user))
    return represent(request, store.json(new), new.etag, RESOURCE_HEADERS)


@router.delete("/annotations/{key}", status_code=204, summary="Supprimer une annotation / Delete an annotation")
async def delete(request: Request, notes: NotesDep, key: str):
    user = writer_of(request)
    store, stored = fetch(notes, key, user)
    match = request.headers.get("if-match")
    if match and not matches_strongly(match, tags(stored.etag)):
        raise HttpError(412, Said("the annotation changed since you read it"), field="If-Match")
    await run_in_threadpool(store.delete, stored, user)
    return Response(status_code=204)
