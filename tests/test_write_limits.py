"""Every route that changes something checks permission before it reads the body, and reads the body with
its limit as it streams in (issue 16, finding 4): JSON and multipart bodies were read whole before the
401/403 and before any size check. The routes are enumerated from the application, so a new one is
covered (or fails here until it says how to reach it).

Each request is sent over a plain socket with a chunked body that never ends (5 MB, no last chunk): a
route that answers at all answered before the end of the body — one that reads the whole body first
never answers, and the test sees no status line."""

import os
import select
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from fastapi import routing

from pic.service.app import create_app
from tests.conftest import free_port, wait_until_up

ID = "https://w3id.org/pic-euralens/id/"
BOUNDARY = "limits"
FIRST_BYTES = {  # the media type each route reads, and the start of a body of that type
    "form": ("application/x-www-form-urlencoded", b"csrf=x&field="),
    "json": ("application/json", b'{"field": "'),
    "multipart": (
        f"multipart/form-data; boundary={BOUNDARY}",
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'.encode(),
    ),
    "turtle": ("text/turtle", b"# "),
    "update": ("application/sparql-update", b"# "),
    "annotation": ("application/ld+json", b'{"field": "'),
}
# (method, route): (where to send it, the body's kind, the status a signed-in admin gets: 413 when the
# route reads the body, else what it answers before reading it)
SAMPLES = {
    ("POST", "/sparql"): ("/sparql", "form", 413),
    ("POST", "/update"): ("/update", "update", 413),
    ("PUT", "/rdf-graphs"): (f"/rdf-graphs?graph={ID}graph/partner/aula", "turtle", 413),
    ("POST", "/rdf-graphs"): (f"/rdf-graphs?graph={ID}graph/partner/aula", "turtle", 413),
    ("DELETE", "/rdf-graphs"): (f"/rdf-graphs?graph={ID}graph/partner/nobody", "turtle", 404),
    ("PUT", "/rdf-graphs/{path:path}"): ("/rdf-graphs/limits.ttl", "turtle", 413),
    ("POST", "/rdf-graphs/{path:path}"): ("/rdf-graphs/limits.ttl", "turtle", 413),
    ("DELETE", "/rdf-graphs/{path:path}"): ("/rdf-graphs/nobody.ttl", "turtle", 404),
    ("POST", "/api/studies/{key}/documents"): ("/api/studies/nope/documents", "multipart", 413),
    ("POST", "/studies/{key}/documents"): ("/studies/nope/documents", "multipart", 413),
    ("DELETE", "/api/studies/{key}/documents/{document_id}"): (
        "/api/studies/nope/documents/0123456789abcdef",
        "json",
        404,
    ),
    ("POST", "/login"): ("/login", "form", 413),
    ("POST", "/logout"): ("/logout", "form", 413),
    ("POST", "/account/tokens"): ("/account/tokens", "form", 413),
    ("POST", "/api/import/{kind}"): ("/api/import/studies?org=aula&dry_run=true", "multipart", 413),
    ("POST", "/import"): ("/import", "multipart", 413),
    ("POST", "/api/contribute/{kind}"): ("/api/contribute/study", "json", 413),
    ("PUT", "/api/contribute/{kind}/{key:path}"): ("/api/contribute/study/nope", "json", 413),
    ("DELETE", "/api/contribute/{kind}/{key:path}"): ("/api/contribute/study/nope", "json", 404),
    ("POST", "/contribute/{kind}"): ("/contribute/study", "form", 413),
    ("POST", "/contribute/{kind}/{key:path}"): ("/contribute/study/nope", "form", 413),
    ("POST", "/changes/{change_id}/revert"): ("/changes/nope/revert", "form", 413),
    ("POST", "/annotations/{key}/flag"): ("/annotations/nope/flag", "form", 413),
    ("POST", "/annotations/{key}/hide"): ("/annotations/nope/hide", "form", 413),
    ("POST", "/annotations/{key}/restore"): ("/annotations/nope/restore", "form", 413),
    ("POST", "/annotations/{key}/accept"): ("/annotations/nope/accept", "json", 413),
    ("POST", "/annotations/{key}/reject"): ("/annotations/nope/reject", "json", 413),
    ("POST", "/annotations/"): ("/annotations/", "annotation", 413),
    ("PUT", "/annotations/{key}"): ("/annotations/nope", "annotation", 404),
    ("DELETE", "/annotations/{key}"): ("/annotations/nope", "annotation", 404),
    ("POST", "/api/withdraw"): ("/api/withdraw", "json", 413),
    ("POST", "/api/accounts/{name}/erase"): ("/api/accounts/nobody/erase", "json", 413),
}
ANONYMOUS_READS = {("POST", "/sparql"): "a query: anyone may send one (its limit: tests/test_request_limits.py)"}
READ_FIRST: dict[tuple[str, str], str] = {}  # every write route checks who asks before reading


