"""The query workbench: an HTML page to write, run, share and download SPARQL queries.

Everything runs against this server's own endpoints (`/sparql`, `/api/queries`); the page's script and
style are served from /static and use no third-party code, so it works with no network beyond the server.
"""

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pic.ontology.namespaces import sparql_prefixes
from pic.queries.registry import saved_queries
from pic.service.deps import SettingsDep
from pic.service.i18n import STRINGS, language
from pic.service.name_lookup import KINDS
from pic.service.pages import templates

router = APIRouter(tags=["Workbench"])
DEFAULT_QUERY = (
    sparql_prefixes()
    + """
SELECT ?study ?title ?status WHERE {
  ?study a pic:Study ; dcterms:title ?title ; pic:studyStatus ?status .
  FILTER (lang(?title) = "fr")
} LIMIT 20
"""
)


def script_json(value) -> str:
    """JSON safe inside a <script> element: no `</script>`, no HTML comment, whatever the query says."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@router.get("/workbench", response_class=HTMLResponse, summary="Atelier de requêtes / Query workbench")
def workbench(request: Request, settings: SettingsDep, query: str | None = None, saved: str | None = None):
    """The page reopens what its permalink says: `?query=…` (free text) or `?saved=name&param=…`."""
    lang = language(request)
    library = [
        {
            "name": q.name,
            "title": q.title.get(lang, q.title["fr"]),
            "description": q.description.get(lang, q.description["fr"]),
            "text": q.text,
            "parameters": [
                {"name": p.name, "type": p.type, "default": p.default or "", "values": list(p.values), "label": p.label}
                for p in q.parameters
            ],
        }
        for q in saved_queries().values()
    ]
    params = {k: v for k, v in request.query_params.items() if k not in ("query", "saved", "lang")}
    state = {
        "query": query or "",
        "saved": saved if saved in saved_queries() else "",
        "params": params,
        "defaultQuery": DEFAULT_QUERY,
        "library": library,
        "strings": STRINGS[lang]["workbench"],
        "base": settings.base_iri,  # results' IRIs under it open their page here
        "kinds": KINDS,  # a parameter of one of these names asks for an entity of that kind
    }
    response = templates.TemplateResponse(
        request, "workbench.html", {"t": STRINGS[lang], "lang": lang, "state": script_json(state)}
    )
    return response
