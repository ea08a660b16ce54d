"""`/metrics` speaks the Prometheus text format to admins only (issue 17): requests by route template
(never by path: a metric must not name an entity), queries by outcome, writes, the store's size."""

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
        r = client.post("/api/contribute/study", headers=bearer(client, "alice"),
                        json={"id": "metrics-check", "title_fr": "Mesure", "status": "planned", "year": "2027"})
        assert r.status_code == 201, r.text
        text = client.get("/metrics", headers=ADMIN).text
        samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
                   for family in text_string_to_metric_families(text) for s in family.samples}
        assert samples[("pic_requests_total", (("method", "GET"), ("route", "/id/{path:path}"),
                                               ("status", "200")))] == 1
        assert samples[("pic_sparql_queries_total", (("outcome", "answered"),))] == 1
        assert samples[("pic_sparql_queries_total", (("outcome", "refused"),))] == 1
        assert samples[("pic_writes_total", ())] >= 1
        assert samples[("pic_store_triples", ())] > 1000
        assert "louvre-lens" not in text and "metrics-check" not in text
