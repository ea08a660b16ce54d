"""The annual impact report: `/reports` lists the years with data, `/reports/{year}` is the report (French,
`?lang=en`), and the same path with `.pdf`, `.csv` (the figures) or `.ttl` (Data Cube slices) for files.

The report reads the graph through the query runner, restricted to what the reader may read; its query
links point at this server, so every figure can be recomputed here by anyone.
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from pic.graph.store.formats import TURTLE
from pic.service.auth import current_user
from pic.service.deps import ReaderDep, SettingsDep
from pic.service.errors import HttpError
from pic.service.i18n import STRINGS, language
from pic.service.pages import templates
from pic.viz import report
from pic.viz.pdf import PdfUnavailable, html_to_pdf

router = APIRouter(tags=["Report"])
FORMATS = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "ttl": TURTLE.media_type,
}


@router.get("/reports", response_class=HTMLResponse, summary="États annuels / Annual reports")
def years(request: Request, store: ReaderDep):
    lang = language(request)
    return templates.TemplateResponse(
        request,
        "reports.html",
        {"t": STRINGS[lang], "lang": lang, "r": report.TEXT[lang], "years": report.years_with_data(store)},
    )


@router.get(
    "/reports/{name}",
    summary="État annuel des impacts / Annual impact report",
    responses={200: {"content": {media: {} for media in FORMATS.values()}}},
)
def annual_report(request: Request, store: ReaderDep, settings: SettingsDep, name: str):
    """`/reports/2024` (HTML page), `/reports/2024.html` (standalone file), `.pdf`, `.csv`, `.ttl`."""
    year_text, _, fmt = name.partition(".")
    if not (year_text.isdigit() and len(year_text) == 4):
        raise HttpError(404, f"no report {name!r}: use /reports/YEAR", field="year")
    if fmt and fmt not in FORMATS:
        raise HttpError(404, f"no report format {fmt!r}: {', '.join(FORMATS)}")
    lang = language(request)
    year = int(year_text)
    if year not in report.years_with_data(store):
        raise HttpError(404, f"no observation for {year}: see /reports for the years with data", field="year")
    base_url = str(request.base_url).rstrip("/")
    data = report.build(store, year, settings.base_iri, base_url, lang, org=current_user(request).org)
    if fmt == "csv":
        return Response(
            report.figures_csv(data),
            media_type=FORMATS["csv"],
            headers={"Content-Disposition": f'attachment; filename="etat-impacts-{year}.csv"'},
        )
    if fmt == "ttl":
        return Response(report.data_cube_slices(data, settings.base_iri), media_type=FORMATS["ttl"])
    standalone = fmt in ("html", "pdf")
    html = report.html(data, standalone=standalone)
    if fmt == "pdf":
        try:
            body = html_to_pdf(html)
        except PdfUnavailable as e:
            raise HttpError(503, str(e)) from None
        return Response(
            body,
            media_type=FORMATS["pdf"],
            headers={"Content-Disposition": f'inline; filename="etat-impacts-{year}.pdf"'},
        )
    headers = {"Content-Disposition": f'attachment; filename="etat-impacts-{year}.html"'} if fmt else {}
    return HTMLResponse(html, headers=headers)