def write_routes() -> list[tuple[str, str]]:
    """(method, path template) of every route that is not a read (GET, HEAD, OPTIONS)."""
    found = set()
    for context in routing.iter_route_contexts(create_app().routes):
        methods = getattr(context.original_route, "methods", None) or set()
        found |= {(m, context.path) for m in methods - {"GET", "HEAD", "OPTIONS"}}
    return sorted(found, key=lambda r: (r[1], r[0]))


def marked(routes, known: dict[tuple[str, str], str]):
    return [
        pytest.param(*r, id=" ".join(r), marks=pytest.mark.xfail(reason=known[r], strict=True))
        if r in known
        else pytest.param(*r, id=" ".join(r))
        for r in routes
    ]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A `pic serve` of its own with small limits, and an admin's session cookie."""
    pic = str(Path(sys.executable).with_name("pic"))
    env = {
        **os.environ,
        "PIC_DATA_DIR": str(tmp_path_factory.mktemp("write-limits") / "data"),
        "PIC_ADMIN_TOKEN": "t",
        "PIC_MAX_UPLOAD_BYTES": "300000",
        "PIC_MAX_DOCUMENT_BYTES": "100000",
        "PIC_MAX_FORM_BYTES": "20000",
    }
    subprocess.run(
        [pic, "user", "add", "ada", "--role", "admin", "--password", "ada-password"],
        env=env,
        check=True,
        capture_output=True,
    )
    url = f"http://127.0.0.1:{free_port()}"
    process = subprocess.Popen(
        [pic, "serve", "--port", url.rsplit(":", 1)[1]], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until_up(f"{url}/health", process, seconds=120)
        with httpx.Client(base_url=url, timeout=60) as c:
            csrf = c.get("/login").text.split('name="csrf" value="')[1].split('"')[0]
            r = c.post("/login", data={"name": "ada", "password": "ada-password", "csrf": csrf})
            assert r.status_code == 303, r.text
            yield url, c.cookies["pic_session"]
    finally:
        process.terminate()
        process.wait(10)


def answer(
    url: str, method: str, target: str, kind: str, headers: dict[str, str], total: int = 5 * 2**20, wait: float = 10.0
) -> str:
    """The status line the server answers with while a chunked body of `total` bytes, which never ends,
    is being sent; "" if it waits for the end of the body."""
    media, first = FIRST_BYTES[kind]
    host, port = url.removeprefix("http://").split(":")
    head = (
        f"{method} {target} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {media}\r\n"
        "Transfer-Encoding: chunked\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=wait) as s:
        s.sendall(head.encode())
        sent, chunk = 0, first
        while sent < total and not select.select([s], [], [], 0)[0]:  # until the server answers
            try:
                s.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            except OSError:  # it answered and closed, or stopped reading
                break
            sent, chunk = sent + len(chunk), b"a" * 65536
        try:
            return s.recv(4096).decode("latin-1").split("\r\n", 1)[0]
        except OSError:  # TimeoutError included: no answer before the body's end
            return ""


def test_every_write_route_is_here():
    missing = [r for r in write_routes() if r not in SAMPLES]
    assert not missing, f"say in SAMPLES how to reach these routes: {missing}"


@pytest.mark.parametrize("method, route", marked([r for r in write_routes() if r not in ANONYMOUS_READS], READ_FIRST))
def test_an_anonymous_body_is_refused_before_it_is_read(server, method, route):
    url, _ = server
    target, kind, _ = SAMPLES[(method, route)]
    status = answer(url, method, target, kind, {})
    assert status.split(" ")[1:2] in (["401"], ["403"]), f"{method} {target}: {status or 'no answer'}"


@pytest.mark.parametrize("method, route", marked(write_routes(), READ_FIRST))
def test_a_signed_in_body_past_the_limit_is_refused_as_it_streams(server, method, route):
    """Signed in as an admin both ways (token and session cookie, and a login page's cookie), so that
    nothing but the size stops the body."""
    url, session = server
    target, kind, expected = SAMPLES[(method, route)]
    headers = {"Authorization": "Bearer t", "Cookie": f"pic_session={session}; pic_login_csrf=x"}
    status = answer(url, method, target, kind, headers)
    assert status.split(" ")[1:2] == [str(expected)], f"{method} {target}: {status or 'no answer'}"
