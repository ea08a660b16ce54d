"""A wrong PIC_* value stops `pic` with one line naming the variable, its value and what it must be — never
pydantic's several lines named by field, a port that wraps around (99999 listened on 34463), a time limit
that refuses every query (-5), or a 106-line traceback (PIC_STORE=remote without its engine): an outside
operator's test found each."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PIC = str(Path(sys.executable).with_name("pic"))
CASES = {
    "PIC_PORT=abc": "PIC_PORT='abc'",
    "PIC_PORT=99999": "less than or equal to 65535",
    "PIC_QUERY_TIMEOUT=-5": "PIC_QUERY_TIMEOUT='-5': Input should be greater than 0",
    "PIC_MAX_ROWS=-1": "PIC_MAX_ROWS='-1'",
    "PIC_STORE=remote": "PIC_STORE=remote needs PIC_SPARQL_QUERY_URL",
    "PIC_ACCESS_LOG=xml": "PIC_ACCESS_LOG='xml'",
}


@pytest.mark.parametrize("assignment", sorted(CASES))
def test_a_wrong_setting_is_one_line_naming_the_variable(assignment, tmp_path):
    name, value = assignment.split("=", 1)
    env = {**os.environ, "PIC_DATA_DIR": str(tmp_path / "data"), name: value}
    r = subprocess.run([PIC, "serve"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and CASES[assignment] in lines[0], r.stderr
    assert not (tmp_path / "data").exists()  # refused before anything was made
