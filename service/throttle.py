"""Failed sign-ins counted per account and per address over a sliding window: past the limit, sign-in
is refused (429, with Retry-After) without looking at the password, so guessing stops working even when
the guess is right. A security test made 60 wrong guesses in 8 s, then signed in with the right one.

Kept in memory: a restart forgets the counts, which costs an attacker a restart they cannot cause."""

import threading
import time
from collections import defaultdict, deque


class Throttle:
    def __init__(self, per_account: int, per_address: int, window: float):
        self.limits = {"account": per_account, "address": per_address}
        self.window = window
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def wait(self, account: str, address: str) -> float:
        """Seconds before this account may try again from this address (0: now)."""
        now = time.monotonic()
        longest = 0.0
        with self._lock:
            for key in (("account", account.lower()), ("address", address)):
                failures = self._failures.get(key)
                if not failures:
                    continue
                while failures and failures[0] <= now - self.window:
                    failures.popleft()
                if len(failures) >= self.limits[key[0]]:
                    longest = max(longest, failures[0] + self.window - now)
        return longest

    def failed(self, account: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in (("account", account.lower()), ("address", address)):
                self._failures[key].append(now)

    def succeeded(self, account: str) -> None:
        with self._lock:
            self._failures.pop(("account", account.lower()), None)
