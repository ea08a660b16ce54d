"""Dereferenceable IRIs: every instance IRI under the base answers at `/id/…`, and the ontology at
`/ontology` — HTML for browsers, Turtle, JSON-LD, N-Triples or RDF/XML for clients (Accept header, or a
`.ttl` `.jsonld` `.nt` `.rdf` suffix), the entity page's JSON twin for `application/json` (or
`?format=json`), with `Vary: Accept`. An IRI the graph says nothing about is a real 404.

An entity's RDF is what its page shows as facts (its owner's graphs, the inferences, accepted links):
another organisation's claims about it are no part of it. Every statement, claims included, each in the
graph that said it, is the dataset: TriG (`.trig`, `application/trig`), N-Quads (`.nq`,
`application/n-quads`) or JSON-LD with named graphs (`.graphs.jsonld`) — `entities.export`.
"""

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pyoxigraph import NamedNode, Variable

from pic.graph.access import may_write
from pic.graph.contributions import forms as contributions
from pic.graph.contributions.documents import described, text_of
from pic.graph.contributions.forms import SINGULAR
from pic.graph.contributions.kinds import KINDS
from pic.graph.engine.jobs import Job
from pic.graph.settings import Settings
from pic.graph.store.formats import SERIALISATIONS
from pic.graph.store.interface import bind
from pic.ontology.namespaces import ONTOLOGY_IRI, sparql_prefixes
from pic.service import entities, entity_sections
from pic.service.auth import current_session, current_user
from pic.service.change_words import with_words
from pic.service.deps import ReaderDep, ReadLogDep, SettingsDep, StoreDep
from pic.service.errors import HttpError, echo
from pic.service.i18n import STRINGS, language
from pic.service.negotiation import GRAPH_MEDIA, PAGE_RESPONSES, accepted
from pic.service.pages import page_link, templates
from pic.service.read_log import item_read
from pic.viz import charts, exports, networks
from pic.viz.filters import Filters
from pic.viz.metrics import add_metrics_and_positions
from pic.viz.networks import run

router = APIRouter(tags=["Linked data"])
SUFFIXES = {".ttl": "ttl", ".jsonld": "jsonld", ".nt": "nt", ".rdf": "rdfxml"}
TWIN = ".json"  # the page's JSON twin, as `?format=json` and `Accept: application/json` give it
# An entity's statements with the graph that said each (`entities.EXPORTS`), longest suffix first.
DATASET_SUFFIXES = {".graphs.jsonld": "graphs.jsonld", ".trig": "trig", ".nq": "nq"}
DATASET_MEDIA = {media: s.key for s in SERIALISATIONS if s.dataset for media in s.accepted}
SERIES = (
    sparql_prefixes()
    + """
SELECT ?territory ?label ?year ?value WHERE {
  ?dataset pic:measuresIndicator ?indicator .
  ?observation qb:dataSet ?dataset ; pic:refArea ?territory ; pic:refYear ?observedYear ; pic:value ?value .
  FILTER NOT EXISTS { ?territory a igeo:Commune }
  OPTIONAL { ?territory rdfs:label ?label FILTER (lang(?label) = "fr") }
  BIND (xsd:integer(STR(?observedYear)) AS ?year)
} ORDER BY ?territory ?year"""
)
TERMS = (
    sparql_prefixes()
    + """
SELECT ?term ?kind ?labelFr ?labelEn ?definitionFr ?definitionEn WHERE {
  VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty }
  ?term a ?kind . FILTER (STRSTARTS(STR(?term), STR(pic:)))
  OPTIONAL { ?term rdfs:label ?labelFr FILTER (lang(?labelFr) = "fr") }
  OPTIONAL { ?term rdfs:label ?labelEn FILTER (lang(?labelEn) = "en") }
  OPTIONAL { ?term skos:definition ?definitionFr FILTER (lang(?definitionFr) = "fr") }
  OPTIONAL { ?term skos:definition ?definitionEn FILTER (lang(?definitionEn) = "en") }
} ORDER BY ?kind ?term"""
)


