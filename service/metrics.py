"""Prometheus metrics (through `prometheus-client`): requests and their latency by route, queries by
outcome, writes and their latency, the store's size, the time of the last write; and the query engines'
copies: reloads and queries stopped at the time limit, by copy, and how far the copies are behind.

Each application has a registry of its own (tests build many), exposed at `/metrics` to admins only:
counts and timings of writes would tell anyone of private activity. The route is the template
(`/id/{path:path}`), never the path asked, so a metric never names an entity.
"""

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

COPIES = ("full", "public")  # graph/engine/copies.py: every graph; what anonymous readers may read
RESTART_REASONS = ("reload", "stuck", "stopped")
STOP_CAUSES = ("memory", "crash")
WRITE_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)  # a load may take minutes


class Metrics:
    def __init__(self):
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "pic_requests", "HTTP requests answered", ["route", "method", "status"], registry=self.registry
        )
        self.latency = Histogram("pic_request_seconds", "Time to answer a request", ["route"], registry=self.registry)
        self.queries = Counter("pic_sparql_queries", "SPARQL queries by outcome", ["outcome"], registry=self.registry)
        self.writes = Counter("pic_writes", "Writes applied through the write path", registry=self.registry)
        self.last_write = Gauge(
            "pic_last_write_timestamp_seconds", "When the last write was applied", registry=self.registry
        )
        self.triples = Gauge("pic_store_triples", "Quads in the store", registry=self.registry)
        self.write_seconds = Histogram(
            "pic_write_seconds",
            "Time a write took: checks, validation, history, store, then the engines' copies and the search index",
            buckets=WRITE_BUCKETS,
            registry=self.registry,
        )
        self.runner = None  # the service's query runner, once it runs (read at each scrape)
        self.registry.register(EngineCollector(self))

    def wrote(self) -> None:
        self.writes.inc()
        self.last_write.set_to_current_time()


class EngineCollector:
    """The engines' figures, read from the query runner (graph/engine/copies.py counts them; the graph
    package knows nothing of Prometheus) at each scrape. A remote engine (PIC_STORE=remote) has none."""

    def __init__(self, metrics: Metrics):
        self.metrics = metrics

    def describe(self):
        return []  # nothing to check at registration: the runner comes later

    def collect(self):
        runner = self.metrics.runner
        if not hasattr(runner, "restarts"):
            return
        restarts = CounterMetricFamily(
            "pic_engine_restarts",
            "Query engines reloaded with a new copy of the "
            "store, by copy and reason (reload: a write the copy could not follow "
            "by its delta; stuck: a query ran past its limit; stopped: the "
            "process ended)",
            labels=["engine", "reason"],
        )
        stops = CounterMetricFamily(
            "pic_engine_stops",
            "Query engines that ended on their own while answering, by copy and cause (memory: past "
            "PIC_ENGINE_MEMORY_MB; crash: any other end), each once",
            labels=["engine", "cause"],
        )
        timeouts = CounterMetricFamily(
            "pic_engine_query_timeouts",
            "Queries stopped at the time limit (PIC_QUERY_TIMEOUT), by copy",
            labels=["engine"],
        )
        for engine in COPIES:
            for reason in RESTART_REASONS:
                restarts.add_metric([engine, reason], runner.restarts[engine, reason])
            timeouts.add_metric([engine], runner.timeouts[engine])
            for cause in STOP_CAUSES:
                stops.add_metric([engine, cause], runner.stops[engine, cause])
        writes, seconds = runner.lag()
        yield restarts
        yield stops
        yield timeouts
        yield GaugeMetricFamily(
            "pic_engine_lag_writes", "Writes in the store not yet applied to the engines' copies", value=writes
        )
        yield GaugeMetricFamily(
            "pic_engine_lag_seconds",
            "How long the oldest write not yet applied to the copies has waited (0 when they are up to date)",
            value=seconds,
        )


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
