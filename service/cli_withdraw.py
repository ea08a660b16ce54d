"""`pic withdraw --org ORG` and `pic compact` (registered in cli.py): an organisation's data leaves the store
and its content the history (`graph/writes/withdrawal.py`); the store's files are rewritten without what
was deleted. Run with the service stopped; while it runs, use `POST /api/withdraw`."""

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


def compact():
    """Rewrite the embedded store's files with only what it holds now (service stopped): after a
    withdrawal or an erasure, what was deleted — down to the strings Oxigraph keeps — leaves the files,
    and the backups taken from then on."""
    from pic.graph.store.embedded import EmbeddedStore

    settings = Settings()
    if settings.store != "embedded":
        raise CliError("a remote store is compacted with its engine's own tools")
    store = EmbeddedStore(settings.data_dir)
    try:
        count = store.rebuild()
    finally:
        store.close()
    out.print(f"Rewrote the store: {count} statements")
