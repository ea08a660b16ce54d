"""Partners' contributions: forms (`/contribute…`, session cookie + CSRF token) and the JSON API
(`/api/contribute/{kind}…`, token, or session with its CSRF token in `X-CSRF-Token`) over
`graph/contributions/forms.py`. Problems come back next to their field — in the form, and as
`problems: [{field, message}]` with 422 in JSON."""

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pyoxigraph import Literal, Variable

from pic.graph.access import User, readable_by, writes_for
from pic.graph.contributions import forms as contributions
from pic.graph.contributions.kinds import KINDS, SLUG
from pic.graph.errors import InvalidFields, Problems
from pic.graph.said import Said, in_language
from pic.graph.settings import Settings
from pic.graph.store.interface import bind
from pic.graph.writes import ownership
from pic.graph.writes.path import Writer
from pic.ontology.namespaces import sparql_prefixes
from pic.service.auth import check_csrf, check_write_csrf, current_session, current_user, form_session, require_writer
from pic.service.bodies import json_openapi, limited_fields, limited_object
from pic.service.deps import ReaderDep, ReadLogDep, SettingsDep, WriterDep
from pic.service.entities import solutions
from pic.service.entity_labels import names_for
from pic.service.errors import HttpError, problems, status_of
from pic.service.i18n import STRINGS, answer_language, language
from pic.service.name_lookup import MAX_REFERENCES, TARGETS, entity_named, short_references
from pic.service.pages import ReadersStore, limited, page_link, templates
from pic.service.routers.search import Searching, SearchingDep

router = APIRouter(tags=["Contributions"])
SELECTS = ("actor-type/", "study-status/", "role/", "theme/", "dataset/")  # short lists: a select
OPTIONS = (
    sparql_prefixes()
    + """
SELECT ?s ?label WHERE {
  ?s rdfs:label|skos:prefLabel|dcterms:title ?label .
  FILTER (STRSTARTS(STR(?s), ?prefix) && lang(?label) = ?lang)
} ORDER BY ?label LIMIT $choices"""
)
MINE = (
    sparql_prefixes("rdfs")
    + """SELECT DISTINCT ?s ?label ?g WHERE {
  GRAPH ?g { ?s a ?class OPTIONAL { ?s rdfs:label ?label } }
  FILTER (STRSTARTS(STR(?g), ?partner) || STRSTARTS(STR(?g), ?private))
} ORDER BY ?s LIMIT $choices"""
)
META = ("visibility", "embargo_until", "shared_with", "org", "csrf", "dry_run")


def columns(kind: str) -> list:
    if kind not in contributions.SINGULAR:
        raise HttpError(404, f"no contributions of {kind!r}: {', '.join(contributions.SINGULAR)}")
    return KINDS[contributions.SINGULAR[kind]]["columns"]


def problems_body(e: Problems, lang: str) -> JSONResponse:
    return JSONResponse(problems(e, lang), status_of(e))


def check_meta(values: dict) -> None:
    """The JSON API's `visibility`, `embargo_until` and `org`: texts, and a day only with an embargo — a
    day given without `"visibility": "embargo"` published the entity at once (issue 16, 6b). (The form
    sends the day's field whatever is chosen: it is read only with an embargo.)"""
    texts = ("visibility", "embargo_until", "shared_with", "org")
    wrong: list[tuple[str | None, str]] = [
        (k, Said("a text is expected")) for k in texts if values.get(k) is not None and not isinstance(values[k], str)
    ]
    if not isinstance(values.get("dry_run") or False, (str, bool)):
        wrong.append(("dry_run", Said("true or false is expected")))
    if wrong:
        raise InvalidFields(wrong)
    contributions.check_visibility_fields(
        values.get("visibility"), values.get("embargo_until"), values.get("shared_with")
    )


