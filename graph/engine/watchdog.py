"""Runs one query engine and ends it when the service that started it goes, however it goes.

`python -m pic.graph.engine.watchdog oxigraph serve …` starts the engine and waits. The service holds the
write end of this process's standard input: when the service exits — or is killed with SIGKILL, which
runs no clean-up — the pipe closes, the read here returns, and the engine is killed. An engine left
running would hold every graph, private ones included, on an unauthenticated port (a test of kill -9
left ten of them, 363 MB each at 1M triples).

Why a pipe and not Linux's parent-death signal on the engine itself: the service starts engines from
thread-pool workers, and that signal fires when the *thread* that started the child exits, so engines
would die whenever the pool retired a worker. Here the signal is set only between this single-threaded
watchdog and its engine, where it is exact: the engine also dies if the watchdog is killed.
"""

import ctypes
import signal
import subprocess
import sys
import threading

PR_SET_PDEATHSIG = 1


def _die_with_watchdog() -> None:  # runs in the engine's process, before it starts
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def main(command: list[str]) -> int:
    engine = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, preexec_fn=_die_with_watchdog if sys.platform == "linux" else None
    )

    def watch_the_service() -> None:
        sys.stdin.buffer.read()  # returns when the service closes the pipe, or dies
        engine.kill()

    threading.Thread(target=watch_the_service, daemon=True).start()
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, lambda *_: engine.kill())
    return engine.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
