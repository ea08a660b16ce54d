"""Bodies are read with their limit as they stream in, and permission is checked before the body is read
(issue 16, finding 4): a chunked body past the limit is refused with a 413 without being held whole, an
anonymous update is refused before its body is looked at, and a text that is not UTF-8 is a 400."""

import asyncio
import socket

import httpx
import pytest
from starlette.requests import Request

from pic.service.bodies import limited_body
from pic.service.errors import HttpError


def raw_request(url: str, head: str, chunks: list[bytes]) -> str:
    """Send a chunked request over a plain socket (so nothing buffers it) and return the status line."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(head.encode())
        try:
            for chunk in chunks:
                s.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            s.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before the end: what we want
        return s.recv(4096).decode("latin-1").split("\r\n", 1)[0]


def test_a_chunked_query_past_the_limit_is_refused(live_server):
    head = (
        "POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    status = raw_request(live_server, head, [b"#" * 65536] * 16)  # 1 MiB, ten times the limit
    assert " 413 " in status, status


def test_a_declared_length_past_the_limit_is_refused_before_reading(live_server):
    with socket.create_connection(tuple(live_server.removeprefix("http://").split(":")), timeout=30) as s:
        s.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 300000000\r\n\r\nquery=ASK"
        )  # 300 MB announced, 9 bytes sent
        assert b" 413 " in s.recv(4096).split(b"\r\n", 1)[0]


def test_an_anonymous_update_is_refused_before_its_body(live_server):
    head = (
        "POST /update HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-update\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    status = raw_request(live_server, head, [b"#" * 65536] * 16)
    assert " 401 " in status or " 403 " in status, status


def test_a_query_that_is_not_utf8_is_a_400(live_server):
    r = httpx.post(
        f"{live_server}/sparql",
        content='ASK { ?s ?p "é" }'.encode("latin-1"),
        timeout=30,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert r.status_code == 400 and "UTF-8" in r.json()["error"]["message"], r.text


def test_a_client_that_leaves_mid_body_is_an_answered_400_not_a_traceback():
    """Fifteenth outside re-test: a multipart POST whose client closed the socket before the declared length
    logged "Exception in ASGI application" (Starlette's ClientDisconnect), which anyone who writes could
    repeat."""
    sent = [{"type": "http.request", "body": b"<urn:a> <urn:b> ", "more_body": True}, {"type": "http.disconnect"}]

    async def receive():
        return sent.pop(0)

    request = Request({"type": "http", "method": "POST", "headers": []}, receive)
    with pytest.raises(HttpError) as refused:
        asyncio.run(limited_body(request, 1000))
    assert refused.value.status == 400 and "left" in refused.value.message
