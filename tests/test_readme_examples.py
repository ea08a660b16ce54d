"""The README's examples for researchers run against a live server: docs are tests."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLE = re.compile(r"<!-- example: (?P<name>[\w-]+) -->\n```(?P<lang>\w+)\n(?P<code>.*?)```", re.DOTALL)


def examples() -> list[tuple[str, str, str]]:
    found = [(m["name"], m["lang"], m["code"]) for m in EXAMPLE.finditer(README.read_text(encoding="utf-8"))]
    assert len(found) >= 5, "the README lost its examples"
    return found


@pytest.mark.parametrize("name,lang,code", examples(), ids=[e[0] for e in examples()])
def test_readme_example_runs(live_server, name, lang, code):
    code = code.replace("http://127.0.0.1:8000", live_server)
    command = ["bash", "-c", code] if lang == "sh" else [sys.executable, "-c", code]
    env = {**os.environ, "TOKEN": "t"}  # the live server's admin token
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    expected = {"curl": "62498", "saved-query": "246200364", "sparqlwrapper": "cooperation pairs",
                "rdflib": "150 communes", "pandas": "Lens", "maps-graphml": "actors; broker:",
                "contribute": '"title_fr":"Enquête vélo 2026"'}
    assert expected[name] in result.stdout, result.stdout
