"""HTTP/1.1 to the local query engine (`oxigraph serve` on 127.0.0.1): kept-alive connections, from
threads (pages, reports) and from the event loop (the query endpoints).

Why h11 over plain sockets rather than httpx: measured here, httpcore's async pool spent ~0.8 ms of
Python per request (httpx more), more than most saved queries take; h11 — the protocol library uvicorn
itself uses — over a socket or an asyncio stream costs ~0.2 ms. The answer is handed to a sink chunk by
chunk; a sink that has read enough (the row limit) raises, and the connection is closed, which stops the
engine's work on it.
"""

import asyncio
import select
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import h11

CHUNK = 65536


@dataclass
class Reply:
    status: int
    media_type: str


def _request(conn: h11.Connection, target: str, body: bytes | Path, headers: dict[str, str]) -> Iterator[bytes]:
    """The request's bytes; a file (a snapshot of the store: hundreds of MB) is read a piece at a time."""
    size = body.stat().st_size if isinstance(body, Path) else len(body)
    head = [("Host", "127.0.0.1"), ("Content-Length", str(size)), *headers.items()]
    yield conn.send(h11.Request(method="POST", target=target, headers=head))
    if isinstance(body, Path):
        with body.open("rb") as f:
            while piece := f.read(CHUNK * 16):
                yield conn.send(h11.Data(data=piece))
    else:
        yield conn.send(h11.Data(data=body))
    yield conn.send(h11.EndOfMessage())


def _handle(event, sink, reply: Reply | None) -> tuple[Reply | None, bool]:
    """One h11 event: (the reply once its head has come, whether the message is over)."""
    if isinstance(event, h11.Response):
        media = dict(event.headers).get(b"content-type", b"").decode("latin-1")
        return Reply(event.status_code, media), False
    if isinstance(event, h11.Data):
        sink(reply, event.data)
    return reply, isinstance(event, h11.EndOfMessage)


class EngineHttp:
    """POST to one local engine; idle connections are kept, one request per connection at a time.

    The engine drops a connection left idle past its time limit — answering it, unasked, with a 500
    ("Resource temporarily unavailable") — so a connection is kept for half that time at most, and one
    the engine has written to or closed meanwhile is not used again. The same sockets serve threads
    (blocking, with a timeout) and the event loop (`loop.sock_*`, nothing read ahead of the request).
    """

    def __init__(self, port: int, max_idle: float):
        self.port, self.max_idle = port, max_idle
        self._idle: list[tuple[float, socket.socket, h11.Connection]] = []
        self._lock = threading.Lock()

    def _kept(self) -> tuple[socket.socket, h11.Connection] | None:
        with self._lock:
            while self._idle:
                since, sock, conn = self._idle.pop()
                if time.monotonic() - since < self.max_idle and not select.select([sock], [], [], 0)[0]:
                    return sock, conn
                sock.close()  # too old, or the engine has spoken (its idle 500) or hung up
        return None

    def _keep(self, sock: socket.socket, conn: h11.Connection) -> None:
        if conn.our_state is h11.DONE and conn.their_state is h11.DONE:
            conn.start_next_cycle()
            with self._lock:
                self._idle.append((time.monotonic(), sock, conn))
        else:
            sock.close()

    def post(self, target: str, body: bytes | Path, headers: dict[str, str], sink, timeout: float) -> Reply:
        """Send a request from a thread; the answer's body goes to `sink(reply, chunk)`. TimeoutError past
        `timeout` seconds; whatever the sink raises stops the reading and is raised."""
        deadline = time.monotonic() + timeout
        kept = self._kept()
        if kept is not None:
            try:
                return self._exchange(*kept, target, body, headers, sink, deadline)
            except _Stale:
                pass  # the engine closed it just now: once more on a new connection
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            return self._exchange(sock, h11.Connection(h11.CLIENT), target, body, headers, sink, deadline)
        except _Stale as e:
            raise ConnectionError("the query engine closed the connection without answering") from e

    def _exchange(self, sock, conn, target, body, headers, sink, deadline) -> Reply:
        reply, done = None, False
        try:
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            for part in _request(conn, target, body, headers):
                sock.sendall(part)
            while not done:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    sock.settimeout(max(deadline - time.monotonic(), 0.001))
                    conn.receive_data(_received(sock.recv(CHUNK), reply))
                    continue
                reply, done = _handle(event, sink, reply)
        except BaseException as e:
            sock.close()
            if isinstance(e, (h11.RemoteProtocolError, ConnectionError)) and reply is None:
                raise _Stale from e
            raise
        self._keep(sock, conn)
        return reply

    async def post_async(self, target: str, body: bytes | Path, headers: dict[str, str], sink,
                         timeout: float) -> Reply:
        """The same from the event loop (TimeoutError past `timeout`)."""
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(timeout):
            kept = self._kept()
            if kept is not None:
                try:
                    return await self._exchange_async(loop, *kept, target, body, headers, sink)
                except _Stale:
                    pass
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                await loop.sock_connect(sock, ("127.0.0.1", self.port))
                return await self._exchange_async(loop, sock, h11.Connection(h11.CLIENT), target, body, headers,
                                                  sink)
            except _Stale as e:
                raise ConnectionError("the query engine closed the connection without answering") from e
            except BaseException:
                sock.close()
                raise

    async def _exchange_async(self, loop, sock, conn, target, body, headers, sink) -> Reply:
        reply, done = None, False
        try:
            sock.setblocking(False)
            for part in _request(conn, target, body, headers):
                await loop.sock_sendall(sock, part)
            while not done:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    conn.receive_data(_received(await loop.sock_recv(sock, CHUNK), reply))
                    continue
                reply, done = _handle(event, sink, reply)
        except BaseException as e:  # cancelled, timed out, or the sink has read enough: drop the connection
            sock.close()
            if isinstance(e, (h11.RemoteProtocolError, ConnectionError)) and reply is None:
                raise _Stale from e
            raise
        self._keep(sock, conn)
        return reply

    def close(self) -> None:
        with self._lock:
            for _, sock, _ in self._idle:
                sock.close()
            self._idle = []


def _received(data: bytes, reply: Reply | None) -> bytes:
    if not data and reply is None:
        raise _Stale  # closed before answering
    return data


class _Stale(Exception):
    """A kept connection the engine had closed (nothing of the answer was read): retry on a new one."""