async def save(writer: Writer, user: User, kind: str, values: dict, key: str | None, searched: Searching, lang: str):
    meta = {k: values.pop(k, None) for k in META}
    named = await run_in_threadpool(short_references, searched, columns(kind), values, lang)
    if named:  # a name no entity, or several, have: said beside its field, in the page's language
        raise InvalidFields(list(named))
    if meta["visibility"] in ("organisations", "group") and isinstance(meta["shared_with"], str):
        meta["shared_with"] = await run_in_threadpool(
            audience_named, searched, meta["shared_with"], meta["visibility"], lang
        )
    return await run_in_threadpool(
        contributions.save,
        writer,
        kind,
        values,
        user,
        org=writes_for(user, meta["org"]),
        visibility=meta["visibility"] or None,
        until=meta["embargo_until"],
        shared_with=meta["shared_with"],
        key=key,
        dry_run=str(meta["dry_run"]).lower() in ("1", "true", "on"),
    )


def audience_named(searched: Searching, shared_with: str, visibility: str, lang: str) -> str:
    """The organisations (comma-separated) or the working group an entity is shared with, named as the user
    knows them ("Conseil départemental du Pas-de-Calais, aula"), as the identifiers the audiences take."""
    kind = "actor" if visibility == "organisations" else "group"
    parts = [p.strip() for p in shared_with.split(",") if p.strip()] if kind == "actor" else [shared_with.strip()]
    if len(parts) > MAX_REFERENCES:  # each name is a search
        raise InvalidFields([("shared_with", STRINGS[lang]["names"]["too_many"].format(n=MAX_REFERENCES))])
    slugs = []
    for part in parts:
        try:
            iri = entity_named(searched, part, kind, "shared_with", lang)
        except HttpError as e:
            raise InvalidFields([("shared_with", e.message)]) from None
        slugs.append(iri.rstrip("/").rsplit("/", 1)[-1])
    return ", ".join(slugs)


# -- JSON API ---------------------------------------------------------------------------------------
async def api_save(
    request: Request, settings: Settings, writer: Writer, kind: str, key: str | None, searched: Searching
):
    """The write's result, or the response to send instead (problems, or a dry run's all-clear). Who
    writes is checked before the body is read, and the body read with its limit."""
    user = current_user(request)
    require_writer(user)
    check_write_csrf(request)
    columns(kind)
    values = await limited_object(request, settings.max_form_bytes)
    try:
        check_meta(values)
        result = await save(writer, user, kind, values, key, searched, answer_language(request))
    except Problems as e:
        return problems_body(e, answer_language(request))
    return JSONResponse({"dry_run": True, "problems": []}) if result is None else result


@router.get("/api/contribute/{kind}", summary="Champs d'un formulaire / A form's fields")
def fields(kind: str):
    return {
        "kind": kind,
        "fields": [
            {"name": c.name, "required": c.required, "check": c.check, "description": c.description}
            for c in columns(kind)
        ],
        "visibility": list(contributions.VISIBILITIES),
    }


@router.post(
    "/api/contribute/{kind}",
    status_code=201,
    summary="Créer / Create",
    openapi_extra=json_openapi("the fields, and `visibility`, `embargo_until`, `shared_with`, `org`, `dry_run`"),
)
async def create(request: Request, settings: SettingsDep, writer: WriterDep, searched: SearchingDep, kind: str):
    """Fields as JSON (`{"id": …, "title_fr": …}`, plus `visibility` — public, members, organisations,
    group, private, embargo — `embargo_until`, `shared_with` (organisations or a group), `org`, `dry_run`);
    201 with `Location` (the entity's page), or 422 with every problem by field. With the session cookie
    instead of a token, the session's CSRF token comes along (`X-CSRF-Token` header)."""
    result = await api_save(request, settings, writer, kind, None, searched)
    if isinstance(result, Response):
        return result
    iri = touched(result)
    return JSONResponse(
        {"iri": iri, "change": result.change.value, "warnings": [w.message_en for w in result.warnings]},
        201,
        headers={"Location": page(settings, iri)},
    )


