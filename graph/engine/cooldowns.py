"""Senders whose query was being answered when a query engine stopped wait before they query again.

Why: a short query can make the engine build gigabytes until its memory watch stops it, or make it
crash (thirteenth outside re-test: 351 bytes reached 3.2 GB in 8 s). Each stop costs every reader a
reload of the copies; without a wait, one sender could cause one after another. Which of the queries in
flight did it cannot be told, so each of their senders waits (the platform's own queries have no sender
and never wait). A query that runs on past its time limit costs a reload too, but in the background
while the old copy answers, and a researcher's heavy query often does: it does not make its sender
wait. Kept in memory, like the sign-in throttle.
"""

import threading
import time

COOLDOWN = 300.0  # seconds a sender waits after an engine stopped while answering them


class SenderWaits(RuntimeError):
    """The sender's query was in flight when an engine stopped, a short while ago (429)."""

    def __init__(self, seconds: float):
        super().__init__(
            "a query engine stopped while answering one of your queries (too much memory, or a crash): "
            f"you may query again in {int(seconds) + 1} s"
        )
        self.seconds = int(seconds) + 1


class Cooldowns:
    def __init__(self, seconds: float = COOLDOWN):
        self.seconds = seconds
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def stopped(self, sender: str | None) -> None:
        """An engine stopped while answering this sender."""
        if sender is not None:
            with self._lock:
                self._until[sender] = time.monotonic() + self.seconds

    def check(self, sender: str | None) -> None:
        """Raise `SenderWaits` while the sender must wait."""
        if sender is None:
            return
        with self._lock:
            until = self._until.get(sender)
            if until is not None and until <= time.monotonic():
                del self._until[sender]
                until = None
        if until is not None:
            raise SenderWaits(until - time.monotonic())
