"""Study documents: upload (`POST /api/studies/{key}/documents`, or the study page's form), removal
(`DELETE /api/studies/{key}/documents/{id}`), download (`/id/document/{id}/file`, as the graph's
`dcat:downloadURL` says) and extracted text (`/id/document/{id}/text`, what search indexes and
annotations anchor to). A document is readable by
whoever may read the graph that describes it: a private study's files stay private."""

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse
from pyoxigraph import NamedNode

from pic.graph.access import NotAllowed
from pic.graph.contributions.documents import DocumentError, attach, described, detach, file_of, stored_text
from pic.graph.said import message_of
from pic.graph.settings import Settings
from pic.graph.writes.path import Writer
from pic.service.auth import check_csrf, check_write_csrf, current_user, form_session, require_writer
from pic.service.bodies import limited_upload, upload_openapi
from pic.service.deps import ReaderDep, ReadLogDep, SettingsDep, UserDep, WriterDep
from pic.service.entities import solutions
from pic.service.errors import HttpError, checked_iri
from pic.service.pages import ReadersStore
from pic.service.read_log import item_read

router = APIRouter(tags=["Documents"])


async def receive(settings: Settings, writer: Writer, key: str, user, filename: str | None, data: bytes):
    study = NamedNode(checked_iri(f"{settings.base_iri}study/{key}", 404, f"no study {key!r}"))
    try:
        return await run_in_threadpool(
            attach,
            writer,
            settings.documents_dir,
            study,
            filename or "document",
            data,
            user,
            settings.max_document_bytes,
        )
    except DocumentError as e:
        raise HttpError(415 if "is a PDF" in str(e) else 400, message_of(e), field="file") from None
    except LookupError as e:
        raise HttpError(404, str(e)) from None
    except NotAllowed as e:
        raise HttpError(403, f"only the study's organisation may add its documents ({e})") from None


@router.post(
    "/api/studies/{key}/documents",
    status_code=201,
    summary="Déposer un document / Upload a document",
    openapi_extra=upload_openapi(),
)
async def upload(request: Request, settings: SettingsDep, writer: WriterDep, key: str):
    """A PDF, DOCX or ODT file for the study, as the multipart field `file` (size-limited); 201 with the
    document's IRI and checksum. With the session cookie instead of a token, the session's CSRF token
    comes along in the `X-CSRF-Token` header."""
    user = current_user(request)
    require_writer(user)
    check_write_csrf(request)  # both before the body is read
    filename, data, _ = await limited_upload(request, settings.max_document_bytes)
    done = await receive(settings, writer, key, user, filename, data)
    page = "/id/" + done.document.value[len(settings.base_iri) :]
    return JSONResponse(
        {
            "document": done.document.value,
            "sha256": done.sha256,
            "media_type": done.media_type,
            "bytes": done.size,
            "text_characters": done.text_chars,
            "file": f"{page}/file",
            "text": f"{page}/text",
        },
        201,
        headers={"Location": page},
    )


@router.post(
    "/studies/{key}/documents",
    summary="Déposer un document (formulaire) / Upload a document (form)",
    openapi_extra=upload_openapi(("csrf",)),
)
async def upload_form(request: Request, settings: SettingsDep, writer: WriterDep, key: str):
    user = form_session(request).user  # before the body is read
    require_writer(user)
    filename, data, fields = await limited_upload(request, settings.max_document_bytes)
    check_csrf(request, fields.get("csrf"))
    await receive(settings, writer, key, user, filename, data)
    return RedirectResponse(f"/id/study/{key}#section-documents", status_code=303)


@router.delete(
    "/api/studies/{key}/documents/{document_id}", status_code=204, summary="Retirer un document / Remove a document"
)
async def remove(request: Request, settings: SettingsDep, writer: WriterDep, key: str, document_id: str):
    """Remove the document from the study (its organisation, facilitators for public graphs, admins):
    the study's `dcat:distribution` and the document's description go, through the write path, and its
    file once no other study has it. The Graph Store keeps documents' descriptions and does not delete a
    graph that holds them; this is their way out. With the session cookie, the `X-CSRF-Token` header."""
    user = current_user(request)
    require_writer(user)
    check_write_csrf(request)
    missing = f"study {key!r} has no document {document_id!r}"
    study = NamedNode(checked_iri(f"{settings.base_iri}study/{key}", 404, missing))
    document = NamedNode(checked_iri(f"{settings.base_iri}document/{document_id}", 404, missing))
    try:
        await run_in_threadpool(detach, writer, settings.documents_dir, study, document, user)
    except LookupError:
        raise HttpError(404, missing) from None
    except NotAllowed as e:
        raise HttpError(403, f"only the study's organisation may remove its documents ({e})") from None
    return Response(status_code=204)


def readable_checksum(view: ReadersStore, settings: Settings, document_id: str) -> tuple[str, str]:
    """(checksum, file name) of a document the reader may read; 404 otherwise."""
    iri = checked_iri(f"{settings.base_iri}document/{document_id}", 404, f"no document {document_id!r}")
    found = described(lambda query: solutions(view, query), iri)
    if found is None:
        raise HttpError(404, f"no document {document_id}")
    return found[0], found[1] or document_id


@router.get("/id/document/{document_id}/file", summary="Télécharger un document / Download a document")
def download(view: ReaderDep, settings: SettingsDep, user: UserDep, read_log: ReadLogDep, document_id: str):
    sha, title = readable_checksum(view, settings, document_id)
    item_read(read_log, user, view, f"{settings.base_iri}document/{document_id}", "document file")
    found = file_of(settings.documents_dir, sha)
    if found is None:
        raise HttpError(404, "the document's file is missing from this deployment")
    path, media = found
    name = title if title.endswith(path.suffix) else f"{title}{path.suffix}"
    return FileResponse(path, media_type=media, filename=name, headers={"ETag": f'"{sha}"'})


@router.get("/id/document/{document_id}/text", summary="Texte d'un document / A document's text")
def text(view: ReaderDep, settings: SettingsDep, document_id: str):
    sha, _ = readable_checksum(view, settings, document_id)
    found = stored_text(settings.documents_dir, sha)
    if found is None:
        raise HttpError(404, "the document's text is missing from this deployment")
    return PlainTextResponse(found, headers={"ETag": f'"{sha}"'})