@router.get("/api/contribute/{kind}/{key:path}", summary="Valeurs actuelles / Current values")
def current(request: Request, writer: WriterDep, read_log: ReadLogDep, kind: str, key: str):
    columns(kind)
    user = current_user(request)
    owned = readable_owned(writer, kind, key, user)
    graph = next(iter(owned))
    read_log.record(
        user, [g.value for g in owned], contributions.subject_iri(writer.names, kind, key).value, "contribution API"
    )
    visibility, detail = contributions.visibility_of(writer.names, graph)
    return {
        "kind": kind,
        "key": key,
        "fields": contributions.fields_of(writer.names, kind, owned, user.org),
        "visibility": visibility,
        "embargo_until": detail if visibility == "embargo" else None,
        "shared_with": detail if visibility in ("organisations", "group") else None,
        "org": writer.names.owner_of(graph),
    }


@router.put(
    "/api/contribute/{kind}/{key:path}",
    summary="Remplacer / Replace",
    openapi_extra=json_openapi("the fields, as for POST"),
)
async def replace(
    request: Request, settings: SettingsDep, writer: WriterDep, searched: SearchingDep, kind: str, key: str
):
    result = await api_save(request, settings, writer, kind, key, searched)
    if isinstance(result, Response):
        return result
    return {"change": result.change.value, "added": result.added, "removed": result.removed}


@router.delete("/api/contribute/{kind}/{key:path}", status_code=204, summary="Supprimer / Delete")
async def remove(request: Request, settings: SettingsDep, writer: WriterDep, kind: str, key: str):
    user = current_user(request)
    require_writer(user)
    check_write_csrf(request)
    columns(kind)
    try:
        await run_in_threadpool(contributions.delete, writer, kind, key, user, settings.documents_dir)
    except Problems as e:
        return problems_body(e, answer_language(request))
    return Response(status_code=204)


def readable_owned(writer: Writer, kind: str, key: str, user: User) -> dict:
    """What the organisation graphs say of the entity, if the user may read it (404 otherwise)."""
    try:
        subject = contributions.subject_iri(writer.names, kind, key)
    except Problems:
        raise HttpError(404, f"no {kind} {key!r} contributed by a partner") from None
    owned = contributions.owned(writer.store, writer.names, subject)
    owned = {g: owned[g] for g in readable_by(user, owned, writer.names) if writer.names.owner_of(g)}
    # The form shows the owner's facts only: what another organisation's graph says of the entity is
    # theirs, and saving the form unchanged would otherwise make it the owner's (an outside test did).
    theirs = ownership.owners(writer.store, writer.names, user, {subject}).get(subject, set())
    owned = {g: q for g, q in owned.items() if not theirs or writer.names.owner_of(g) in theirs}

    if not owned:
        raise HttpError(404, f"no {kind} {key!r} contributed by a partner")
    return owned


def touched(result) -> str:
    """The entity a form's change is about (`forms.save` says it)."""
    return result.entity.value


def page(settings: Settings, iri: str) -> str:
    return "/id/" + iri[len(settings.base_iri) :]


# -- forms -----------------------------------------------------------------------------------------
@router.get("/contribute", response_class=HTMLResponse, summary="Contribuer / Contribute")
def contribute_home(request: Request, view: ReaderDep, settings: SettingsDep):
    session, lang = current_session(request), language(request)
    mine = []
    if session and session.user.org:
        names = settings.names
        rows = solutions(
            view,
            bind(
                limited(MINE, choices=settings.form_choices),
                {
                    Variable("partner"): Literal(names.partner(session.user.org).value),
                    Variable("private"): Literal(names.graph(f"private/{session.user.org}/").value),
                },
            ),
        )
        seen = set()
        for r in rows:
            iri = r["s"].value
            kind = next(
                (
                    k
                    for k, plural in contributions.SINGULAR.items()
                    if iri.startswith(names.base + KINDS[plural]["prefix"])
                ),
                None,
            )
            if kind and iri not in seen:
                seen.add(iri)
                key = iri[len(names.base + KINDS[contributions.SINGULAR[kind]]["prefix"]) :]
                mine.append(
                    {
                        "kind": kind,
                        "key": key,
                        "iri": iri,
                        "visibility": contributions.visibility_of(names, r["g"]),
                    }
                )
    # each by its name in the page's language (a membership by whom it joins), never its key
    org = session.user.org if session else None
    shared = [s for m in mine if m["visibility"][0] == "organisations" for s in m["visibility"][1].split(",")]
    iris = [m["iri"] for m in mine] + [f"{settings.base_iri}actor/{o.strip()}" for o in [org or "", *shared] if o]
    named = names_for(view, iris, lang, solutions, settings.names, org) if iris else {}
    for m in mine:
        m["label"] = named.get(m["iri"], m["key"])
        if m["visibility"][0] == "organisations":
            who = [named.get(f"{settings.base_iri}actor/{s.strip()}", s.strip()) for s in m["visibility"][1].split(",")]
            m["visibility"] = (m["visibility"][0], ", ".join(who))
    return templates.TemplateResponse(
        request,
        "contribute.html",
        {
            "t": STRINGS[lang],
            "lang": lang,
            "user": session.user if session else None,
            "kinds": list(contributions.SINGULAR),
            "mine": mine,
            "org_name": named.get(f"{settings.base_iri}actor/{org}", org) if org else None,
            "link": page_link(settings.base_iri),
        },
    )


