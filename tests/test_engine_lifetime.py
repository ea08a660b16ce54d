"""The query engines die with the service, whatever kills it (issue 17, defect 4): after `kill -9` of
`pic serve`, none of its `oxigraph serve` processes is left holding every graph on an open port. And they
live as long as it does: the threads that started them have ended by the time it answers. A start
cleans what a killed run left behind."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import LIGHT, free_port, wait_until_up


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def is_engine(pid: int) -> bool:
    try:
        command = (Path("/proc") / str(pid) / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return len(command) > 1 and command[0].endswith(b"oxigraph") and command[1] == b"serve"


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_kill_9_of_the_service_leaves_no_engine_running(tmp_path):
    port = free_port()
    env = {**os.environ, "PIC_DATA_DIR": str(tmp_path / "data")}
    left = [tmp_path / "data" / "snapshots" / "snapshot.part", tmp_path / "data" / "history" / "incoming-1.ttl"]
    for path in left:  # what a killed run leaves: a half-written snapshot, a bulk load's copy of its file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"left by a killed run")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("pic")), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/health", process, seconds=90)
        # A private graph makes a second engine (the public copy) start.
        r = httpx.put(
            f"{url}/rdf-graphs",
            params={"graph": "https://w3id.org/pic-euralens/id/graph/private/x/main"},
            content=b"<urn:a> <urn:b> <urn:c> .",
            headers={"Content-Type": "application/n-triples"},
            timeout=60,
        )
        assert r.status_code in (401, 403, 201, 204)  # written or not, the engines are running
        assert httpx.get(f"{url}/sparql", params={"query": LIGHT}, timeout=30).status_code == 200
        assert not [p for p in left if p.exists()], "a start cleans what a dead run left"
        r = httpx.post(
            f"{url}/sparql",
            content=LIGHT.encode(),
            timeout=30,  # starts a parser process too
            headers={"Content-Type": "application/sparql-query"},
        )
        assert r.status_code == 200
        everything = descendants(process.pid)  # watchdogs, engines, the parser's fork server and workers
        engines = [p for p in everything if is_engine(p)]
        assert engines, "no engine process found under the service"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(p) for p in everything):
        time.sleep(0.1)
    assert not [p for p in engines if alive(p)], "engines outlived their service"
    assert not [p for p in everything if alive(p)], "helper processes outlived their service"
