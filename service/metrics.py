"""Prometheus metrics (through `prometheus-client`): requests and their latency by route, queries by
outcome, writes and their latency, the store's size, the time of the last write.

Each application has a registry of its own (tests build many), exposed at `/metrics` to admins only:
counts and timings of writes would tell anyone of private activity. The route is the template
(`/id/{path:path}`), never the path asked, so a metric never names an entity.
"""

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self):
        self.registry = CollectorRegistry()
        self.requests = Counter("pic_requests", "HTTP requests answered", ["route", "method", "status"],
                                registry=self.registry)
        self.latency = Histogram("pic_request_seconds", "Time to answer a request", ["route"],
                                 registry=self.registry)
        self.queries = Counter("pic_sparql_queries", "SPARQL queries by outcome", ["outcome"],
                               registry=self.registry)
        self.writes = Counter("pic_writes", "Writes applied through the write path", registry=self.registry)
        self.last_write = Gauge("pic_last_write_timestamp_seconds", "When the last write was applied",
                                registry=self.registry)
        self.triples = Gauge("pic_store_triples", "Quads in the store", registry=self.registry)

    def wrote(self) -> None:
        self.writes.inc()
        self.last_write.set_to_current_time()


class MeasureRequests:
    """Pure ASGI middleware: counts and times each HTTP request by its route template."""

    def __init__(self, app, metrics: Metrics):
        self.app, self.metrics = app, metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), [500]

        async def sending(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.metrics.requests.labels(route, scope["method"], str(status[0])).inc()
            self.metrics.latency.labels(route).observe(time.perf_counter() - started)
            if route in ("/sparql",) and scope["method"] in ("GET", "POST"):
                outcome = {200: "answered", 503: "timeout"}.get(status[0], "refused" if status[0] < 500 else "failed")
                self.metrics.queries.labels(outcome).inc()
