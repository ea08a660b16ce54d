"""One SQLite connection per operation, for the side files (accounts, search index).

`with sqlite3.connect(...)` only ends the transaction; the connection stays open until the collector
finds it, and under load the open files pile up. Here it is committed (or rolled back) and closed.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def transaction(path: Path, *pragmas: str) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(path, check_same_thread=False)
    try:
        for pragma in pragmas:
            db.execute(f"PRAGMA {pragma}")
        with db:
            yield db
    finally:
        db.close()
