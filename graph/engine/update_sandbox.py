"""A SPARQL update evaluated in a child process, stopped past its time or memory limit.

Why: pyoxigraph evaluates an update in the calling process and cannot be stopped, so an admin's update
of 59 nested OPTIONALs over the territories' graph ran the service itself to 22.7 GB, and the kernel
killed it (thirteenth outside re-test). A child process can be killed at the time limit, and its
resident memory watched (`memory_watch.py`); the service only waits for it.

What crosses: the statements the update may read and change, as N-Quads (pyoxigraph's `parse` keeps
blank node labels, so the service can tell which statements are the same before and after), and the
names of the graphs it should see; back comes the whole scratch store after the update, as N-Quads. The
time limit starts once the child says it is ready: an interpreter's start took over a second on a busy
machine, and an update under a 1 s limit was stopped before it began.

`python -m pic.graph.engine.update_sandbox` is the child: `ready` on its standard output, then it reads a
JSON line (text, base IRI, graphs) and the N-Quads on its standard input; the N-Quads on its standard
output, or an error on standard error with exit code 2 (the update's own error: syntax, a graph named
without SILENT that is missing).
"""

import json
import select
import subprocess
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import NamedNode, Quad, RdfFormat, Store, parse, serialize

from pic.graph.engine.jobs import EngineFailed, QueryFailed, QueryTimeout
from pic.graph.engine.local import ENGINE_STACK_BYTES
from pic.graph.engine.memory_watch import MemoryWatch

UPDATE_FAILED = 2  # the child's exit code for the update's own error
READY = b"ready\n"  # the child's first line, once it is started
STARTING = 120  # seconds the child may take to start


@dataclass(frozen=True)
class Limits:
    """How long and how much resident memory one update's evaluation may take (the query settings)."""

    seconds: float = 30.0
    memory_bytes: int = 4096 * 1024 * 1024


DEFAULT_LIMITS = Limits()


class UpdateTooCostly(QueryTimeout):
    """The update ran past its time or memory limit and was stopped (503, like a query past its time)."""


def evaluate(
    quads: Iterable[Quad], graphs: Iterable[NamedNode], text: str, base_iri: str | None, limits: Limits
) -> Store:
    """The scratch store holding `quads` (and the empty `graphs`) after `text`, worked out in a child."""
    header = json.dumps({"text": text, "base_iri": base_iri, "graphs": [g.value for g in graphs]})
    data = header.encode() + b"\n" + (serialize(quads, format=RdfFormat.N_QUADS) or b"")
    child = subprocess.Popen(
        [sys.executable, "-m", __name__],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    with MemoryWatch(child.pid, limits.memory_bytes) as watch:
        try:
            _wait_ready(child)  # the time limit is the update's, not the interpreter's start (seconds when busy)
            out, err = child.communicate(data, timeout=limits.seconds)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            raise UpdateTooCostly(f"the update ran past the {limits.seconds:g} s limit and was stopped") from None
    if watch.exceeded:
        raise UpdateTooCostly(
            f"the update needed more than {limits.memory_bytes // 2**20} MiB of memory and was stopped: "
            "narrow its patterns"
        )
    if child.returncode == UPDATE_FAILED:
        raise QueryFailed(err.decode("utf-8", "replace").strip())
    if child.returncode != 0:  # a signal: the engine aborted on the update (pyoxigraph panics, stack)
        raise EngineFailed(f"the update's evaluation stopped (exit code {child.returncode}); nothing was written")
    scratch = Store()
    scratch.extend(parse(out, RdfFormat.N_QUADS))
    return scratch


def _wait_ready(child: subprocess.Popen[bytes]) -> None:
    assert child.stdout is not None
    ready, _, _ = select.select([child.stdout], [], [], STARTING)
    if not ready or child.stdout.readline() != READY:
        child.kill()
        child.communicate()
        raise EngineFailed(f"the update's evaluation did not start within {STARTING} s; nothing was written")


def main() -> int:
    """The child: the update runs in a thread with the engine's deep stack (the engine reads an update's
    tree recursively: 2,000 joined patterns overflowed the default 8 MiB, `local.ENGINE_STACK_BYTES`)."""
    sys.stdout.buffer.write(READY)
    sys.stdout.buffer.flush()
    asked = json.loads(sys.stdin.buffer.readline())
    scratch = Store()
    scratch.extend(parse(sys.stdin.buffer, RdfFormat.N_QUADS))
    for graph in asked["graphs"]:
        scratch.add_graph(NamedNode(graph))
    failed: list[str] = []

    def run() -> None:
        try:
            scratch.update(asked["text"], base_iri=asked["base_iri"])
        except SyntaxError as e:
            failed.append(f"syntax error: {e}")
        except (RuntimeError, ValueError) as e:
            failed.append(str(e))

    threading.stack_size(ENGINE_STACK_BYTES)
    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failed:
        print(failed[0], file=sys.stderr)
        return UPDATE_FAILED
    sys.stdout.buffer.write(serialize(scratch, format=RdfFormat.N_QUADS) or b"")
    return 0


if __name__ == "__main__":
    sys.exit(main())
