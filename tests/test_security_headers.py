"""Every response carries the security headers, and the policy is one the pages keep: no page has an inline
script, event handler, `javascript:` URL or inline style, and the standalone files (a map's `.html`, the
report's `.html`) allow exactly their own inlined scripts and styles by hash. What a browser does under the
policy is checked by every Chromium test (`tests/browser.py` fails a test on any violation)."""

import base64
import hashlib
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from fastapi import routing

from pic.viz.svg_attributes import without_style
from tests.conftest import app_client, bearer

PAGES = [
    "/id/actor/louvre-lens",
    "/id/study/frequentation-habitants-louvre-lens",
    "/id/indicator/taux-chomage",
    "/id/territory/commune/62498",
    "/id/project/louvre-lens-construction",
    "/search?q=louvre",
    "/maps/cooperation",
    "/maps/knowledge-flows?lang=en",
    "/maps/cooperation/changes",
    "/reports/2024",
    "/workbench",
    "/contribute/study",
    "/contribute/actor/xss",
    "/import",
    "/docs",
]
MORE = [
    "/id/actor/louvre-lens.ttl",
    "/maps/cooperation.svg",
    "/maps/cooperation.png",
    "/maps/cooperation.csv",
    "/reports/2024.csv",
    "/vendor/docs/swagger-ui-bundle.js",
    "/vendor/docs/swagger-ui.css",
    "/vendor/vis-network.min.js",
    "/static/style.css",
    "/maps/static/report.css",
    "/no/such/page",
    "/id/actor/no-such-actor",
    "/sparql?query=ASK%7B%7D",
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("headers") / "data") as c:
        yield c


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        if part.strip():
            name, *values = part.split()
            parsed[name] = values
    return parsed


def plain_get_paths(app) -> list[str]:
    """Every GET route of the application without a path parameter: a new page is checked without a list."""
    return sorted(
        c.path
        for c in routing.iter_route_contexts(app.routes)
        if "GET" in (getattr(c.original_route, "methods", None) or ()) and "{" not in c.path
    )


def test_every_response_carries_the_security_headers(client):
    paths = plain_get_paths(client.app) + PAGES + MORE
    assert "/docs" in paths and "/" in paths
    for path in paths:
        r = client.get(path, headers=bearer(client, "alice"), follow_redirects=False)
        assert r.status_code < 500, (path, r.status_code, r.text[:300])
        assert r.headers.get("x-content-type-options") == "nosniff", path
        assert r.headers.get("referrer-policy") == "same-origin", path
        policy = directives(r.headers.get("content-security-policy", ""))
        assert policy.get("frame-ancestors") == ["'none'"], (path, policy)
        assert not any(
            v in ("'unsafe-inline'", "'unsafe-eval'", "*", "https:", "http:", "data:")
            for name, values in policy.items()
            if name != "img-src"
            for v in values
        ), (path, policy)
        if r.headers.get("content-type", "").startswith(("text/html", "image/svg+xml")):
            assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"], (path, policy)
            assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"], (path, policy)
            assert policy["connect-src"] == ["'self'"] and policy["img-src"] == ["'self'", "data:"], (path, policy)


def test_the_docs_page_needs_no_cdn_and_redoc_is_gone(client):
    page = client.get("/docs").text
    assert "cdn." not in page and "https://" not in page, page
    assert client.get("/vendor/docs/swagger-ui-bundle.js").status_code == 200
    assert client.get("/vendor/docs/../../etc/passwd").status_code == 404
    assert client.get("/vendor/docs/redoc.standalone.js").status_code == 404
    assert client.get("/redoc").status_code == 404


