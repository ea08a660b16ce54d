"""The README's examples for researchers run against a live server: docs are tests."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import LIVE_DATA

README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLE = re.compile(r"<!-- example: (?P<name>[\w-]+) -->\n```(?P<lang>\w+)\n(?P<code>.*?)```", re.DOTALL)


def examples() -> list[tuple[str, str, str]]:
    found = [(m["name"], m["lang"], m["code"]) for m in EXAMPLE.finditer(README.read_text(encoding="utf-8"))]
    assert len(found) >= 5, "the README lost its examples"
    return found


def partner_token(url: str) -> str:
    """A partner account on the live server, for the annotation example (created once, by the CLI)."""
    if url not in TOKENS:
        env = {**os.environ, "PIC_DATA_DIR": str(LIVE_DATA[url])}
        pic = str(Path(sys.executable).with_name("pic"))
        subprocess.run(
            [pic, "user", "add", "readme", "--org", "aula", "--password", "readme-password"],
            env=env,
            check=True,
            capture_output=True,
        )
        TOKENS[url] = (
            subprocess.run([pic, "user", "token", "readme"], env=env, check=True, capture_output=True, text=True)
            .stdout.strip()
            .split()[-1]
        )
    return TOKENS[url]


TOKENS: dict = {}


@pytest.mark.parametrize("name,lang,code", examples(), ids=[e[0] for e in examples()])
def test_readme_example_runs(live_server, name, lang, code):
    code = code.replace("http://127.0.0.1:8000", live_server)
    command = ["bash", "-c", code] if lang == "sh" else [sys.executable, "-c", code]
    env = {**os.environ, "TOKEN": "t", "PARTNER_TOKEN": partner_token(live_server)}
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    expected = {
        "curl": "62498",
        "saved-query": "246200364",
        "sparqlwrapper": "cooperation pairs",
        "rdflib": "150 communes",
        "pandas": "Lens",
        "maps-graphml": "actors; broker:",
        "contribute": '"title_fr":"Enquête vélo 2026"',
        "annotate": '"type": "AnnotationPage"',
    }
    assert expected[name] in result.stdout, result.stdout
