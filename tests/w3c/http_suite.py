"""The SPARQL Protocol and Graph Store Protocol tests: each a sequence of HTTP requests written in the
W3C HTTP vocabulary (`ht:Request` with method, path, headers, body; `ht:resp` with the expected status,
result format, boolean, `Location`, media type and RDF body), sent in order on an emptied store.

Paths start with `/sparql/` (protocol) or `/gsp` (Graph Store); the manifests say to map them to the
endpoints under test: a request is an update (to the update endpoint, as admin on the platform) when it
is sent as `application/sparql-update`, or its form or query string carries `update=` or a
`using-graph-uri`; Graph Store requests go to the Graph Store endpoint, as admin when they write.
`$LOCATION$` in a later request is the `Location` an earlier response gave (`mf:expectedLocation`).
"""

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urljoin

from pyoxigraph import RdfFormat, parse
from rdflib import RDF, Graph, Namespace
from rdflib.collection import Collection

from tests.w3c.manifests import MF, W3CTest, parsed
from tests.w3c.matching import compare
from tests.w3c.results import Boolean, Solutions, Triples, Unreadable, read_answer
from tests.w3c.targets import Target, message

HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
STATUS = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404, "BadRequest": 400}
RESULT_MEDIA = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: list[str]  # `2xx`, `201`…
    expected_format: str | None = None
    expected_boolean: bool | None = None
    expected_media: str | None = None
    expected_body: str | None = None
    location_variable: str | None = None
    raw_body: str | None = field(default=None, repr=False)


def requests_of(test: W3CTest) -> list[Request]:
    g = parsed(test.manifest)
    action = g.value(test.node, MF.action)
    return [request(g, node) for lst in g.objects(action, HT.requests) for node in Collection(g, lst)]


def request(g: Graph, node) -> Request:
    headers = {}
    for lst in g.objects(node, HT.headers):
        for h in Collection(g, lst):
            headers[str(g.value(h, HT.fieldName)).lower()] = str(g.value(h, HT.fieldValue))
    body = g.value(node, HT.body)
    raw = data = None
    if body is not None:
        raw = str(g.value(body, CNT.chars))
        data = raw.encode(str(g.value(body, CNT.characterEncoding) or "UTF-8").lower())
    resp = g.value(node, HT.resp)
    statuses = []
    for s in g.objects(resp, MF.expectedStatus):
        name = str(s).rsplit("#", 1)[-1]
        statuses.append(name.removeprefix("StatusCode") if name.startswith("StatusCode") else str(STATUS[name]))
    boolean = g.value(resp, MF.expectedBoolean)
    media = None
    for lst in g.objects(resp, HT.headers):
        for h in Collection(g, lst):
            if str(g.value(h, HT.fieldName)).lower() == "content-type":
                media = str(g.value(h, HT.fieldValue))
    expected_body = g.value(resp, HT.body)
    location = g.value(resp, MF.expectedLocation)
    return Request(
        method=str(g.value(node, HT.methodName)),
        path=str(g.value(node, HT.absolutePath)),
        headers=headers,
        body=data,
        statuses=statuses,
        expected_format=str(g.value(resp, MF.expectedFormat) or "") or None,
        expected_boolean=None if boolean is None else boolean.toPython(),
        expected_media=media,
        expected_body=None if expected_body is None else str(g.value(expected_body, CNT.chars)),
        location_variable=None if location is None else str(location),
        raw_body=raw,
    )


def is_update(req: Request) -> bool:
    query = parse_qs(req.path.partition("?")[2])
    form = (
        parse_qs(req.raw_body or "")
        if req.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
        or "content-type" not in req.headers
        else {}
    )
    return (
        req.headers.get("content-type", "").startswith("application/sparql-update")
        or "update" in form
        or any(k in query for k in ("update", "using-graph-uri", "using-named-graph-uri"))
    )


def endpoint(target: Target, req: Request) -> tuple[str, dict]:
    """The URL a request's path maps to, and the headers it adds (the admin's, to write)."""
    path, _, query = req.path.partition("?")
    writes = req.method not in ("GET", "HEAD")
    if path.startswith("/gsp"):
        url, extra = target.gsp_url + path.removeprefix("/gsp"), target.admin if writes else {}
    elif is_update(req):
        url, extra = target.update_url, target.admin
    else:
        url, extra = target.query_url, {}
    return url + (f"?{query}" if query else ""), extra


def status_ok(status: int, expected: list[str]) -> bool:
    return any(str(status) == e or (e.endswith("xx") and str(status)[0] == e[0]) for e in expected)


def check(req: Request, r) -> str | None:
    if not status_ok(r.status_code, req.statuses):
        return f"{req.method} {req.path[:80]}: {r.status_code} (expected {'/'.join(req.statuses)}): {message(r)}"
    media = r.headers.get("content-type", "").split(";")[0].strip().lower()
    if req.expected_media and media != req.expected_media.split(";")[0].strip().lower():
        return f"{req.method} {req.path[:80]}: media type {media or 'none'}, expected {req.expected_media}"
    if req.expected_format or req.expected_boolean is not None or req.expected_body is not None:
        try:
            answer = read_answer(r.content, r.headers.get("content-type", ""))
        except Unreadable as e:
            return f"{req.method} {req.path[:80]}: {e}"
        kind = {"boolean": Boolean, "tabular": Solutions, "RDF": Triples}.get(req.expected_format or "")
        if kind and not (isinstance(answer, kind) and (kind is Triples or media in RESULT_MEDIA)):
            return f"{req.method} {req.path[:80]}: {media} is not a {req.expected_format} result"
        if req.expected_boolean is not None and not (
            isinstance(answer, Boolean) and answer.value == req.expected_boolean
        ):
            return f"{req.method} {req.path[:80]}: expected {req.expected_boolean}, got {answer}"
        if req.expected_body is not None:
            expected = Triples([q.triple for q in parse(req.expected_body.encode(), RdfFormat.TURTLE)])
            why = compare(expected, answer)
            if why:
                return f"{req.method} {req.path[:80]}: {why}"
    return None


def run_one(target: Target, test: W3CTest) -> str | None:
    loaded = target.load(test.data)
    if loaded:
        return loaded
    target.dirty, target.loaded, target.dataset = True, None, None
    variables: dict[str, str] = {}
    for req in requests_of(test):
        for name, value in variables.items():
            req.path = req.path.replace(name, value)
            if req.body is not None:
                req.body = req.body.replace(name.encode(), value.encode())
        url, extra = endpoint(target, req)
        r = target.client.request(req.method, url, content=req.body, headers={**req.headers, **extra})
        why = check(req, r)
        if why:
            return why
        if req.location_variable:
            variables[req.location_variable] = urljoin(url, r.headers.get("location", ""))
    return None


def protocol_tests(tests: list[W3CTest], kind: str) -> list[W3CTest]:
    return [t for t in tests if t.kind == kind and (t.node, RDF.type, MF[kind]) in parsed(t.manifest)]
