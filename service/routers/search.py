"""Search: `/search` (page with facets), `/api/search` (JSON), `/api/suggest` (autocomplete).

French-aware full text over labels, names, titles and abstracts (`graph/search_index.py`), facets by type,
theme, territory and year, and only what the reader may read.
"""

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pyoxigraph import NamedNode

from pic.graph.access import User
from pic.graph.search_index import SearchIndex
from pic.graph.settings import Settings
from pic.graph.writes import ownership
from pic.graph.writes.path import Writer
from pic.service.annotation_hits import name_annotation_hits
from pic.service.auth import current_user
from pic.service.deps import ReaderDep, ReadLogDep, SearchDep, SettingsDep, UserDep, ViewDep, WriterDep
from pic.service.entities import annotation_counts, solutions
from pic.service.entity_labels import given_names
from pic.service.errors import HttpError
from pic.service.i18n import STRINGS, answer_language, language
from pic.service.links import page_of
from pic.service.pages import ReadersStore, templates
from pic.service.read_log import ReadLog

router = APIRouter(tags=["Search"])
FACETS = ("type", "theme", "territory", "year")


@dataclass(frozen=True)
class Searching:
    """What a search uses of the app, in one dependency (`SearchingDep`): the index, the writer's store
    (whose each entity is), the settings (the base of pages), and who asks with what they may read — and
    the store as they read it (`reader`: what an annotation found is about; without it, as for a name
    lookup, an annotation's hit is left untitled)."""

    index: SearchIndex
    writer: Writer
    settings: Settings
    user: User
    readable: list[str] | None
    read_log: ReadLog
    reader: ReadersStore | None = None


async def searching(
    index: SearchDep,
    writer: WriterDep,
    settings: SettingsDep,
    user: UserDep,
    view: ViewDep,
    read_log: ReadLogDep,
    reader: ReaderDep,
):
    return Searching(index, writer, settings, user, view.readable, read_log, reader)


SearchingDep = Annotated[Searching, Depends(searching)]


def run_search(searched: Searching, q: str, facets: dict, limit: int, offset: int, lang: str = "fr") -> dict:
    """The hits and facets of a search; an annotation found is titled in `lang` by what it annotates."""
    user, readable = searched.user, searched.readable
    # the service adds to each hit (its page, whose words matched) and takes its graph away: a plain dict
    result: dict[str, Any] = dict(
        searched.index.search(
            q,
            readable,
            {k: v for k, v in facets.items() if v},
            limit,
            offset,
            owned=lambda described: owner_graphs(searched.writer, user, described),
        )
    )
    base = searched.settings.base_iri
    attribute(searched, result["hits"])
    for hit in result["hits"]:
        hit["page"] = page_of(hit["iri"], base)
    if searched.reader is not None:
        words = STRINGS[lang]["annotation_hit"]
        name_annotation_hits(searched.reader, result["hits"], base, lang, words, searched.settings.names, user.org)
    return result


def owner_graphs(writer: Writer, user, described: dict[str, list[tuple[str, bool]]]) -> dict[str, set[str]]:
    """The graphs that speak for each entity's owners, from {entity: [(graph, states its type)]}: only
    their themes, places and years count in the facets — another organisation's are its claims
    (`ownership.py`), as on the entity's page. An entity two organisations type is asked of the store
    (`ownership.owners`: which typed it first, as the reader sees)."""
    names = writer.names

    def speaker(graph: str) -> str | None:
        return ownership.speaker(names, NamedNode(graph))

    contested = {iri for iri, pairs in described.items() if len({speaker(g) for g, t in pairs if t} - {None}) > 1}
    asked = ownership.owners(writer.store, names, user, {NamedNode(i) for i in contested}) if contested else {}
    kept = {}
    for iri, pairs in described.items():
        if iri in contested:
            owners = asked.get(NamedNode(iri), set())
        else:
            owners = ownership.owners_from([(NamedNode(g), t) for g, t in pairs], names, NamedNode(iri))
        kept[iri] = {g for g, _ in pairs if speaker(g) in owners | {None}}
    return kept


