"""Queries for the service when the store is a remote SPARQL engine.

The query is forwarded as it comes; the answer is read back (SPARQL JSON or N-Triples), cut at the row
limit and serialised in the client's format like the embedded answers. The time limit is the HTTP
timeout (503 past it); the engine's own limit should be set too (Oxigraph: --timeout-s), since only the
engine can stop its query. An answer the engine cut short without saying so (Oxigraph's timeout) does
not parse, and is reported as an error rather than passed on as a result.
"""

import asyncio
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, Triple, parse, parse_query_results

from pic.graph.engine.jobs import Answer, EngineFailed, Job, QueryFailed, QueryTimeout, answer, dataset_params

if TYPE_CHECKING:  # the write path's module imports most of graph/
    from pic.graph.writes.path import Written


class RemoteQueries:
    def __init__(self, query_url: str, timeout: float = 30.0):
        self.query_url, self.timeout = query_url, timeout
        self.http = httpx.Client()

    def run(self, job: Job, timeout: float | None = None) -> Answer:
        started = time.perf_counter()
        accept = "application/sparql-results+json, application/n-triples;q=0.9"
        try:
            r = self.http.post(
                self.query_url,
                params=dataset_params(job),  # type: ignore[arg-type]  # httpx's stubs: an invariant list of its value types
                content=job.query.encode(),
                headers={"Content-Type": "application/sparql-query", "Accept": accept},
                timeout=self.timeout if timeout is None else timeout,
            )
        except httpx.TimeoutException:
            raise QueryTimeout(f"the remote engine did not answer within {self.timeout:g} s") from None
        if r.status_code >= 500:
            raise EngineFailed(f"the remote engine failed ({r.status_code}): {r.text[:2000]}")
        if r.status_code >= 400:
            raise QueryFailed(r.text[:2000])
        try:
            result: Iterator[Triple] | QuerySolutions | QueryBoolean
            if "n-triples" in r.headers.get("content-type", ""):
                result = iter([q.triple for q in parse(r.content, RdfFormat.N_TRIPLES)])
            else:
                result = parse_query_results(r.content, QueryResultsFormat.JSON)
            return answer(result, job, started)
        except (SyntaxError, ValueError) as e:
            raise EngineFailed(f"the remote engine's answer is not valid: {e}") from None

    async def run_async(self, job: Job, timeout: float | None = None) -> Answer:
        return await asyncio.to_thread(self.run, job, timeout)

    def snapshot(self) -> None:
        """Nothing to refresh: the engine is the store."""

    def follow(self, written: "Written | None") -> None:
        """Nothing to follow: the engine is the store."""

    def close(self) -> None:
        self.http.close()
