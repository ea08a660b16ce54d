"""Repair after a fault without waiting for the next write: the service recovers by itself once space is back.

On a full disk, RocksDB refuses every write until the store is reopened, and what follows a commit (the
search index, the query copies) may have failed after it (`Writer.behind`). A write repairs both before it
starts (issue 17: before, every write failed until a restart), but the search index would stay behind the
store until someone writes, and `/health` would go on saying so. So a thread looks every few seconds
and, when something is to repair and the disk has room again, calls `Writer.catch_up`.
"""

import logging
import threading

from pic.graph.store.disk_space import free_bytes

EVERY = 2.0  # seconds between looks; a look with nothing to repair reads two attributes
log = logging.getLogger(__name__)


def needs_repair(writer) -> bool:
    return bool(writer.behind) or getattr(writer.store, "write_error", None) is not None


class Recovery:
    """`start` with the service, `close` with it."""

    def __init__(self, writer, data_dir, min_free_bytes: int, every: float = EVERY):
        self.writer, self.data_dir, self.min_free_bytes, self.every = writer, data_dir, min_free_bytes, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pic-recovery", daemon=True)

    def start(self) -> "Recovery":
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            if not needs_repair(self.writer) or free_bytes(self.data_dir) < max(self.min_free_bytes, 1):
                continue
            try:
                self.writer.catch_up()
            except Exception as e:  # still failing (the disk filled again): the next look tries again
                log.warning("repair after a failed write did not succeed yet: %s", e)
            else:
                if not needs_repair(self.writer):
                    log.warning("repaired: the store takes writes and its followers caught up")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)
