"""Operator errors are one line, the cause and what to do, with a non-zero status (issue 17, defect 7):
a second `pic serve` on a data directory in use, and a `pic load` while the service runs."""

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import free_port, wait_until_up

PIC = str(Path(sys.executable).with_name("pic"))


def test_a_second_process_on_the_same_data_directory_gets_one_line(tmp_path):
    env = {**os.environ, "PIC_DATA_DIR": str(tmp_path / "data")}
    port = free_port()
    first = subprocess.Popen(
        [PIC, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", first, seconds=90)
        (tmp_path / "x.ttl").write_text("<urn:a> <urn:b> <urn:c> .")
        for args in (
            ["serve", "--port", str(free_port())],
            ["load", str(tmp_path / "x.ttl"), "--graph", "https://w3id.org/pic-euralens/id/graph/partner/x"],
        ):
            second = subprocess.run([PIC, *args], env=env, capture_output=True, text=True, timeout=60)
            assert second.returncode != 0
            lines = second.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("Error: ") and "pic serve" in lines[0], second.stderr
    finally:
        first.terminate()
        first.wait(10)


def test_an_empty_file_loads_nothing_and_records_nothing(tmp_path):
    env = {**os.environ, "PIC_DATA_DIR": str(tmp_path / "data")}
    (tmp_path / "empty.ttl").write_bytes(b"")
    r = subprocess.run(
        [PIC, "load", str(tmp_path / "empty.ttl"), "--graph", "https://w3id.org/pic-euralens/id/graph/partner/x"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 1 and r.stderr.strip() == f"Error: {tmp_path / 'empty.ttl'} is empty: nothing was loaded"
    assert not (tmp_path / "data" / "history").exists() or not list((tmp_path / "data" / "history").iterdir())