def wanted(request: Request, path: str) -> tuple[str, str]:
    """(path without a format suffix, 'html' | 'json' | a key of `entities.EXPORTS`)."""
    for suffix, fmt in {**DATASET_SUFFIXES, **SUFFIXES}.items():
        if path.endswith(suffix):
            return path[: -len(suffix)], fmt
    if path.endswith(TWIN):
        return path[: -len(TWIN)], "json"
    if request.query_params.get("format") == "json":
        return path, "json"
    for media in accepted(request.headers.get("accept")):
        if media in ("text/html", "application/xhtml+xml", "*/*"):
            return path, "html"
        if media == "application/json":
            return path, "json"
        if media in GRAPH_MEDIA:
            return path, GRAPH_MEDIA[media]
        if media in DATASET_MEDIA:
            return path, DATASET_MEDIA[media]
    return path, "html"


def rdf(answer) -> Response:
    return Response(answer.body, media_type=answer.media_type, headers={"Vary": "Accept"})


def not_found(request: Request, lang: str, iri: str, fmt: str, history: list | None = None):
    """A 404; for an entity this reader no longer reads (deleted, or narrowed), its history as the reader
    may read it, which outlives it (issue 21, 4). The status stays 404: a 410 would tell "deleted" apart
    from "made private"."""
    if fmt != "html":
        raise HttpError(404, f"the graph says nothing about {iri}")
    response = templates.TemplateResponse(
        request,
        "not_found.html",
        {"t": STRINGS[lang], "lang": lang, "iri": echo(iri), "history": history, "session": current_session(request)},
        status_code=404,  # gone or no longer readable by this reader: the same answer
    )
    response.headers["Vary"] = "Accept"
    return response


@router.get("/id/{path:path}", summary="Entité / Entity (content negotiation)", responses=PAGE_RESPONSES)
def entity(
    request: Request, store: ReaderDep, settings: SettingsDep, full_store: StoreDep, read_log: ReadLogDep, path: str
):
    """HTML page, JSON twin, or the entity's facts as Turtle, JSON-LD, N-Triples, RDF/XML — or every
    statement about it in the graph that said it, claims with their speakers: TriG, N-Quads, JSON-LD
    with named graphs (`.graphs.jsonld`)."""
    path, fmt = wanted(request, path)
    lang = language(request)
    iri = settings.base_iri + path
    try:
        NamedNode(iri)
    except ValueError:
        raise HttpError(404, f"not an IRI: {iri}") from None
    if fmt not in ("html", "json"):
        found = entities.export(store, iri, fmt, settings.names, current_user(request).org)
        if found is None:
            return not_found(request, lang, iri, fmt)
        item_read(read_log, current_user(request), store, iri, f"download ({fmt})")
        return Response(found[0], media_type=found[1], headers={"Vary": "Accept"})
    data = entities.describe(
        store, iri, lang, settings.names, current_user(request).org, statements=settings.page_statements
    )
    if data is None:
        history = entities.history(store, iri, settings.names, settings.page_changes) if fmt == "html" else None
        if history:
            history = with_words(history, store, lang, entities.solutions, settings.names)
        return not_found(request, lang, iri, fmt, history)
    read_log.record(current_user(request), data["graphs"], iri, "page" if fmt == "html" else "page (json)")
    link = page_link(settings.base_iri)
    sections = entity_sections.sections(
        store,
        data["kind"],
        iri,
        lang,
        entities.solutions,
        settings.names,
        current_user(request).org,
        caps={"rows": settings.page_rows, "observations": settings.page_observations},
    )
    entity_sections.count_annotations(sections, lambda iris: entities.annotation_counts(store, iris))
    if fmt == "json":
        return JSONResponse(twin(data, link, sections), headers={"Vary": "Accept"})
    history = with_words(
        entities.history(store, iri, settings.names, settings.page_changes),
        store,
        lang,
        entities.solutions,
        settings.names,
    )
    picture = None
    if data["kind"] == "actor":
        picture = ego_picture(store, iri, lang, settings.names, current_user(request).org)
    elif data["kind"] == "indicator":
        picture = indicator_chart(store, iri, lang)
    response = templates.TemplateResponse(
        request,
        "entity.html",
        {
            "t": STRINGS[lang],
            "lang": lang,
            "e": data,
            "link": link,
            "picture": picture,
            "formats": {
                "Turtle": f"/id/{path}.ttl",
                "JSON-LD": f"/id/{path}.jsonld",
                "N-Triples": f"/id/{path}.nt",
                "RDF/XML": f"/id/{path}.rdf",
                "JSON": f"/id/{path}.json",
                "TriG": f"/id/{path}.trig",
            },
            "map": f"/maps/cooperation?ego={quote(iri)}" if data["kind"] == "actor" else None,
            "sections": sections,
            "history": history,
            "edit": edit_link(request, full_store, settings, iri),
            "abstract": [v for g in data["statements"] if g["predicate"].endswith("/abstract") for v in g["values"]],
            "session": current_session(request),
            "reverted": request.query_params.get("reverted"),
            "texts": document_texts(full_store, settings, sections),
            "annotator": annotator(request, settings),
            "annotation_strings": {
                **STRINGS[lang]["annotations"],
                "motivations": STRINGS[lang]["motivations"],
                "relations": STRINGS[lang]["moderation"]["relations"],
            },
        },
    )
    response.headers["Vary"] = "Accept"
    return response


