"""What every `pic` command shares: the one-line error, the consoles, the local operator, the writer."""

import getpass

from rich.console import Console

from pic.graph.access import User
from pic.graph.settings import Settings
from pic.graph.store.disk_space import is_disk_full
from pic.graph.writes.path import Writer

err = Console(stderr=True)
out = Console()


class CliError(Exception):
    """Shown as one `Error:` line."""


def local_user() -> User:
    return User(f"local-{getpass.getuser()}", role="admin")


def open_writer(settings: Settings) -> Writer:
    """The data folder's writer (`graph/writes/factory.py`: the same as the service's, with the search
    index following each write), or one clear line when the store cannot be opened."""
    from pic.graph.writes import factory

    try:
        return factory.open_writer(settings)
    except OSError as e:
        if is_disk_full(e):
            raise CliError(
                f"cannot open the store in {settings.data_dir}: its disk is full ({e}); free some space and try again"
            ) from None
        raise CliError(f"cannot open the store in {settings.data_dir}: {e} (is `pic serve` running on it?)") from None