@router.get("/contribute/{kind}", response_class=HTMLResponse, summary="Nouveau / New")
def new_form(request: Request, view: ReaderDep, settings: SettingsDep, kind: str):
    return form(request, view, settings, kind, None, {}, {}, "public", None)  # a new entity is public


@router.get("/contribute/{kind}/{key:path}", response_class=HTMLResponse, summary="Modifier / Edit")
def edit_form(request: Request, view: ReaderDep, settings: SettingsDep, writer: WriterDep, kind: str, key: str):
    columns(kind)
    session = current_session(request)
    user = session.user if session else current_user(request)
    owned = readable_owned(writer, kind, key, user)
    visibility, until = contributions.visibility_of(writer.names, next(iter(owned)))
    return form(
        request,
        view,
        settings,
        kind,
        key,
        contributions.fields_of(writer.names, kind, owned, user.org),
        {},
        visibility,
        until,
    )


@router.post("/contribute/{kind}", response_class=HTMLResponse, summary="Enregistrer / Save")
async def post_new(
    request: Request, view: ReaderDep, settings: SettingsDep, writer: WriterDep, searched: SearchingDep, kind: str
):
    return await post_form(request, view, settings, writer, kind, None, searched)


@router.post("/contribute/{kind}/{key:path}", response_class=HTMLResponse, summary="Enregistrer / Save")
async def post_edit(
    request: Request,
    view: ReaderDep,
    settings: SettingsDep,
    writer: WriterDep,
    searched: SearchingDep,
    kind: str,
    key: str,
):
    return await post_form(request, view, settings, writer, kind, key, searched)


async def post_form(
    request: Request,
    view: ReadersStore,
    settings: Settings,
    writer: Writer,
    kind: str,
    key: str | None,
    searched: Searching,
):
    columns(kind)
    user = form_session(request).user  # before the body is read
    require_writer(user)
    values = await limited_fields(request, settings.max_form_bytes)
    check_csrf(request, values.get("csrf"))
    visibility = values.get("visibility", "public")
    until = values.get("shared_with") if visibility in ("organisations", "group") else values.get("embargo_until")

    def refused(shown: dict, e: Problems):
        """The form again, as the user filled it, each problem beside its field in the page's language."""
        problems = by_field(e, language(request))
        return form(request, view, settings, kind, key, shown, problems, visibility, until, status=status_of(e))

    if values.pop("delete", None) and key:
        try:
            await run_in_threadpool(
                contributions.delete,
                writer,
                kind,
                key,
                user,
                settings.documents_dir,
            )
        except Problems as e:
            return refused(values, e)
        return RedirectResponse(f"/contribute?deleted={quote(key)}", status_code=303)
    shown = {k: v for k, v in values.items() if k not in META}
    try:
        result = await save(writer, user, kind, dict(values), key, searched, language(request))
    except Problems as e:
        return refused(shown, e)
    if result is None:
        return form(request, view, settings, kind, key, shown, {}, visibility, until, checked=True)
    return RedirectResponse(page(settings, touched(result)) + "?saved=1", status_code=303)


