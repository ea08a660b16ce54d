"""`/metrics` speaks the Prometheus text format to admins only (issue 17): requests by route template
(never by path: a metric must not name an entity), queries by outcome, writes, the store's size."""

import threading
import time

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import app_client, bearer

ADMIN = {"Authorization": "Bearer admin-token"}


def test_metrics_are_for_admins_and_count_what_happens(tmp_path):
    with app_client(tmp_path / "data", admin_token="admin-token") as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers=bearer(client, "alice")).status_code == 403
        client.get("/id/actor/louvre-lens")
        client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        client.get("/sparql", params={"query": "ASK {"})
        r = client.post(
            "/api/contribute/study",
            headers=bearer(client, "alice"),
            json={"id": "metrics-check", "title_fr": "Mesure", "status": "planned", "year": "2027"},
        )
        assert r.status_code == 201, r.text
        text = client.get("/metrics", headers=ADMIN).text
        samples = {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
        }
        assert (
            samples[("pic_requests_total", (("method", "GET"), ("route", "/id/{path:path}"), ("status", "200")))] == 1
        )
        assert samples[("pic_sparql_queries_total", (("outcome", "answered"),))] == 1
        assert samples[("pic_sparql_queries_total", (("outcome", "refused"),))] == 1
        assert samples[("pic_writes_total", ())] >= 1
        assert samples[("pic_store_triples", ())] > 1000
        assert "louvre-lens" not in text and "metrics-check" not in text


HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # runs past any limit here
BLANK = """INSERT DATA { GRAPH <https://w3id.org/pic-euralens/id/graph/partner/aula> {
  <https://w3id.org/pic-euralens/id/actor/aula> <http://www.w3.org/2000/01/rdf-schema#seeAlso>
    [ <http://www.w3.org/2000/01/rdf-schema#label> "a blank node: the copies reload" ] } }"""


def samples_of(client) -> dict:
    text = client.get("/metrics", headers=ADMIN).text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def restarts(samples: dict, engine: str, reason: str) -> float:
    return samples[("pic_engine_restarts_total", (("engine", engine), ("reason", reason)))]


def test_engine_restarts_timeouts_lag_and_write_latency_move(tmp_path):
    with app_client(tmp_path / "data", admin_token="admin-token", query_timeout=1) as client:
        before = samples_of(client)
        for engine in ("full", "public"):
            assert before[("pic_engine_query_timeouts_total", (("engine", engine),))] == 0
            assert {restarts(before, engine, r) for r in ("reload", "stuck", "stopped")} == {0}
        assert before[("pic_engine_lag_writes", ())] == 0 and before[("pic_engine_lag_seconds", ())] == 0
        # A write moves the write latency; one the copies cannot follow by its delta reloads them.
        r = client.post("/update", data={"update": BLANK}, headers=ADMIN)
        assert r.status_code == 204, r.text
        after = samples_of(client)
        assert after[("pic_write_seconds_count", ())] == before[("pic_write_seconds_count", ())] + 1
        assert after[("pic_write_seconds_sum", ())] > before[("pic_write_seconds_sum", ())]
        deadline = time.monotonic() + 60  # the new copies load in a thread
        while restarts(after, "full", "reload") == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
            after = samples_of(client)
        assert restarts(after, "full", "reload") == 1
        # A query stopped at the limit counts against the copy that ran it (anonymous: the public one).
        r = client.get("/sparql", params={"query": HEAVY})
        assert r.status_code == 503, r.text
        after = samples_of(client)
        assert after[("pic_engine_query_timeouts_total", (("engine", "public"),))] == 1
        # A write waits while a reload holds the copies: they are behind by one write, for a while.
        queries = client.app.state.query_runner
        with queries._lock:
            waiting = threading.Thread(
                target=client.post,
                args=("/api/contribute/study",),
                kwargs={
                    "headers": bearer(client, "alice"),
                    "json": {"id": "lag-check", "title_fr": "Retard", "status": "planned", "year": "2027"},
                },
            )
            waiting.start()
            deadline = time.monotonic() + 10
            while queries.lag()[0] == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.3)
            held = samples_of(client)
        waiting.join(30)
        assert held[("pic_engine_lag_writes", ())] == 1 and held[("pic_engine_lag_seconds", ())] >= 0.3, held
        deadline = time.monotonic() + 60  # applied, or replayed onto the copies the stuck query's reload makes
        while queries.lag()[0] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert samples_of(client)[("pic_engine_lag_writes", ())] == 0
