"""Queries for the service when the store is a remote SPARQL engine: forwarded as they come.

The engine serialises the results itself; the time limit is the HTTP timeout (503 past it). The
engine's own limit should be set too (Oxigraph: --timeout-s), since only the engine can stop its query.
"""

import httpx

from pic.graph.query_workers import GRAPH_FORMATS, RESULT_FORMATS, Answer, Job, QueryFailed, QueryTimeout

EMPTY = "urn:pic:no-graph"  # names no graph: the way to ask for an empty dataset


class RemoteQueries:
    def __init__(self, query_url: str, timeout: float = 30.0):
        self.query_url, self.timeout = query_url, timeout
        self.http = httpx.Client()

    def run(self, job: Job, timeout: float | None = None) -> Answer:
        accept = f"{RESULT_FORMATS[job.result_format][1]}, {GRAPH_FORMATS[job.graph_format][1]};q=0.9"
        params: list[tuple[str, str]] = []
        if job.default_graph is None:
            params.append(("union-default-graph", "true"))
        else:
            # An empty list must stay empty: the protocol reads "no parameter" as "use the query's FROM".
            named = job.named_graphs if job.named_graphs is not None else job.default_graph
            params += [("default-graph-uri", g) for g in job.default_graph or [EMPTY]]
            params += [("named-graph-uri", g) for g in named or [EMPTY]]
        try:
            r = self.http.post(self.query_url, params=params, content=job.query.encode(),
                               headers={"Content-Type": "application/sparql-query", "Accept": accept},
                               timeout=self.timeout if timeout is None else timeout)
        except httpx.TimeoutException:
            raise QueryTimeout(f"the remote engine did not answer within {self.timeout:g} s") from None
        if r.status_code >= 400:
            raise QueryFailed(r.text[:2000])
        media = r.headers.get("content-type", "application/octet-stream")
        kind = "graph" if any(m.split(";")[0] in media for _, m in GRAPH_FORMATS.values()) else "solutions"
        return Answer(r.content, media, kind, -1, False, r.elapsed.total_seconds())

    def snapshot(self) -> None:
        """Nothing to refresh: the engine is the store."""

    def close(self) -> None:
        self.http.close()
