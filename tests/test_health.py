"""`/health` tells anyone the overall status and only admins the details (issue 17): the store, the
engines, the disk, the search index and the last write; a stopped engine makes it say so (503)."""

from tests.conftest import app_client, bearer


def test_health_details_are_for_admins(tmp_path):
    with app_client(tmp_path / "data", admin_token="admin-token") as client:
        anonymous = client.get("/health")
        assert anonymous.status_code == 200 and anonymous.json() == {"status": "ok"}
        assert client.get("/health", headers=bearer(client, "alice")).json() == {"status": "ok"}
        admin = client.get("/health", headers={"Authorization": "Bearer admin-token"}).json()
        assert admin["status"] == "ok"
        assert set(admin["checks"]) == {"store", "engines", "disk", "search", "last_write"}
        assert admin["checks"]["disk"]["free_bytes"] > 0
        r = client.post(
            "/api/contribute/study",
            headers=bearer(client, "alice"),
            json={"id": "health-check", "title_fr": "Santé", "status": "planned", "year": "2027"},
        )
        assert r.status_code == 201, r.text
        admin = client.get("/health", headers={"Authorization": "Bearer admin-token"}).json()
        assert admin["checks"]["last_write"]["at"]

        engine = client.app.state.query_runner.full
        engine.process.kill()
        engine.process.wait(10)
        down = client.get("/health")
        assert down.status_code == 503 and down.json() == {"status": "degraded"}
