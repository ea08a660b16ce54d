"""Queries answered by the on-disk store itself, in this process: the stand-in while the engines' copies load.

Why: loading the copies of a regional store (1.1M triples) takes 15-25 s at start, and again after a
write the copies cannot follow by its delta; the store is on disk all along and pyoxigraph answers from
it, 3-4x slower than from memory. So until the copies are loaded, a query is answered here: the same
`Job`, hence the same dataset — the union of all graphs, or the graphs the reader may read, listed —
as the engines get (`engine.jobs.for_reader` chose it), never more.

pyoxigraph cannot stop a query: past the time limit the client gets its 503 (`QueryTimeout`) while the
query runs on in its thread to its end. At most `THREADS` queries run here at once (the others wait
their turn, within their own time limit); this lasts only as long as the copies load.
"""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from pyoxigraph import NamedNode

from pic.graph.engine.jobs import NO_GRAPH, Answer, Job, QueryFailed, QueryTimeout, answer
from pic.graph.store.interface import KnowledgeStore

THREADS = 2  # the machine's cores are busy loading the copies meanwhile


def _graphs(iris: list[str]) -> list[NamedNode]:
    """An empty list names no graph (not "no restriction")."""
    return [NamedNode(g) for g in iris or [NO_GRAPH]]


def answer_on_disk(store: KnowledgeStore, job: Job) -> Answer:
    """The job's answer from `store` (an `EmbeddedStore`), in the job's format, cut at its row limit."""
    started = time.perf_counter()
    try:
        if job.default_graph is None:
            result = store.query(job.query, union=True)
        else:
            named = job.named_graphs if job.named_graphs is not None else job.default_graph
            result = store.query(job.query, default_graph=_graphs(job.default_graph), named_graphs=_graphs(named))
        return answer(result, job, started)
    except SyntaxError as e:
        raise QueryFailed(f"syntax error: {e}") from None
    except (OSError, RuntimeError, ValueError) as e:
        raise QueryFailed(str(e)) from None


class DiskAnswers:
    """`run` and `run_async` as the engines have them, answered by the store in a few threads."""

    def __init__(self, store: KnowledgeStore, timeout: float):
        self.store, self.timeout = store, timeout
        self._pool = ThreadPoolExecutor(THREADS, thread_name_prefix="disk-query")

    def _limit_passed(self, limit: float) -> QueryTimeout:
        return QueryTimeout(
            f"the query ran past the {limit:g} s limit (answered from the store while the query engines load)"
        )

    def run(self, job: Job, timeout: float | None = None) -> Answer:
        limit = timeout or self.timeout
        try:
            return self._pool.submit(answer_on_disk, self.store, job).result(limit)
        except FutureTimeout:
            raise self._limit_passed(limit) from None

    async def run_async(self, job: Job, timeout: float | None = None) -> Answer:
        limit = timeout or self.timeout
        future = asyncio.get_running_loop().run_in_executor(self._pool, answer_on_disk, self.store, job)
        try:
            return await asyncio.wait_for(future, limit)
        except TimeoutError:
            raise self._limit_passed(limit) from None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
