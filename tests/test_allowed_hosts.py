"""The platform answers to its own host names only (issue 16, finding 8): annotation ids and containers,
the saved queries' links, the SPARQL service description and Starlette's slash redirect are built from
the request's `Host`, so `Host: evil.example` got ids and links on evil.example. Other names get a 400
(`PIC_ALLOWED_HOSTS`, service/allowed_hosts.py); `X-Forwarded-Host` is believed by nothing."""

import httpx
import pytest
from fastapi.testclient import TestClient

from pic.graph.settings import Settings
from tests.conftest import PARTNERS, app_client

DEFAULT = Settings.model_fields["allowed_hosts"].default
EVIL = "evil.example"
PATHS = [
    "/",
    "/annotations/",
    "/annotations",
    "/sparql",
    "/api/queries",
    "/no-such-page",
    "/id/study/frequentation-habitants-louvre-lens",
]


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """The app with the default setting, asked as `make serve`'s URL asks it (http://127.0.0.1:8000)."""
    with app_client(tmp_path_factory.mktemp("hosts") / "data", PARTNERS[:1], allowed_hosts=DEFAULT) as c:
        yield TestClient(c.app, base_url="http://127.0.0.1:8000")


@pytest.mark.parametrize("path", PATHS)
def test_another_host_name_is_refused_before_anything_is_built(local, path):
    for host in (EVIL, f"{EVIL}:8000", "127.0.0.1.evil.example", "testserver"):
        r = local.get(path, headers={"Host": host}, follow_redirects=False)
        assert r.status_code == 400, (host, path, r.status_code, r.text[:200])
        assert "PIC_ALLOWED_HOSTS" in r.json()["error"]["message"]
        assert EVIL not in r.text and "location" not in r.headers
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_the_default_answers_to_the_local_names(local):
    """On the name asked and the port served (8000 here), whatever port the `Host` names (public_origin.py)."""
    assert DEFAULT == "127.0.0.1,localhost,[::1]"
    for host in ("127.0.0.1:8000", "localhost:8000", "localhost", "[::1]:8000", "LOCALHOST:8000"):
        r = local.get("/annotations/", headers={"Host": host})
        assert r.status_code == 200, (host, r.text[:200])
        name = host.lower().rsplit(":", 1)[0]
        assert r.json()["id"].lower() == f"http://{name}:8000/annotations/", r.json()["id"]


def test_ids_and_links_name_the_host_asked_never_a_forwarded_one(local):
    forwarded = {"X-Forwarded-Host": EVIL, "Forwarded": f"host={EVIL}"}
    container = local.get("/annotations/", headers=forwarded).json()
    assert container["id"] == "http://127.0.0.1:8000/annotations/"
    queries = local.get("/api/queries", headers=forwarded).json()
    assert queries and all(q["url"].startswith("http://127.0.0.1:8000/api/queries/") for q in queries)
    description = local.get("/sparql", headers=forwarded).text
    assert "http://127.0.0.1:8000/sparql" in description and EVIL not in description


def test_redirects_stay_on_the_platform(local):
    r = local.get("/annotations", follow_redirects=False)
    assert r.status_code in (307, 308) and r.headers["location"] == "http://127.0.0.1:8000/annotations/"
    csrf = local.get("/login").text.split('name="csrf" value="')[1].split('"')[0]
    r = local.post("/login", data={"name": "alice", "password": "alice-password", "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/"), r.headers.get("location")


def test_a_served_platform_refuses_other_host_names(live_server):
    """Over HTTP, as a browser or curl asks `pic serve` on 127.0.0.1:{port}."""
    port = live_server.rsplit(":", 1)[1]
    assert httpx.get(f"{live_server}/health", timeout=10).status_code == 200
    assert (
        httpx.get(f"{live_server}/annotations/", headers={"Host": f"localhost:{port}"}, timeout=10).json()["id"]
        == f"http://localhost:{port}/annotations/"
    )
    r = httpx.get(f"{live_server}/annotations/", headers={"Host": EVIL}, timeout=10)
    assert r.status_code == 400 and EVIL not in r.text, r.text