class Markup(HTMLParser):
    """What a policy without 'unsafe-inline' would refuse: inline scripts (JSON data blocks are not run),
    event-handler attributes, `javascript:` URLs, style attributes and elements; and what it allows by hash."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inline_scripts, self.styles, self.refused, self.meta_policy = [], [], [], None
        self.current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on") or name == "style":
                self.refused.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                ("javascript:", "data:text/html")
            ):
                self.refused.append(f"<{tag} {name}={value[:40]}>")
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self.current = self.inline_scripts
            self.current.append("")
        elif tag == "style":
            self.current = self.styles
            self.current.append("")
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "content-security-policy":
            self.meta_policy = attrs.get("content")

    def handle_data(self, data):
        if self.current is not None:
            self.current[-1] += data

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.current = None


def read(html: str) -> Markup:
    markup = Markup()
    markup.feed(html)
    return markup


def test_pages_have_no_inline_script_handler_or_style(client):
    paths = plain_get_paths(client.app) + PAGES
    checked = 0
    for path in paths:
        r = client.get(path, headers=bearer(client, "fanny"))
        if not r.headers.get("content-type", "").startswith("text/html"):
            continue
        markup = read(r.text)
        assert markup.inline_scripts == [] and markup.styles == [] and markup.refused == [], (path, markup.refused)
        checked += 1
    assert checked >= len(PAGES)


def sha256(text: str) -> str:
    """The hash a browser checks: of the element's text after the HTML parser normalised its line breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.mark.parametrize("path", ["/maps/cooperation.html", "/maps/knowledge-flows.html?lang=en", "/reports/2024.html"])
def test_a_standalone_file_allows_exactly_its_own_inline_scripts_and_styles(client, path):
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment"), r.text[:300]
    markup = read(r.text)
    assert markup.meta_policy, "a standalone file carries its policy in a <meta> tag"
    assert r.text.index("Content-Security-Policy") < min(
        (r.text.find(t) for t in ("<script>", "<style>") if t in r.text), default=len(r.text)
    )
    policy = directives(markup.meta_policy)
    assert policy["default-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert sorted(policy["script-src"]) == sorted(map(sha256, markup.inline_scripts)) or (
        markup.inline_scripts == [] and policy["script-src"] == ["'none'"]
    ), policy
    assert sorted(policy["style-src"]) == sorted(map(sha256, markup.styles)), policy
    assert markup.refused == []
    if path.startswith("/maps"):
        assert len(markup.inline_scripts) == 2  # vis-network and the map's script


def test_drawings_carry_no_css_and_keep_their_colours(client):
    svg = client.get("/maps/cooperation.svg").text
    page = client.get("/id/indicator/taux-chomage").text
    inline_chart = page[page.index("<svg") : page.index("</svg>") + 6]
    for drawing in (svg[svg.index("<svg") :], inline_chart):
        root = ET.fromstring(drawing)
        elements = list(root.iter())
        assert not [e for e in elements if e.tag.endswith("}style") or "style" in e.attrib]
        assert {e.get("fill") for e in elements} - {None, "none", "#ffffff"}, "colours kept as attributes"


def test_matplotlib_css_becomes_presentation_attributes():
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg"><defs><style type="text/css">*{stroke-linecap: butt}</style>'
        '</defs><g style="stroke-linecap: square"><path style="fill: #123456; stroke-width: 2"/></g>'
        '<text style="font-size: 8px; text-anchor: end">a &lt;b&gt;</text></svg>'
    )
    root = ET.fromstring(without_style(svg))
    g, text = root.findall("{http://www.w3.org/2000/svg}g")[0], root.find("{http://www.w3.org/2000/svg}text")
    path = g[0]
    assert root.get("stroke-linecap") == "butt" and g.get("stroke-linecap") == "square"
    assert path.get("stroke-linecap") == "butt"  # `*` applies to the path itself, not only through inheritance
    assert path.get("fill") == "#123456" and path.get("stroke-width") == "2"
    assert text.get("font-size") == "8px" and text.text == "a <b>" and text.get("stroke-linecap") is None
    with pytest.raises(ValueError, match="font"):
        without_style('<svg xmlns="http://www.w3.org/2000/svg"><text style="font: 8px serif">a</text></svg>')


def test_a_server_error_carries_the_headers_too(tmp_path, monkeypatch):
    """An outside test saw 500 answers as text/plain without the policy: Starlette makes them outside the
    middleware. Our handler gives them the one error shape and the headers."""
    from fastapi.testclient import TestClient

    from pic.service.routers import home
    from tests.conftest import app_client

    def broken(*args, **kwargs):
        raise RuntimeError("a fault of ours")

    with app_client(tmp_path / "data") as client:
        monkeypatch.setattr(home, "summary", broken)
        r = TestClient(client.app, raise_server_exceptions=False).get("/", headers={"Accept": "application/json"})
        assert r.status_code == 500 and r.json()["error"]["status"] == 500
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"