def document_texts(store, settings: Settings, sections: list[dict]) -> list[dict]:
    """The extracted text of each document shown on the page, to read and annotate in place."""
    out = []
    for section in sections:
        if section["id"] != "documents":
            continue
        for row in section["rows"]:
            iri = row[0]["iri"]  # the section came through the reader's view
            found = described(store.query, iri)
            if found:
                out.append(
                    {
                        "iri": iri,
                        "title": row[0]["text"],
                        "text": text_of(settings.documents_dir, found[0]),
                    }
                )
    return out


def annotator(request: Request, settings: Settings) -> dict | None:
    """The signed-in browser user who may annotate here (writes carry the session's CSRF token)."""
    session = current_session(request)
    if session is None or not session.user.org:
        return None
    user = current_user(request)
    base = settings.base_iri
    groups = " ".join(f"{base}group/{g}" for g in sorted(user.groups))
    return {"name": user.name, "csrf": session.csrf, "groups": groups}


def edit_link(request: Request, store, settings: Settings, iri: str) -> str | None:
    """The contribution form of an entity the reader may change (its organisation's, or as curator)."""
    user = current_user(request)
    if user.role == "anonymous":
        return None
    names = settings.names
    for kind, plural in SINGULAR.items():
        prefix = names.base + KINDS[plural]["prefix"]
        if iri.startswith(prefix):
            owned = contributions.owned(store, names, NamedNode(iri))
            if any(names.owner_of(g) and may_write(user, g, names) for g in owned):
                return f"/contribute/{kind}/{iri[len(prefix) :]}"
    return None


def twin(data: dict, link, sections: list[dict]) -> dict:
    def values(groups):
        return [
            {
                "predicate": g["predicate"],
                "label": g["label"],
                "values": [
                    {
                        "value": v.value,
                        "label": v.label,
                        "type": v.kind,
                        "language": v.language,
                        **({"page": link(v.value)} if v.kind == "iri" else {}),
                    }
                    for v in g["values"]
                ],
            }
            for g in groups
        ]

    return {
        "iri": data["iri"],
        "kind": data["kind"],
        "label": data["label"],
        "illustrative": data["illustrative"],
        "audience": data["audience"],  # who reads it, when not everyone (issue 20)
        "statements": values(data["statements"]),
        "incoming": values(data["incoming"]),
        "claims": [{"by": c["by"], "statements": values(c["statements"])} for c in data["claims"]],
        "incoming_claims": [{"by": c["by"], "statements": values(c["statements"])} for c in data["incoming_claims"]],
        "sections": [
            {
                "id": s["id"],
                "title": s["title"],
                "rows": [
                    {
                        **{
                            c: (
                                {
                                    "iri": cell["iri"],
                                    "label": cell["text"],
                                    "page": link(cell["iri"]),
                                    "annotations": cell.get("annotations", 0),
                                    **({"said_by": cell["said_by"]} if cell.get("said_by") else {}),
                                }
                                if cell.get("iri")
                                else cell["text"]
                            )
                            for c, cell in zip(s["columns"], row, strict=True)
                        },
                        **{
                            f"{c}_given_by": cell["given_by"]
                            for c, cell in zip(s["columns"], row, strict=True)
                            if cell.get("given_by")
                        },
                    }
                    for row in s["rows"]
                ],
            }
            for s in sections
        ],
    }


