"""`pic withdraw --org ORG` (registered in cli.py): an organisation's data leaves the store and its content
the history (`graph/writes/withdrawal.py`). Run with the service stopped; while it runs, use
`POST /api/withdraw`."""

from typing import Annotated

import typer

from pic.graph.settings import Settings
from pic.graph.writes import withdrawal
from pic.service.cli_common import CliError, err, local_user, open_writer, out


def withdraw(
    org: Annotated[str, typer.Option(help="The organisation whose data is withdrawn (its slug).")],
    graph: Annotated[list[str] | None, typer.Option(help="One of its graphs (IRI); repeat it. Default: all.")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: a withdrawal cannot be undone.")] = False,
):
    """Withdraw an organisation's data: out of the store, its content out of the history (not out of
    backups taken before, which keep it until they are rotated out)."""
    if not yes:
        raise CliError("a withdrawal cannot be undone: add --yes")
    settings = Settings()
    writer = open_writer(settings)
    try:
        done = withdrawal.withdraw(writer, org, local_user(), settings.documents_dir, graph or None)
    except LookupError as e:
        raise CliError(str(e)) from None
    out.print(
        f"Withdrew {done.triples} triples of {org} from {len(done.graphs)} graphs (change {done.change.value}); "
        f"the history forgot the content of {done.records} changes"
    )
    err.print(f"{done.deltas_deleted} delta files deleted, {done.deltas_rewritten} rewritten")
