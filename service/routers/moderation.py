"""Moderation: partners flag an annotation (a private `moderating` annotation the facilitators read);
facilitators hide it (kept, with who and why) or restore it, and accept or reject proposed links, from
the queue page `/moderation` (session + CSRF) or the JSON API (bearer token)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from pic.graph.annotations.moderation import decide, decision, hide, restore
from pic.graph.said import Said
from pic.ontology.namespaces import sparql_prefixes
from pic.service.auth import check_write_csrf, current_session, current_user, require_writer
from pic.service.bodies import limited_fields, limited_object, media_type
from pic.service.deps import ReaderDep
from pic.service.entities import solutions
from pic.service.entity_labels import names_for
from pic.service.errors import HttpError
from pic.service.i18n import STRINGS, language
from pic.service.links import local_path
from pic.service.pages import page_link, templates
from pic.service.routers.annotations import Notes, NotesDep, fetch

router = APIRouter(tags=["Moderation"])
FLAGGED = (
    sparql_prefixes()
    + """
SELECT ?a (COUNT(DISTINCT ?flag) AS ?flags) (SAMPLE(?why) AS ?reason) WHERE {
  ?flag oa:motivatedBy oa:moderating ; oa:hasTarget ?a . OPTIONAL { ?flag oa:hasBody/rdf:value ?why }
} GROUP BY ?a ORDER BY DESC(?flags)"""
)
PROPOSALS = (
    sparql_prefixes()
    + """