def audience_shown(view, settings: Settings, visibility: str, detail: str | None, lang: str) -> str:
    """The organisations or the working group a form shares with, by name, as the user gives them (a name
    holding the list's `,` stays an identifier)."""
    if visibility not in ("organisations", "group") or not detail:
        return ""
    prefix = settings.base_iri + ("actor/" if visibility == "organisations" else "group/")
    slugs = [s.strip() for s in detail.split(",") if s.strip()]
    known = [s for s in slugs if SLUG.match(s)]  # what the user typed stays as typed: it may be no identifier
    named = names_for(view, [prefix + s for s in known], lang, solutions, settings.names) if known else {}
    shown = [named.get(prefix + s, s) if "," not in named.get(prefix + s, "") else s for s in slugs]
    return ", ".join(shown)


def edited_name(view, settings: Settings, kind: str, key: str, lang: str) -> str:
    """The name of the entity a form edits, as its page gives it (a membership: whom it joins)."""
    iri = settings.base_iri + KINDS[contributions.SINGULAR[kind]]["prefix"] + key
    return names_for(view, [iri], lang, solutions, settings.names)[iri]


def by_field(e: Problems, lang: str) -> dict:
    """{field: its problems, in the page's language}; "" for the form's own."""
    out: dict[str, list[str]] = {}
    for f, m in e.items:
        out.setdefault(f or "", []).append(in_language(m, lang))
    return out


def form(
    request: Request,
    view: ReadersStore,
    settings: Settings,
    kind: str,
    key: str | None,
    values: dict,
    problems: dict,
    visibility: str,
    detail: str | None,
    *,
    status: int = 200,
    checked: bool = False,
):
    cols = columns(kind)
    session, lang = current_session(request), language(request)
    options = {}
    targets = [c.target for c in cols] + (["actor/", "role/"] if any(c.check == "participants" for c in cols) else [])
    for target in targets:  # participants name actors and their roles
        if target and target not in options:
            rows = solutions(
                view,
                bind(
                    limited(OPTIONS, choices=settings.form_choices),
                    {
                        Variable("prefix"): Literal(settings.base_iri + target),
                        Variable("lang"): Literal(lang),
                    },
                ),
            )
            prefix = len(settings.base_iri + target)
            options[target] = [(r["s"].value[prefix:], r["label"].value) for r in rows]
    shown = dict(values)  # a reference field shows names, as the user chose them, not short names

    def name(target: str, short: str) -> str:
        """The name of `short`, or `short` itself where the name holds the list's `;` (it would read as two)."""
        found = dict(options[target]).get(short)
        return found if found and ";" not in found else short

    for c in cols:
        if c.check == "participants" and isinstance(values.get(c.name), str):  # actor:role, each by name
            parts = [p.strip().rpartition(":") for p in values[c.name].split(";") if p.strip()]
            shown[c.name] = " ; ".join(f"{name('actor/', a)}:{name('role/', r)}" if a else r for a, _, r in parts)
        elif c.target and not (c.target in SELECTS and c.check == "ref") and isinstance(values.get(c.name), str):
            given = [p.strip() for p in values[c.name].split(";") if p.strip()]
            shown[c.name] = " ; ".join(name(c.target, p) for p in given)
    return templates.TemplateResponse(
        request,
        "contribute-form.html",
        {
            "t": STRINGS[lang],
            "lang": lang,
            "kind": kind,
            "key": key,
            "columns": cols,
            "values": shown,
            "problems": problems,
            "options": options,
            "selects": SELECTS,
            "pick_kinds": TARGETS,
            "visibility": visibility,
            # `detail`: an embargo's day, or the organisations or working group the entity is shared with
            "until": (detail or "") if visibility == "embargo" else "",
            "shared_with": audience_shown(view, settings, visibility, detail, lang),
            "user": session.user if session else None,
            "csrf": session.csrf if session else "",
            "checked": checked,
            "action": f"/contribute/{kind}" + (f"/{quote(key)}" if key else ""),
            "name": edited_name(view, settings, kind, key, lang) if key else None,
        },
        status_code=422 if problems and status == 422 else status,
    )
