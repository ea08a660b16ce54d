"""A file written whole or not at all: into `{name}.part` beside it, then renamed over it. A reader never
sees half a file, and a write that fails — a full disk, a killed process mid-way — leaves the old file
as it was and no `.part` behind (backups skip any `.part` a kill leaves: `installation/backup.py`)."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def part_of(path: Path) -> Path:
    return path.with_name(path.name + ".part")


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A binary file to write `path`'s new content into; it replaces `path` when the block ends well."""
    part = part_of(path)
    try:
        with part.open("wb") as f:
            yield f
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
