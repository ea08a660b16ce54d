"""Runs one query engine and ends it when the service that started it goes, however it goes.

`python -m pic.graph.engine.watchdog [--memory-bytes N] oxigraph serve …` starts the engine and waits; with
`--memory-bytes`, it stops the engine once its resident memory passes N bytes (`memory_watch.py`) and exits
with `EXIT_OVER_MEMORY`, which the service reads as the reason. The service holds the
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
import os
import signal
import subprocess
import sys
import threading

from pic.graph.engine.memory_watch import EXIT_OVER_MEMORY, MemoryWatch

PR_SET_PDEATHSIG = 1


def _die_with_watchdog() -> None:  # runs in the engine's process, before it starts
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def main(arguments: list[str]) -> int:
    limit = None
    if arguments[:1] == ["--memory-bytes"]:
        limit, arguments = int(arguments[1]), arguments[2:]
    engine = subprocess.Popen(
        arguments, stdin=subprocess.DEVNULL, preexec_fn=_die_with_watchdog if sys.platform == "linux" else None
    )

    def watch_the_service() -> None:
        while os.read(0, 4096):  # ends when the service closes the pipe, or dies (unbuffered: a buffered
            pass  # reader's lock, held by this daemon thread, made the watchdog abort at exit)
        engine.kill()

    threading.Thread(target=watch_the_service, daemon=True).start()
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, lambda *_: engine.kill())
    if limit is None:
        return engine.wait()
    with MemoryWatch(engine.pid, limit) as watch:
        code = engine.wait()
    if watch.exceeded:
        print(f"the query engine held more than {limit // 2**20} MiB: stopped", file=sys.stderr, flush=True)
        return EXIT_OVER_MEMORY
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