def ego_picture(store, iri: str, lang: str, names=None, org: str | None = None) -> str | None:
    """A small picture of the actor's cooperation ties (depth 1), as the cooperation map draws them
    (other organisations' claims left out, `networks.claimed_statements`)."""
    filters = Filters(ego=iri)
    claimed = networks.claimed_statements(store, None, names, org)
    rows = networks.ties(store, "cooperation", filters, claimed=claimed, names=names)
    neighbours = {n for a, b, *_ in rows if iri in (a, b) for n in (a, b)}
    if not neighbours:
        return None
    rows = [r for r in rows if r[0] in neighbours and r[1] in neighbours]
    graph = networks.build_from(rows, networks.nodes(store, None, sorted(neighbours), claimed), "cooperation", filters)
    add_metrics_and_positions(graph)
    svg = exports.drawing(graph, "svg", lang=lang, small=True).decode()
    return svg[svg.index("<svg") :]


def indicator_chart(store, iri: str, lang: str) -> str | None:
    """The indicator's series per territory (communes left out: their parents compare)."""
    series: dict[str, dict[int, float]] = {}
    for territory, label, year, value in run(store, bind(SERIES, {Variable("indicator"): NamedNode(iri)}), None):
        series.setdefault(label or territory.rsplit("/", 1)[-1], {})[int(year)] = float(value)
    if not series:
        return None
    unit_query = sparql_prefixes() + "SELECT ?unit WHERE { ?d pic:measuresIndicator ?i ; pic:unit ?unit }"
    units = [row[0] for row in run(store, bind(unit_query, {Variable("i"): NamedNode(iri)}), None)]
    unit = units[0] if units else ""
    last = max(y for values in series.values() for y in values)
    index = "indice (base 100 en {base})" if lang == "fr" else "index (base 100 in {base})"
    return charts.series_svg(dict(list(series.items())[:8]), unit, last, index)


@router.get("/ontology.{suffix}", summary="L'ontologie en RDF / The ontology as RDF", responses=PAGE_RESPONSES)
def ontology_file(request: Request, store: ReaderDep, settings: SettingsDep, suffix: str):
    if f".{suffix}" not in SUFFIXES:
        raise HttpError(404, f"no ontology format {suffix!r}: {', '.join(SUFFIXES)}")
    return ontology(request, store, settings, SUFFIXES[f".{suffix}"])


@router.get("/ontology", summary="Ontologie PIC / PIC ontology (content negotiation)", responses=PAGE_RESPONSES)
def ontology(request: Request, store: ReaderDep, settings: SettingsDep, fmt: str | None = None):
    """The ontology's documentation page (classes and properties, French and English), or its RDF."""
    if fmt is None:
        _, fmt = wanted(request, "")
    if fmt not in ("html", "json", *SUFFIXES.values()):
        raise HttpError(400, f"fmt: one of html, json, {', '.join(SUFFIXES.values())}", field="fmt")
    lang = language(request)
    names = settings.names
    if fmt not in ("html", "json"):
        job = Job("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", graph_format=fmt, max_rows=1_000_000)
        job.default_graph = job.named_graphs = [names.ontology.value]
        return rdf(store.run(job))
    terms = []
    for term, kind, lfr, len_, dfr, den in run(store, TERMS, None):
        terms.append(
            {
                "iri": term,
                "id": term.rsplit("#", 1)[-1],
                "kind": kind.rsplit("#", 1)[-1],
                "label": (len_ if lang == "en" and len_ else lfr) or term.rsplit("#", 1)[-1],
                "label_fr": lfr,
                "label_en": len_,
                "definition": (den if lang == "en" and den else dfr) or "",
            }
        )
    if fmt == "json":
        return JSONResponse({"iri": ONTOLOGY_IRI, "terms": terms}, headers={"Vary": "Accept"})
    response = templates.TemplateResponse(
        request, "ontology.html", {"t": STRINGS[lang], "lang": lang, "terms": terms, "iri": ONTOLOGY_IRI}
    )
    response.headers["Vary"] = "Accept"
    return response
