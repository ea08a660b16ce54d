"""An organisation's data as one archive (issue 20 §6, portability): its members download it, admins
name the organisation; `pic load` reads it into another installation (`graph/installation/org_export.py`)."""

from datetime import date

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from pic.graph.access import NotAllowed
from pic.graph.contributions.forms import SLUG
from pic.graph.installation import org_export
from pic.graph.writes import erasure, withdrawal
from pic.service.auth import check_write_csrf, require_admin, require_writer
from pic.service.bodies import limited_object
from pic.service.deps import AccountsDep, ReadLogDep, SettingsDep, UserDep, WriterDep
from pic.service.errors import HttpError

router = APIRouter(tags=["organisation data"])


@router.get(
    "/api/export",
    summary="Exporter les données de mon organisation / Export my organisation's data",
    response_class=Response,
    responses={200: {"content": {"application/gzip": {}}, "description": "the archive (tar.gz)"}},
)
async def export(user: UserDep, settings: SettingsDep, writer: WriterDep, org: str | None = None):
    """A `tar.gz` of the organisation's graphs (its audiences' authorizations with them), documents,
    change records and their deltas, with a manifest of checksums. A member exports their own
    organisation's; an admin names one (`?org=`)."""
    require_writer(user)
    if org is not None and org != user.org and user.role != "admin":
        raise HttpError(403, "a member exports their own organisation's data only", field="org")
    org = org or user.org
    if not org:
        raise HttpError(400, "name the organisation (?org=): this account belongs to none", field="org")
    if not SLUG.match(org):
        raise HttpError(422, "an organisation is named by its identifier: letters, digits and '-'", field="org")

    def exported() -> bytes:
        with writer.lock:  # one state of the store, its history and documents
            return org_export.export(writer.store, writer.names, org, settings.documents_dir, settings.history_dir)

    archive = await run_in_threadpool(exported)
    name = f"pic-{org}-{date.today().isoformat()}.tar.gz"
    return Response(
        archive, media_type="application/gzip", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.post("/api/withdraw", summary="Retirer les données de mon organisation / Withdraw my organisation's data")
async def withdraw(request: Request, user: UserDep, settings: SettingsDep, writer: WriterDep, read_log: ReadLogDep):
    """JSON `{"confirm": "{org}", "graphs": [IRI, …]}` (`graphs` left out: all the organisation's own
    graphs; admins add `"org"`). The graphs leave the store in one write; the history keeps that the
    withdrawal happened — who, when, which graphs, how many triples — and forgets the content (delta
    files deleted or rewritten, records stripped of what named it). Backups taken before keep it until
    they are rotated out (README, "Data protection")."""
    require_writer(user)
    check_write_csrf(request)
    body = await limited_object(request, settings.max_form_bytes)
    org = body.get("org") or user.org
    graphs = body.get("graphs")
    if not isinstance(org, str) or not org:
        raise HttpError(400, 'name the organisation ("org"): this account belongs to none', field="org")
    if graphs is not None and (not isinstance(graphs, list) or not all(isinstance(g, str) for g in graphs)):
        raise HttpError(422, '"graphs" is a list of graph IRIs', field="graphs")
    if org != user.org and user.role != "admin":
        raise HttpError(403, f"{user.name} may withdraw their own organisation's data only ({user.org})", field="org")
    if body.get("confirm") != org:
        raise HttpError(422, f'a withdrawal cannot be undone: confirm it with "confirm": "{org}"', field="confirm")
    try:
        done = await run_in_threadpool(withdrawal.withdraw, writer, org, user, settings.documents_dir, graphs)
    except NotAllowed as e:
        raise HttpError(403, str(e)) from None
    except LookupError as e:
        raise HttpError(404, str(e)) from None
    await run_in_threadpool(read_log.forget, org, done.graphs, graphs is None)
    return {
        "change": done.change.value,
        "graphs": done.graphs,
        "triples": done.triples,
        "records_forgotten": done.records,
        "deltas_deleted": done.deltas_deleted,
        "deltas_rewritten": done.deltas_rewritten,
    }


@router.post("/api/accounts/{name}/erase", summary="Effacer une personne / Erase a person (admins)")
async def erase_person(
    request: Request,
    name: str,
    user: UserDep,
    settings: SettingsDep,
    writer: WriterDep,
    accounts: AccountsDep,
    read_log: ReadLogDep,
):
    """JSON `{"confirm": "{name}"}`. The account, its tokens and sessions are deleted; its name is replaced
    by a pseudonym (`user/erased-…`, "compte supprimé") in the store — change records, annotations,
    moderation — in the history's delta files, the read log and the search index. What it wrote for its
    organisation stays, the organisation's."""
    require_admin(user)
    check_write_csrf(request)
    body = await limited_object(request, settings.max_form_bytes)
    if body.get("confirm") != name:
        raise HttpError(422, f'an erasure cannot be undone: confirm it with "confirm": "{name}"', field="confirm")
    if not any(u["name"] == name for u in accounts.users()):
        raise HttpError(404, f"no user {name!r}")
    done = await run_in_threadpool(erasure.erase, writer, name, user)  # the graph first: it can fail
    await run_in_threadpool(read_log.erase, name, done.pseudonym)
    was = await run_in_threadpool(accounts.erase, name)
    return {"pseudonym": done.pseudonym, "org": was["org"], "statements": done.statements, "deltas": done.deltas}