def attribute(searched: Searching, hits: list[dict]) -> None:
    """A hit is named by its owner's title; one found only in what another organisation says about it
    (`ownership.py`: a claim) says whose words matched (`according_to`), as the entity page does."""
    writer = searched.writer
    names = writer.names
    found = ownership.owners(writer.store, names, searched.user, {NamedNode(h["iri"]) for h in hits})
    titles = searched.index.titles([h["iri"] for h in hits], searched.readable)
    for hit in hits:
        owners = found.get(NamedNode(hit["iri"]), set())
        graph = hit.pop("graph")
        searched.read_log.record(searched.user, [graph], hit["iri"], "search")  # its title and snippet, read
        said = ownership.speaker(names, NamedNode(graph))
        own = [t for g, t in titles.get(hit["iri"], []) if ownership.speaker(names, NamedNode(g)) in owners]
        if own:
            hit["title"] = own[0]
        if owners and said is not None and said not in owners:
            hit["according_to"] = said


@router.get("/api/search", summary="Recherche / Search")
def api_search(
    request: Request,
    searched: SearchingDep,
    q: str = Query(..., min_length=1, max_length=200),
    type: str | None = None,
    theme: str | None = None,
    territory: str | None = None,
    year: str | None = None,
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0),
):
    """Hits ranked (exact titles first), with the facet counts of all hits. An annotation's hit is titled by
    what it annotates (`annotates`; its author's organisation: `organisation`) and its `page` is that
    entity's, in the language of `?lang`, the `lang` cookie or `Accept-Language` (English otherwise)."""
    chosen = {"type": type, "theme": theme, "territory": territory, "year": year}
    return run_search(searched, q, chosen, limit, offset, answer_language(request))


@router.get("/api/suggest", summary="Autocomplétion / Autocomplete")
def suggest(
    request: Request,
    searched: SearchingDep,
    q: str = Query(..., min_length=1, max_length=200),
    type: str | None = Query(None, description="Only entities of this kind: actor, study, territory, …"),
):
    hits = run_search(searched, q, {"type": type}, 8, 0, answer_language(request))["hits"]
    return [
        {
            "iri": h["iri"],
            "label": h["title"],
            "type": h["type"],
            "page": h["page"],
            **({"according_to": h["according_to"]} if "according_to" in h else {}),
        }
        for h in hits
    ]


@router.get("/api/labels", summary="Noms d'entités / Names of entities")
def entity_labels(
    request: Request,
    view: ReaderDep,
    settings: SettingsDep,
    iri: Annotated[list[str], Query(description="The IRIs to name (the first 100)")],
):
    """{IRI: its name in the reader's language} for those the reader's graphs name: what the workbench shows
    beside the IRIs of its results (issue 21, 6). An IRI the reader may not read gets no name."""
    wanted = []
    for value in iri[:100]:
        try:
            wanted.append(NamedNode(value).value)
        except ValueError:
            raise HttpError(400, f"iri: not an IRI: {value[:200]!r}", field="iri") from None
    return given_names(view, wanted, language(request), solutions, settings.names, current_user(request).org)


@router.get("/search", response_class=HTMLResponse, summary="Page de recherche / Search page")
def search_page(
    request: Request,
    searched: SearchingDep,
    view: ReaderDep,
    q: str = Query("", max_length=200),
    type: str | None = None,
    theme: str | None = None,
    territory: str | None = None,
    year: str | None = None,
    offset: int = Query(0, ge=0),
):
    lang = language(request)
    chosen = {"type": type, "theme": theme, "territory": territory, "year": year}
    result: dict[str, Any] = (
        run_search(searched, q, chosen, 20, offset, lang) if q.strip() else {"total": 0, "hits": [], "facets": {}}
    )
    names = searched.index.labels([v for f in ("theme", "territory") for v in result["facets"].get(f, {})])
    facets = []
    for f in FACETS:
        values = sorted(result["facets"].get(f, {}).items(), key=lambda kv: (-kv[1], kv[0]))[:15]
        facets.append(
            {
                "name": f,
                "values": [
                    {
                        "value": v,
                        "count": n,
                        "label": names.get(v, STRINGS[lang]["kinds"].get(v, v)),
                        "href": "/search?"
                        + urlencode({k: x for k, x in {**chosen, "q": q, f: v, "lang": lang}.items() if x}),
                        "chosen": chosen[f] == v,
                    }
                    for v, n in values
                ],
            }
        )
    counts = annotation_counts(view, [h["iri"] for h in result["hits"] if h["type"] != "annotation"])
    response = templates.TemplateResponse(
        request,
        "search.html",
        {
            "t": STRINGS[lang],
            "lang": lang,
            "q": q,
            "result": result,
            "facets": facets,
            "chosen": chosen,
            "counts": counts,
            "clear": "/search?" + urlencode({"q": q, "lang": lang}),
        },
    )
    return response
