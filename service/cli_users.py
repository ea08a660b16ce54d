"""`pic user …`: accounts of partner organisations, their roles and API tokens (service/accounts.py)."""

import sys
from typing import Annotated

import typer
from rich.table import Table

from pic.graph.settings import Settings
from pic.service.cli_common import CliError, err, out

users = typer.Typer(help="Accounts: users of partner organisations, their roles and API tokens.", no_args_is_help=True)


def open_accounts(settings: Settings):
    from pic.service.accounts import Accounts

    return Accounts(settings.data_dir / "accounts.sqlite")


@users.command("add")
def user_add(
    name: str,
    role: Annotated[str, typer.Option(help="partner, facilitator or admin.")] = "partner",
    org: Annotated[str | None, typer.Option(help="The organisation's slug (graph/partner/SLUG).")] = None,
    password: Annotated[str | None, typer.Option(help="Asked for when not given (never echoed).")] = None,
):
    """Add a user (password for browser sign-in; programs use `pic user token`)."""
    from pic.service.accounts import AccountError, check_new_user

    try:
        check_new_user(name, role, org)
    except AccountError as e:
        raise CliError(str(e)) from None
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        open_accounts(Settings()).add(name, role, org, password)
    except AccountError as e:
        raise CliError(str(e)) from None
    err.print(f"Added {name} ({role}{', ' + org if org else ''})")


@users.command("list")
def user_list():
    """The users, their role, organisation, state and number of API tokens."""
    table = Table("name", "role", "org", "disabled", "tokens")
    for u in open_accounts(Settings()).users():
        table.add_row(u["name"], u["role"], u["org"] or "", "yes" if u["disabled"] else "", str(u["tokens"]))
    out.print(table)


@users.command("disable")
def user_disable(name: str):
    """Disable a user: sessions end, tokens stop working; the history keeps their name."""
    from pic.service.accounts import AccountError

    try:
        open_accounts(Settings()).disable(name)
    except AccountError as e:
        raise CliError(str(e)) from None
    err.print(f"Disabled {name}")


@users.command("token")
def user_token(name: str, label: Annotated[str, typer.Option(help="What the token is for.")] = ""):
    """Create an API token for a user and print it once (only its hash is kept)."""
    from pic.service.accounts import AccountError

    try:
        token = open_accounts(Settings()).new_token(name, label)
    except AccountError as e:
        raise CliError(str(e)) from None
    sys.stdout.write(token + "\n")


@users.command("erase")
def user_erase(name: str, yes: Annotated[bool, typer.Option("--yes", help="Confirm: it cannot be undone.")] = False):
    """Erase a person (GDPR art. 17): the account goes, and its name is replaced by a pseudonym in the
    store, the history's files, the read log and the search index. Run with the service stopped; while it
    runs, an admin uses POST /api/accounts/{name}/erase."""
    from pic.graph.writes import erasure
    from pic.service.cli_common import local_user, open_writer
    from pic.service.read_log import ReadLog

    if not yes:
        raise CliError("an erasure cannot be undone: add --yes")
    settings = Settings()
    accounts = open_accounts(settings)
    if not any(u["name"] == name for u in accounts.users()):
        raise CliError(f"no user {name!r}")
    done = erasure.erase(open_writer(settings), name, local_user())
    ReadLog(settings.data_dir / "read-log.sqlite", settings.read_log_days, settings.names).erase(name, done.pseudonym)
    accounts.erase(name)
    out.print(f"Erased {name}: now {done.pseudonym} in {done.statements} statements and {done.deltas} history files")
