"""A full disk, told apart from other faults: a write it stops is refused cleanly (507), never a 500.

Why its own error: on a full disk the write path failed in three ways that each looked like a server fault
— the delta file could not be written, RocksDB refused the commit, or the search index failed *after*
the commit (a client that retried made duplicates). The write path turns the first two into `DiskFull`
(nothing was written) and keeps the third from failing the write (what follows a commit is repaired).

The engines do not say ENOSPC in `errno`: pyoxigraph raises `OSError("IO error: No space left on
device: …")` and SQLite `OperationalError("database or disk is full")`, so their messages are read too.
"""

import errno
import os
import sqlite3
from pathlib import Path

FULL_MESSAGES = ("No space left on device", "database or disk is full", "Disk quota exceeded")


class DiskFull(OSError):
    """Nothing was written, for lack of space on the data directory's disk; writes resume by themselves
    once space is freed."""

    def __init__(self, message: str):
        super().__init__(errno.ENOSPC, message)

    def __str__(self) -> str:
        assert self.strerror is not None  # set by __init__
        return self.strerror


def is_disk_full(error: BaseException | None) -> bool:
    """Whether `error`, or an error it was raised from, is a full disk (or an exceeded quota)."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(error, OSError | sqlite3.Error) and any(m in str(error) for m in FULL_MESSAGES):
            return True
        error = error.__cause__ or error.__context__
    return False


def free_bytes(path: Path) -> int:
    """Free space, for an unprivileged process, on the disk that holds `path` (or would: its first
    existing ancestor)."""
    path = Path(path).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def refusal(path: Path, minimum: int = 0) -> DiskFull:
    """The one-line error for a write refused on `path`'s disk."""
    free = free_bytes(path)
    wanted = f" (writes keep at least {minimum:,} bytes free: PIC_MIN_FREE_BYTES)" if minimum else ""
    return DiskFull(
        f"the data directory's disk is full: {free:,} bytes free{wanted}; nothing was written: "
        "free some space, then write again (no restart needed)"
    )


def check_free(path: Path, minimum: int) -> None:
    """Refuse a write before it starts when the disk has less than `minimum` bytes free (0: no check)."""
    if minimum and free_bytes(path) < minimum:
        raise refusal(path, minimum)