SELECT DISTINCT ?a WHERE { GRAPH ?g { ?a oa:motivatedBy oa:linking ; oa:hasBody/pic:relation ?relation } }"""
)
HIDDEN = sparql_prefixes() + "SELECT ?a WHERE { GRAPH ?g { ?a pic:hiddenBy ?who } }"


async def moderator(request: Request, notes: Notes, roles: tuple[str, ...] | None = None):
    """Who asks, and what they send: permission first (the role, when `roles` says one), then the body
    (a form, or a JSON object) read with its limit, then the CSRF token of a session-cookie request."""
    user = current_user(request)
    require_writer(user)
    if roles and user.role not in roles:
        raise HttpError(403, Said("moderation needs the facilitator role"))
    limit = notes.settings.max_form_bytes
    if media_type(request) == "application/json":
        values = await limited_object(request, limit)
    else:
        values = await limited_fields(request, limit)
    check_write_csrf(request, values.get("csrf"))
    return user, values


def done(request: Request, values: dict, body: dict):
    """Back to the page the decision was taken on, which says it was (`?done=accept`), or the JSON answer."""
    if isinstance(values.get("back"), str) and local_path(values["back"]):
        back, action = values["back"], request.url.path.rsplit("/", 1)[-1]
        return RedirectResponse(f"{back}{'&' if '?' in back else '?'}done={action}", status_code=303)
    return JSONResponse(body)


@router.post("/annotations/{key}/flag", summary="Signaler une annotation / Flag an annotation")
async def flag(request: Request, notes: NotesDep, key: str):
    user, values = await moderator(request, notes)
    store, stored = fetch(notes, key, user)
    if stored.iri in await run_in_threadpool(store.flagged_by, user, notes.readable(user, hidden=True)):
        return done(request, values, {"flagged": stored.iri})  # once per reader: a second flag adds none
    data: dict[str, Any] = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "motivation": "moderating",
        "target": stored.iri,
    }
    if str(values.get("reason", "")).strip():
        data["body"] = {"type": "TextualBody", "value": str(values["reason"])[:2000], "purpose": "moderating"}
    await run_in_threadpool(store.create, data, user, notes.readable(user, hidden=True))
    return done(request, values, {"flagged": stored.iri})


async def facilitate(request: Request, notes: Notes, key: str, action):
    user, values = await moderator(request, notes, ("facilitator", "admin"))
    store, stored = fetch(notes, key, user)
    result = await run_in_threadpool(action, store, stored, user, values)
    return done(request, values, {"annotation": stored.iri, **(result or {})})


@router.post("/annotations/{key}/hide", summary="Masquer / Hide (facilitators)")
async def hide_annotation(request: Request, notes: NotesDep, key: str):
    return await facilitate(request, notes, key, lambda s, a, u, v: hide(s, a, u, str(v.get("reason", ""))))


@router.post("/annotations/{key}/restore", summary="Rétablir / Restore (facilitators)")
async def restore_annotation(request: Request, notes: NotesDep, key: str):
    return await facilitate(request, notes, key, lambda s, a, u, v: restore(s, a, u))


@router.post("/annotations/{key}/accept", summary="Accepter un lien / Accept a link (facilitators)")
async def accept(request: Request, notes: NotesDep, key: str):
    return await facilitate(request, notes, key, lambda s, a, u, v: {"graph": decide(s, a, u, True).value})


@router.post("/annotations/{key}/reject", summary="Refuser un lien / Reject a link (facilitators)")
async def reject(request: Request, notes: NotesDep, key: str):
    return await facilitate(request, notes, key, lambda s, a, u, v: decide(s, a, u, False) and None)


@router.get("/moderation", response_class=HTMLResponse, summary="File de modération / Moderation queue")
def queue(request: Request, notes: NotesDep, view: ReaderDep):
    """Flagged annotations, hidden ones, and the links waiting for a decision."""
    session, lang = current_session(request), language(request)
    user = session.user if session else current_user(request)
    if user.role not in ("facilitator", "admin"):
        raise HttpError(403 if user.role != "anonymous" else 401, Said("the moderation queue is for facilitators"))
    store = notes.store
    items: dict[str, list[dict]] = {"flagged": [], "hidden": [], "proposals": []}
    for row in store.query(FLAGGED, None):
        stored = store.get(row["a"].value, None)
        if stored and store.names.kind_of(stored.graph) != "hidden":
            items["flagged"].append(
                {
                    **card(store, stored),
                    "flags": int(row["flags"].value),
                    "reason": row["reason"].value if row["reason"] else "",
                }
            )
    for row in store.query(HIDDEN, None):
        stored = store.get(row["a"].value, None)
        if stored:
            record = {p.rsplit("#", 1)[-1]: o.value for s, p, o in stored.triples if "#hidden" in p}
            items["hidden"].append({**card(store, stored), **record})
    for row in store.query(PROPOSALS, None):
        if decision(store, row["a"].value) is None:
            stored = store.get(row["a"].value, None)
            if stored and store.names.kind_of(stored.graph) != "hidden":
                items["proposals"].append(card(store, stored))
    linked = [e for found in items.values() for a in found for e in [a.get("target"), *(e for _, e in a["links"])] if e]
    return templates.TemplateResponse(
        request,
        "moderation.html",
        {
            "t": STRINGS[lang],
            "lang": lang,
            "items": items,
            "names": names_for(view, linked, lang, solutions, store.names, user.org),  # what each link points at
            "done": request.query_params.get("done"),
            "csrf": session.csrf if session else "",
            "link": page_link(notes.settings.base_iri),
        },
    )


def card(store, stored) -> dict:
    data = store.json(stored)
    bodies = data.get("body", [])
    bodies = bodies if isinstance(bodies, list) else [bodies]
    target: dict[str, Any] = data["target"] if isinstance(data["target"], dict) else {"source": data["target"]}
    selector = target.get("selector")
    return {
        "key": stored.iri.rsplit("/", 1)[-1],
        "iri": stored.iri,
        "motivation": data["motivation"],
        "author": data.get("creator", {}).get("name", ""),
        "created": data.get("created", ""),
        "text": " ".join(b.get("value", "") for b in bodies if isinstance(b, dict)),
        "target": target.get("source"),
        "quote": next(
            (s.get("exact") for s in (selector if isinstance(selector, list) else [selector]) if s and s.get("exact")),
            "",
        ),
        "links": [
            (b.get("pic:relation"), b.get("source")) for b in bodies if isinstance(b, dict) and b.get("pic:relation")
        ],
    }
