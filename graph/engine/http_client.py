"""HTTP/1.1 to the local query engine (`oxigraph serve` on 127.0.0.1): kept-alive connections, from
threads (pages, reports) and from the event loop (the query endpoints).

Why not httpx: measured here, httpcore's async pool spent ~0.8 ms of Python per request (httpx more),
more than most saved queries take. The request is a few fixed lines; the answer is read by httptools,
the C parser uvicorn itself uses (h11, tried first, spent ~0.2 ms a request in Python). The answer's
body is handed to a sink piece by piece; a sink that has read enough (the row limit) raises, and the
connection is closed, which stops the engine's work on it.
"""

import asyncio
import contextlib
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httptools

CHUNK = 65536


@dataclass
class Reply:
    status: int
    media_type: str


# What receives an answer's body, a piece at a time, with the reply's status and media type.
Sink = Callable[[Reply, bytes], None]


def _request(target: str, body: bytes | Path, headers: dict[str, str]) -> Iterator[bytes]:
    """The request's bytes; a file (a snapshot of the store: hundreds of MB) is read a piece at a time."""
    size = body.stat().st_size if isinstance(body, Path) else len(body)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    yield f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {size}\r\n{head}\r\n".encode("latin-1")
    if isinstance(body, Path):
        with body.open("rb") as f:
            while piece := f.read(CHUNK * 16):
                yield piece
    else:
        yield body


class _Response:
    """The parser's callbacks: the status and media type, the body pieces as they come, the end."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.reply: Reply | None = None
        self.pieces: list[bytes] = []
        self.media, self.done, self.keep_alive = "", False, False

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"content-type":
            self.media = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        self.reply = Reply(self.parser.get_status_code(), self.media)

    def on_body(self, body: bytes) -> None:
        self.pieces.append(body)

    def on_message_complete(self) -> None:
        self.done = True
        self.keep_alive = self.parser.should_keep_alive()  # only known here: the parser resets after

    def feed(self, data: bytes, sink: Sink) -> None:
        """Parse what came; the sink gets the body pieces outside the parser (its exceptions stay its own)."""
        if not data:
            raise _Stale if self.reply is None else ConnectionError("the query engine closed the connection")
        self.parser.feed_data(data)
        pieces, self.pieces = self.pieces, []
        for piece in pieces:
            assert self.reply is not None  # the parser calls on_headers_complete before on_body
            sink(self.reply, piece)


class EngineHttp:
    """POST to one local engine; idle connections are kept, one request per connection at a time.

    The engine drops a connection left idle past its time limit — answering it, unasked, with a 500
    ("Resource temporarily unavailable") — so a connection is kept for half that time at most, and one
    the engine has written to or closed meanwhile is not used again. The same sockets serve threads
    (blocking, with a timeout) and the event loop (`loop.sock_*`, nothing read ahead of the request).
    """

    def __init__(self, port: int, max_idle: float):
        self.port, self.max_idle = port, max_idle
        self._idle: list[tuple[float, socket.socket]] = []
        self._lock = threading.Lock()

    def _kept(self) -> socket.socket | None:
        with self._lock:
            while self._idle:
                since, sock = self._idle.pop()
                if time.monotonic() - since < self.max_idle and not select.select([sock], [], [], 0)[0]:
                    return sock
                sock.close()  # too old, or the engine has spoken (its idle 500) or hung up
        return None

    def _keep(self, sock: socket.socket, response: _Response) -> None:
        if response.keep_alive:
            with self._lock:
                self._idle.append((time.monotonic(), sock))
        else:
            sock.close()

    def post(self, target: str, body: bytes | Path, headers: dict[str, str], sink: Sink, timeout: float) -> Reply:
        """Send a request from a thread; the answer's body goes to `sink(reply, piece)`. TimeoutError past
        `timeout` seconds; whatever the sink raises stops the reading and is raised."""
        deadline = time.monotonic() + timeout
        kept = self._kept()
        if kept is not None:
            try:
                return self._exchange(kept, target, body, headers, sink, deadline)
            except _Stale:
                pass  # the engine closed it just now: once more on a new connection
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            return self._exchange(sock, target, body, headers, sink, deadline)
        except _Stale as e:
            raise ConnectionError("the query engine closed the connection without answering") from e

    def _exchange(
        self, sock: socket.socket, target: str, body: bytes | Path, headers: dict[str, str], sink: Sink, deadline: float
    ) -> Reply:
        response = _Response()
        with _dropped_on_failure(sock, response):
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            for part in _request(target, body, headers):
                sock.sendall(part)
            while not response.done:
                sock.settimeout(max(deadline - time.monotonic(), 0.001))
                response.feed(sock.recv(CHUNK), sink)
        self._keep(sock, response)
        assert response.reply is not None  # done: the headers came first
        return response.reply

    async def post_async(
        self, target: str, body: bytes | Path, headers: dict[str, str], sink: Sink, timeout: float
    ) -> Reply:
        """The same from the event loop (TimeoutError past `timeout`)."""
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(timeout):
            kept = self._kept()
            if kept is not None:
                try:
                    return await self._exchange_async(loop, kept, target, body, headers, sink)
                except _Stale:
                    pass
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                await loop.sock_connect(sock, ("127.0.0.1", self.port))
                return await self._exchange_async(loop, sock, target, body, headers, sink)
            except _Stale as e:
                raise ConnectionError("the query engine closed the connection without answering") from e
            except BaseException:
                sock.close()
                raise

    async def _exchange_async(
        self,
        loop: asyncio.AbstractEventLoop,
        sock: socket.socket,
        target: str,
        body: bytes | Path,
        headers: dict[str, str],
        sink: Sink,
    ) -> Reply:
        response = _Response()
        with _dropped_on_failure(sock, response):
            sock.setblocking(False)
            for part in _request(target, body, headers):
                await loop.sock_sendall(sock, part)
            while not response.done:
                response.feed(await loop.sock_recv(sock, CHUNK), sink)
        self._keep(sock, response)
        assert response.reply is not None  # done: the headers came first
        return response.reply

    def close(self) -> None:
        with self._lock:
            for _, sock in self._idle:
                sock.close()
            self._idle = []


@contextlib.contextmanager
def _dropped_on_failure(sock: socket.socket, response: _Response) -> Iterator[None]:
    """Whatever stops an exchange (an error, a timeout, a cancelled request, a sink that has read enough)
    closes its connection; one that ended before the answer began was stale: the caller retries."""
    try:
        yield
    except BaseException as e:
        sock.close()
        if isinstance(e, ConnectionError) and response.reply is None:
            raise _Stale from e
        raise


class _Stale(Exception):
    """A kept connection the engine had closed (nothing of the answer was read): retry on a new one."""
