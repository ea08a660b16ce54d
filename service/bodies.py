"""Request bodies read with a limit, as they stream in: a client that sends more than the limit (chunked,
or with a false Content-Length) is refused with a 413 once the limit is passed, never held whole in
memory first. A security test sent 300 MB to `/sparql` and took the server from 308 MB to 1.2 GB.

The routes that read a body say who may write before calling these (permission first, then the body):
a route that declares its body as FastAPI parameters (`Body()`, `Form()`, `File()`) has it read whole
before its code runs, so the writing routes read theirs here instead.
"""

import json
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from email.message import Message
from urllib.parse import parse_qsl

from fastapi import Request
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect

from pic.graph.store.parsing import MAX_JSON_DEPTH, json_depth
from pic.service.errors import HttpError

FORM_FRAMING = 64 * 1024
"""What a multipart upload may carry beyond its file: boundaries, part headers, small fields (csrf,
kind, org)."""
FIELD_BYTES = 16 * 1024
"""Largest text field of a multipart form."""


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def limited_stream(
    request: Request, limit: int, too_long: str | None = None, field: str | None = None
) -> AsyncGenerator[bytes, None]:
    """The body's chunks; a 413 (`too_long`, or a message saying the limit) as soon as they pass
    `limit` bytes, or before any is read when the declared Content-Length does."""
    refusal = HttpError(413, too_long or f"the request body is longer than {limit} bytes", field=field)
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise refusal
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise refusal
            yield chunk
    except ClientDisconnect:  # an answer nobody reads, not a traceback in the log (fifteenth outside re-test)
        raise HttpError(400, "the client left before the body's end: nothing was written") from None


async def limited_body(request: Request, limit: int) -> bytes:
    return b"".join([chunk async for chunk in limited_stream(request, limit)])


