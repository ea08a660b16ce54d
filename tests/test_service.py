"""The service starts on the embedded store, loads the demo on first start, and serves the home page."""

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from pic.graph.settings import Settings
from pic.service.app import create_app
from tests.conftest import free_port, wait_until_up


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.lang = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self.hrefs.append(attrs.get("href"))
        if tag == "html":
            self.lang = attrs.get("lang")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("svc") / "data")
    with TestClient(create_app(settings)) as c:
        yield c


def test_first_start_loads_the_demo_and_the_home_page_counts_it(client):
    data = client.get("/", headers={"Accept": "application/json"}).json()
    assert data["counts"]["communes"] == 150
    assert data["counts"]["studies"] > 20
    assert any(s["illustrative"] for s in data["planned"])
    assert client.get("/?format=json").json() == data


def test_home_page_is_french_with_an_english_switch(client):
    fr = client.get("/")
    assert fr.status_code == 200 and "text/html" in fr.headers["content-type"]
    page = Links()
    page.feed(fr.text)
    assert page.lang == "fr" and "/?lang=en" in page.hrefs
    assert "Études prévues" in fr.text
    en = client.get("/?lang=en")
    assert "Planned or ongoing studies" in en.text
    assert "lang=en" in en.headers.get("set-cookie", "")


def test_health(client):
    assert client.get("/health").json()["status"] == "ok"


def test_a_real_server_process_serves_the_platform(tmp_path):
    port = free_port()
    env = {**os.environ, "PIC_DATA_DIR": str(tmp_path / "data")}
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("pic")), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", process, seconds=60)
        r = httpx.get(f"http://127.0.0.1:{port}/", headers={"Accept": "application/json"})
        assert r.status_code == 200 and r.json()["counts"]["communes"] == 150
        css = httpx.get(f"http://127.0.0.1:{port}/static/style.css")
        assert css.status_code == 200
    finally:
        process.terminate()
        process.wait(10)
