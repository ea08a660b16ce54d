"""`PIC_ACCESS_LOG=json`: one JSON line per request on standard output of a real `pic serve`, with the
route template and the caller's role, never a user name, a query text, a path's entity or a token."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from pic.service.accounts import Accounts
from tests.conftest import free_port, wait_until_up

SECRET = "secret-5e1b"  # in a query text, a path and a token: none may reach the log


def test_one_json_line_per_request_without_names_queries_or_tokens(tmp_path):
    pic = str(Path(sys.executable).with_name("pic"))
    env = {
        **os.environ,
        "PIC_DATA_DIR": str(tmp_path / "data"),
        "PIC_DEMO": "false",
        "PIC_ADMIN_TOKEN": f"admin-{SECRET}",
        "PIC_ACCESS_LOG": "json",
    }
    (tmp_path / "data").mkdir()
    accounts = Accounts(tmp_path / "data" / "accounts.sqlite")
    accounts.add("alice", "partner", "aula", "pw-alice")
    token = accounts.new_token("alice", "tests")
    port, log = free_port(), tmp_path / "stdout.log"
    with log.open("w") as out:
        process = subprocess.Popen([pic, "serve", "--port", str(port)], env=env, stdout=out, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/health", process, seconds=60)
        asked = [
            httpx.get(f"{url}/sparql", params={"query": f'ASK {{ ?s ?p "{SECRET}" }}'}),
            httpx.get(f"{url}/id/actor/{SECRET}", headers={"Authorization": f"Bearer {token}"}),
            httpx.get(f"{url}/health", headers={"Authorization": f"Bearer admin-{SECRET}"}),
            httpx.get(f"{url}/api/me", headers={"Authorization": f"Bearer pic_{SECRET}"}),
        ]
        assert [r.status_code for r in asked] == [200, 404, 200, 401], [r.text for r in asked]
        time.sleep(0.3)  # the last line is written after the response's last byte
    finally:
        process.terminate()
        process.wait(10)
    text = log.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    mine = [line for line in lines if line["route"] != "/health" or line["role"] == "admin"][-4:]
    assert [(x["method"], x["route"], x["status"], x["role"]) for x in mine] == [
        ("GET", "/sparql", 200, "anonymous"),
        ("GET", "/id/{path:path}", 404, "partner"),
        ("GET", "/health", 200, "admin"),
        ("GET", "/api/me", 401, None),
    ], mine
    for line in mine:
        assert set(line) == {"time", "method", "route", "status", "ms", "role"}, line
        assert line["ms"] >= 0 and line["time"].endswith("Z")
    assert SECRET not in text and "alice" not in text and token not in text
    assert not [line for line in text.splitlines() if '" 200' in line], "uvicorn's text access log is on too"
