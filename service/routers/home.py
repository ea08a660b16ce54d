"""The home page and its JSON twin: what the graph holds, latest and planned studies, and a way in
for each kind of user. Everything is read through the reader's view: a private study is neither
counted nor listed for those who may not read it."""

from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pyoxigraph import Literal, NamedNode, Variable

from pic.graph.names import Names
from pic.graph.store.interface import bind
from pic.ontology.namespaces import DEFAULT_BASE, sparql_prefixes
from pic.service.auth import current_user, require_admin
from pic.service.deps import LastWriteDep, MetricsDep, QueriesDep, ReaderDep, SearchDep, SettingsDep, WriterDep
from pic.service.entities import annotation_counts, solutions
from pic.service.entity_labels import names_for
from pic.service.health import checks, overall
from pic.service.i18n import STRINGS, language
from pic.service.pages import limited, page_link, templates

router = APIRouter()

COUNTS = (
    sparql_prefixes()
    + """
SELECT ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {
  VALUES ?kind { org:Organization pic:Project pic:Study pic:Indicator qb:Observation igeo:Commune }
  ?s a/rdfs:subClassOf* ?kind
} GROUP BY ?kind"""
)
STUDIES = (
    sparql_prefixes()
    + """
SELECT ?study (SAMPLE(?t) AS ?title) (SAMPLE(?d) AS ?date) (SAMPLE(?ill) AS ?illustrative) WHERE {
  ?study a pic:Study ; pic:studyStatus ?status ; dcterms:title ?t .
  FILTER (lang(?t) = ?lang)
  OPTIONAL { ?study dcterms:issued|pic:expectedYear ?d }
  OPTIONAL { ?study pic:illustrative ?ill }
  VALUES ?status { %s }
} GROUP BY ?study ORDER BY DESC(STR(?date)) LIMIT $studies"""
)
KIND_KEYS = {
    "Organization": "organisations",
    "Project": "projects",
    "Study": "studies",
    "Indicator": "indicators",
    "Observation": "observations",
    "Commune": "communes",
}


GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


def described(view, graphs: list[dict], lang: str, names: Names) -> None:
    """Give each graph what it holds in words ("Données publiées par Euralens"), its IRI kept for queries."""
    owners = {g["graph"]: names.owner_of(NamedNode(g["graph"])) for g in graphs}
    orgs = names_for(view, [f"{names.base}actor/{o}" for o in set(owners.values()) if o], lang, solutions, names)
    words = STRINGS[lang]["graph_kinds"]
    for g in graphs:
        kind, owner = names.kind_of(NamedNode(g["graph"])), owners[g["graph"]]
        said = words.get(kind, words["other"])
        g["label"] = said.format(org=orgs[f"{names.base}actor/{owner}"]) if owner else said.split(" {org}")[0]


def summary(view, lang: str, link, studies_listed: int, names: Names) -> dict:
    """What the graph holds as the reader reads it, and its latest and planned studies (`studies_listed`
    of each, the `home_studies` setting)."""
    counts = {KIND_KEYS[r["kind"].value.rsplit("#", 1)[-1]]: int(r["n"].value) for r in solutions(view, COUNTS)}
    graphs = [{"graph": r["g"].value, "triples": int(r["n"].value)} for r in solutions(view, GRAPH_SIZES)]
    described(view, graphs, lang, names)

    def studies(statuses: str) -> list[dict]:
        rows = solutions(
            view, bind(limited(STUDIES % statuses, studies=studies_listed), {Variable("lang"): Literal(lang)})
        )
        return [
            {
                "iri": r["study"].value,
                "page": link(r["study"].value),
                "title": r["title"].value,
                "date": r["date"].value if r["date"] else None,
                "illustrative": bool(r["illustrative"] and r["illustrative"].value == "true"),
            }
            for r in rows
        ]

    base = f"<{DEFAULT_BASE}study-status/"
    latest, planned = studies(f"{base}published>"), studies(f"{base}planned> {base}ongoing>")
    annotated = annotation_counts(view, [s["iri"] for s in latest + planned])
    for s in latest + planned:
        s["annotations"] = annotated.get(s["iri"], 0)
    return {"counts": counts, "graphs": graphs, "latest": latest, "planned": planned}


@router.get(
    "/", response_class=HTMLResponse, summary="Accueil / Home", responses={200: {"content": {"application/json": {}}}}
)
def home(request: Request, view: ReaderDep, settings: SettingsDep, format: str | None = None):
    """Counts, named graphs, latest and planned studies; JSON with `Accept: application/json`."""
    lang = language(request)
    data = summary(view, lang, page_link(settings.base_iri), settings.home_studies, settings.names)
    if format == "json" or "application/json" in request.headers.get("accept", ""):
        return JSONResponse(data)
    response = templates.TemplateResponse(
        request, "home.html", {"t": STRINGS[lang], "lang": lang, "user": current_user(request), **data}
    )
    return response


@router.get(
    "/favicon.ico",
    summary="Icône du site / Site icon",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def favicon() -> Response:
    """Browsers ask for it on every site whatever the page says: an SVG (which they all draw), not a 404."""
    icon = resources.files("pic.service").joinpath("static", "favicon.svg").read_bytes()
    return Response(icon, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})


@router.get("/health", summary="État du service / Health")
def health(
    request: Request,
    writer: WriterDep,
    queries: QueriesDep,
    search: SearchDep,
    settings: SettingsDep,
    last_write: LastWriteDep,
) -> JSONResponse:
    """`{"status": "ok"}` or `"degraded"` (then 503) for anyone; with an admin token, each part's state
    (store, engines, disk, search index, last write). Details stay with admins: timings and the time of
    the last write would tell anyone of private activity."""
    parts = checks(writer, queries, search, settings, last_write)
    status = overall(parts)
    body = {"status": status, **({"checks": parts} if current_user(request).role == "admin" else {})}
    return JSONResponse(body, 200 if status == "ok" else 503)


@router.get(
    "/metrics",
    summary="Métriques Prometheus / Prometheus metrics (admins)",
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
)
def metrics(request: Request, writer: WriterDep, measured: MetricsDep) -> Response:
    """Requests and latency by route, SPARQL queries by outcome, writes, the store's size (admin token):
    counts and timings of writes would tell anyone of private activity."""
    require_admin(current_user(request))
    measured.triples.set(writer.store.count())
    return Response(generate_latest(measured.registry), media_type=CONTENT_TYPE_LATEST)
