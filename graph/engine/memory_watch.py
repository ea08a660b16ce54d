"""A process stopped once it holds more memory than it may: the query engines and the updates' evaluation.

Why: one short query can make the engine build gigabytes (a 351-byte text of nested REPLACE or doubling
CONCAT reached 3.2 GB in 8 s, thirteenth outside re-test), and an update of 59 nested OPTIONALs took the
service to 22.7 GB before the kernel killed it. Neither engine stops on memory by itself.

Why resident memory read from /proc rather than a resource limit (RLIMIT_AS, RLIMIT_DATA): those count
address space, and each of the engine's answering threads reserves a 256 MiB stack
(`local.ENGINE_STACK_BYTES`) that it mostly never touches, so a limit that stops one hungry query would
also stop ten quiet concurrent ones. Read every `PERIOD` seconds, the watch overshoots by what the
process allocates in that time (~20 MB at the 400 MB/s measured).
"""

import contextlib
import os
import signal
import threading

PERIOD = 0.05  # seconds between two readings
EXIT_OVER_MEMORY = 75  # the watchdog's exit code when it stopped its engine for memory (`watchdog.py`)
_PAGE = os.sysconf("SC_PAGE_SIZE")


def resident_bytes(pid: int) -> int | None:
    """The process's resident memory, or None once it is gone (or where /proc is missing)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return None


class MemoryWatch:
    """`with MemoryWatch(pid, limit) as watch:` kills the process (SIGKILL) if its resident memory passes
    `limit` bytes while the block runs; `watch.exceeded` says whether it did."""

    def __init__(self, pid: int, limit: int):
        self.pid, self.limit = pid, limit
        self.exceeded = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True, name=f"memory-watch-{pid}")

    def __enter__(self) -> "MemoryWatch":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._done.wait(PERIOD):
            held = resident_bytes(self.pid)
            if held is None:
                return
            if held > self.limit:
                self.exceeded = True
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
                return