def utf8(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise HttpError(400, f"the {what} is not UTF-8 (byte {e.start})") from None


async def limited_form(request: Request, limit: int) -> dict[str, list[str]]:
    """An `application/x-www-form-urlencoded` body, read with the limit: every value of every field."""
    fields: dict[str, list[str]] = {}
    text = utf8(await limited_body(request, limit), "form")
    try:  # a percent-encoded byte that is not UTF-8 is refused too, never stored as U+FFFD
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise HttpError(400, f"a form field is not UTF-8 once percent-decoded (byte {e.start})") from None
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    return fields


def strict_query_string(request: Request) -> None:
    """400 when the URL's query string holds a percent-encoded byte that is not UTF-8 (Starlette would
    read it as U+FFFD)."""
    try:
        parse_qsl(request.url.query, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise HttpError(400, f"a URL parameter is not UTF-8 once percent-decoded (byte {e.start})") from None


async def limited_json(request: Request, limit: int, what: str = "JSON"):
    """A JSON body read with the limit; 400 if it is not JSON (in UTF-8)."""
    raw = await limited_body(request, limit)
    try:
        data = json.loads(raw)
        json.dumps(data, ensure_ascii=False).encode("utf-8")  # a "\ud800" escape names no character
    except ValueError as e:  # UnicodeDecodeError and UnicodeEncodeError included
        raise HttpError(400, f"not {what}: {e}", field="body") from None
    except RecursionError:  # 50,000 nested objects: a 500 before (tenth outside re-test, finding 6)
        raise HttpError(400, f"not {what}: nested too deep", field="body") from None
    if json_depth(data) > MAX_JSON_DEPTH:
        raise HttpError(400, f"not {what}: nested deeper than {MAX_JSON_DEPTH} levels", field="body")
    return data


async def limited_object(request: Request, limit: int) -> dict:
    """A JSON object (`{"field": value, …}`) read with the limit; 422 for other JSON."""
    data = await limited_json(request, limit)
    if not isinstance(data, dict):
        raise HttpError(422, 'send a JSON object: {"field": "value", …}', field="body")
    return data


async def limited_fields(request: Request, limit: int) -> dict[str, str]:
    """A form's text fields, URL-encoded or multipart (files refused), read with the limit; the last
    value of a repeated field. Another media type is an empty form, its body unread (as Starlette does)."""
    media = media_type(request)
    if media == "application/x-www-form-urlencoded":
        return {name: values[-1] for name, values in (await limited_form(request, limit)).items()}
    if media == "multipart/form-data":
        async with limited_multipart(request, limit, max_files=0) as form:
            return {name: value for name, value in form.items() if isinstance(value, str)}
    return {}


TAIL = 256  # bytes of a form's end kept to find its closing boundary (RFC 2046 allows 70 characters)


def _boundary(request: Request) -> str:
    """The multipart boundary the Content-Type names (read by the standard library's header parser)."""
    header = Message()
    header["content-type"] = request.headers.get("content-type", "")
    boundary = header.get_param("boundary")
    return boundary if isinstance(boundary, str) else ""


@asynccontextmanager
async def limited_multipart(
    request: Request, limit: int, *, max_files: int, too_long: str | None = None, field: str | None = None
) -> AsyncIterator[FormData]:
    """A `multipart/form-data` body read with the limit (files spooled to disk past 1 MB by Starlette),
    at most `max_files` files and 50 text fields of `FIELD_BYTES`; the files are closed afterwards."""
    if media_type(request) != "multipart/form-data":
        raise HttpError(415, "send the form as multipart/form-data", field="content-type")
    tail = bytearray()

    async def kept_tail() -> AsyncGenerator[bytes, None]:
        async for chunk in limited_stream(request, limit, too_long, field):
            tail.extend(chunk)
            del tail[:-TAIL]
            yield chunk

    parser = MultiPartParser(
        request.headers, kept_tail(), max_files=max_files, max_fields=50, max_part_size=FIELD_BYTES
    )
    try:
        form = await parser.parse()
    except MultiPartException as e:
        raise HttpError(400, e.message) from None
    closing = b"--" + _boundary(request).encode("latin-1") + b"--"
    if not bytes(tail).rstrip(b"\r\n\t ").endswith(closing):
        # A body cut before its closing boundary: the parser returns the parts it finished (none, when
        # the last was cut), and a Graph Store POST answered 204 with nothing written (fourteenth outside
        # re-test). The part it had begun is left open: closed here.
        await form.close()
        for started in getattr(parser, "_files_to_close_on_error", []):
            started.close()
        raise HttpError(400, f"the form ends before its closing boundary ({closing.decode('latin-1')}): was it cut?")
    try:
        yield form
    finally:
        await form.close()


async def limited_upload(request: Request, limit: int, field: str = "file") -> tuple[str | None, bytes, dict[str, str]]:
    """A multipart form carrying one file (`field`) of at most `limit` bytes, and small text fields:
    (the file's name, its bytes, the text fields). 413 as soon as the body passes the limit (plus the
    form's framing)."""
    too_long = f"the file is larger than {limit} bytes"
    async with limited_multipart(request, limit + FORM_FRAMING, max_files=1, too_long=too_long, field=field) as form:
        upload = form.get(field)
        if not isinstance(upload, UploadFile):
            raise HttpError(422, f"send the file as the form's `{field}` field", field=field)
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise HttpError(413, too_long, field=field)
        return upload.filename, data, {name: value for name, value in form.items() if isinstance(value, str)}


def upload_openapi(fields: tuple[str, ...] = ()) -> dict:
    """The OpenAPI request body of a route that reads its multipart upload itself (FastAPI cannot see
    it): the `file`, and the text `fields`."""
    properties = {"file": {"type": "string", "format": "binary"}} | {f: {"type": "string"} for f in fields}
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {"schema": {"type": "object", "properties": properties, "required": ["file"]}}
            },
        }
    }


def form_openapi(fields: tuple[str, ...]) -> dict:
    """The OpenAPI request body of a route that reads its URL-encoded form itself."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {"type": "object", "properties": {f: {"type": "string"} for f in fields}}
                }
            },
        }
    }


def json_openapi(description: str) -> dict:
    """The OpenAPI request body of a route that reads its JSON object itself."""
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    }
