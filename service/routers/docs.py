"""The API's documentation, `/docs` (Swagger UI), with its script and style from the installed
`fastapi-offline` package, served here: the page works with no network beyond this server.

FastAPI's own page fetches them from a CDN and starts them with an inline script, which the Content
Security Policy forbids; ours starts Swagger UI from /static/docs.js, which reads the OpenAPI URL from the
page. There is no `/redoc`: ReDoc writes `<style>` elements of its own and loads its logo from its
vendor's CDN, so it could not work under the policy with no network.
"""

from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pic.service.errors import HttpError
from pic.service.pages import templates

router = APIRouter(include_in_schema=False)
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon.png": "image/png",
}


@router.get("/docs")
def swagger_ui(request: Request):
    return templates.TemplateResponse(
        request, "docs.html", {"title": request.app.title, "openapi_url": request.app.openapi_url}
    )


@router.get("/vendor/docs/{name}")
def asset(name: str):
    if name not in ASSETS:
        raise HttpError(404, f"no such file: {name}")
    body = resources.files("fastapi_offline").joinpath("static", name).read_bytes()
    return Response(body, media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=86400"})
