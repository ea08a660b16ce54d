"""HEAD is GET without the body (RFC 9110, 9.3.2), on every GET route of the application (`head_requests.py`):
each route, taken from the app's own table with sample values in its path, answers HEAD with the status
and the content type its GET answers, and no body. Before, every route but the annotation container's
answered 405."""

import re

import pytest
from fastapi import routing

from tests.conftest import app_client

SAMPLES = {  # a value for a path parameter that names something in the demo, else a plain word
    "kind": "actor",
    "key": "louvre-lens",
    "year": "2024",
    "name": "actor-projects-and-roles",
    "slug": "lens",
    "path": "actor/louvre-lens.rdf",  # /id/{path}: an RDF/XML answer, which is read before it is sent
}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("head") / "data") as c:
        yield c


def get_paths(app) -> list[str]:
    paths = []
    for context in routing.iter_route_contexts(app.app.routes):
        if "GET" in (getattr(context.original_route, "methods", None) or ()):
            paths.append(re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: SAMPLES.get(m.group(1), "x"), context.path))
    return sorted(set(paths))


def test_every_get_route_answers_head_as_its_get_without_the_body(app):
    paths = get_paths(app)
    assert len(paths) > 40, paths
    for browser in ({}, {"Accept": "text/html"}, {"Accept": "application/rdf+xml"}):  # an XML answer is checked
        for path in paths:
            got, head = app.get(path, headers=browser), app.head(path, headers=browser)
            assert head.status_code == got.status_code, (path, head.status_code, got.status_code)
            assert head.content == b"", path
            assert head.headers.get("content-type") == got.headers.get("content-type"), path
            # (not the length: a form's token, an RDF answer's blank node labels differ between two answers)
