"""Fuzzing of the OpenAPI schema (issue 16): schemathesis builds requests for every operation of a live
server's `/openapi.json` — valid and invalid parameters, bodies and headers — and no answer may be a
server error (5xx), a crash or a hang; where the schema states a response's media types, the answer has
one of them.

It runs as an anonymous reader, as a partner, whose token reaches the write routes (contributions,
annotations, uploads, imports), and as a facilitator (moderation, reverts). Nothing is excluded: the routes
that could delete the demo (`POST /update`, `PUT` / `POST` / `DELETE /rdf-graphs`) are admin-only, so all three
are refused there (401/403) and they run like every other operation.

The run is schemathesis's own command, `st run` (examples, coverage, fuzzing and stateful phases), seeded
(SEED, no example database) and bounded: MAX_EXAMPLES generated cases per operation in the fuzzing phase
(the coverage phase derives its cases from the schema), about a minute per identity on a 2-core machine,
RUN_LIMIT at most. A failure lists each faulty operation with a curl command that replays the request
(`[Filtered]` stands for the identity's bearer token) and the server's tracebacks (its stderr kept in a file).
Every operation of the schema must have been tested: one skipped or missing from the report fails too.
"""

import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest

from tests.conftest import pic_server

pytestmark = pytest.mark.slow

SEED = 16
MAX_EXAMPLES = 12  # 30 cost 2.5x the time (fuzzing phase 100+ s per identity) for the same routes
RUN_LIMIT = 300  # seconds for one identity's run; a run that needs more has hung somewhere
ROOT = Path(__file__).resolve().parents[1]
USERS = [("alice", "partner", "aula"), ("fanny", "facilitator", "euralens")]
IDENTITIES = {"anonymous": None, "partner": "alice", "facilitator": "fanny"}
# Known names, drawn for a share of the cases so that requests get past "no such kind" (404) into the routes'
# work — the writes above all; the rest of the cases stay fuzzed. Reports are drawn rarely: each takes seconds.
CONFIG = """
[dictionaries.contribution-kinds]
values = ["actor", "project", "study", "membership", "observation"]
[dictionaries.import-kinds]
values = ["actors", "projects", "studies", "memberships", "observations"]
[dictionaries.templates]
values = ["actors.csv", "studies.xlsx", "observations.csv"]
[dictionaries.map-kinds]
values = ["cooperation", "knowledge-flows", "actor-project", "citations", "actor-territory"]
[dictionaries.maps]
values = ["cooperation", "citations.json", "actor-project.csv", "knowledge-flows.gexf", "cooperation.svg",
          "actor-territory.graphml", "citations.png", "cooperation.html"]
[dictionaries.reports]
values = ["2024", "2023.csv", "2024.ttl", "2022.html"]  # the PDF (Chromium, seconds): tests/test_report.py
[dictionaries.keys]
values = ["louvre-lens", "aula", "etat-impacts-2024", "cite-orient-harnes"]
[dictionaries.annotations]
values = ["demo-1", "demo-2", "demo-3"]
[dictionaries.pages]
values = ["actor/louvre-lens", "study/etat-impacts-2024", "territory/commune/62498", "actor/aula.ttl"]

[[operations]]
include-path-regex = "^/(api/)?contribute/[{]kind[}]"
parameters."path.kind" = { dictionary = "contribution-kinds", probability = 0.5 }
parameters."path.key" = { dictionary = "keys", probability = 0.5 }
[[operations]]
include-path = "/api/import/{kind}"
parameters."path.kind" = { dictionary = "import-kinds", probability = 0.5 }
[[operations]]
include-path = "/import/templates/{name}"
parameters."path.name" = { dictionary = "templates", probability = 0.5 }
[[operations]]
include-path = "/maps/{kind}/changes"
parameters."path.kind" = { dictionary = "map-kinds", probability = 0.5 }
[[operations]]
include-path = "/maps/{name}"
parameters."path.name" = { dictionary = "maps", probability = 0.3 }
[[operations]]
include-path = "/reports/{name}"
parameters."path.name" = { dictionary = "reports", probability = 0.1 }
[[operations]]
include-path-regex = "^/(api/)?studies/"
parameters."path.key" = { dictionary = "keys", probability = 0.5 }
[[operations]]
include-path-regex = "^/annotations/[{]key[}]"
parameters."path.key" = { dictionary = "annotations", probability = 0.5 }
[[operations]]
include-path = "/id/{path}"
parameters."path.path" = { dictionary = "pages", probability = 0.3 }
"""
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
SERVER_ERRORS = {"ST101", "ST102"}  # 5xx; 5xx whose body is not of the declared type
CONTENT_TYPES = {"ST104", "ST105", "ST106"}  # no Content-Type; one the schema does not state; malformed


@dataclass
class Run:
    identity: str
    seconds: float
    output: str
    junit: ElementTree.ElementTree
    server_log: str

    def outcomes(self, kind: str, codes: set[str] | None = None) -> list[tuple[str, str]]:
        """(operation, text) of each `failure` or `error` of the report, of the given codes only."""
        found = []
        for case in self.junit.iter("testcase"):
            for outcome in case.findall(kind):
                if codes is None or codes & set((outcome.get("message") or "").split(", ")):
                    found.append((case.get("name"), outcome.text or ""))
        return found

    def untested(self, operations: set[str]) -> dict[str, str]:
        """The schema's operations the report has no test case for, or only a skipped one (with why)."""
        cases = {case.get("name"): case for case in self.junit.iter("testcase")}
        return {
            op: "; ".join(s.text or "skipped" for s in cases[op].findall("skipped")) if op in cases else "absent"
            for op in operations
            if op not in cases or cases[op].findall("skipped")
        }

    def slowest(self, n: int = 5) -> str:
        times = sorted(((float(c.get("time")), c.get("name")) for c in self.junit.iter("testcase")), reverse=True)
        return ", ".join(f"{name} {seconds:.1f} s" for seconds, name in times[:n])

    def report(self, found: list[tuple[str, str]], what: str) -> str:
        lines = [
            f"{len(found)} operation(s) with {what} as {self.identity} "
            f"(st run --seed {SEED} -n {MAX_EXAMPLES}, {self.seconds:.0f} s):"
        ]
        lines += [f"\n=== {operation}\n{text.strip()[:3000]}" for operation, text in found]
        return "\n".join(lines)


def tracebacks(log: str) -> str:
    """The server's distinct tracebacks, cut to the project's own frames and the exception, with a count."""
    seen: Counter[str] = Counter()
    example: dict[str, str] = {}
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if line != "Traceback (most recent call last):":
            continue
        frames, j = [], i + 1
        while j < len(lines) and lines[j].startswith(" "):
            if lines[j].startswith(f'  File "{ROOT}/') and "/.venv/" not in lines[j]:
                frames += [lines[j], lines[j + 1] if j + 1 < len(lines) else ""]
            j += 1
        end = j + 1  # a message quoting a line break ('\n') goes on to the next line
        while end < len(lines) and end - j < 3 and "\n".join(lines[j:end]).count("'") % 2:
            end += 1
        exception = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in "\n".join(lines[j:end])) or "(cut)"
        key = "\n".join([*frames, exception.split(":")[0]])
        seen[key] += 1
        example.setdefault(key, "\n".join([*frames, exception[:300]]))
    return "\n\n".join(f"[{n}x]\n{example[key]}" for key, n in seen.most_common()) or "(none in the server's log)"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzzing")
    log = folder / "server.log"
    with pic_server(folder / "data", USERS, log) as (url, tokens):
        yield url, tokens, log


@pytest.fixture(scope="module")
def operations(server) -> set[str]:
    """'METHOD /path' of every operation the live schema states."""
    paths = httpx.get(f"{server[0]}/openapi.json", timeout=30).json()["paths"]
    return {f"{method.upper()} {path}" for path, item in paths.items() for method in item if method in METHODS}


@pytest.fixture(scope="module")
def runs(server, tmp_path_factory) -> Callable[[str], Run]:
    """One `st run` per identity, shared by the checks below."""
    url, tokens, log = server
    done: dict[str, Run] = {}

    def run(identity: str) -> Run:
        if identity in done:
            return done[identity]
        folder = tmp_path_factory.mktemp(f"st-{identity}")  # also the working directory: st writes beside it
        junit, config = folder / "junit.xml", folder / "schemathesis.toml"
        config.write_text(CONFIG)
        st = str(Path(sys.executable).with_name("st"))
        command = [
            st,
            "--config-file",
            str(config),
            "run",
            f"{url}/openapi.json",
            "--checks",
            "not_a_server_error,content_type_conformance",
            "--seed",
            str(SEED),
            "--max-examples",
            str(MAX_EXAMPLES),
            "--generation-database",
            "none",
            "--no-shrink",
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--no-color",
            "--report",
            "junit",
            "--report-junit-path",
            str(junit),
        ]
        user = IDENTITIES[identity]
        if user:
            command += ["--header", f"Authorization: Bearer {tokens[user]}"]
        log_start = log.stat().st_size
        start = time.monotonic()
        try:
            finished = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=RUN_LIMIT)
        except subprocess.TimeoutExpired as e:
            said = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else e.stdout or ""
            pytest.fail(f"st run as {identity} took more than {RUN_LIMIT} s:\n{said[-3000:]}")
        seconds = time.monotonic() - start
        assert finished.returncode in (0, 1) and junit.exists(), (
            finished.returncode,
            finished.stdout[-3000:],
            finished.stderr[-3000:],
        )
        server_log = log.read_bytes()[log_start:].decode(errors="replace")
        done[identity] = Run(identity, seconds, finished.stdout, ElementTree.parse(junit), server_log)
        return done[identity]

    return run


@pytest.mark.parametrize("identity", IDENTITIES)
def test_no_server_error(runs, operations, identity):
    run = runs(identity)
    found = run.outcomes("failure", SERVER_ERRORS) + run.outcomes("error")
    assert not found, (
        run.report(found, "server errors, crashes or timeouts")
        + f"\n\nServer tracebacks:\n{tracebacks(run.server_log)}\n\nSlowest: {run.slowest()}"
    )
    assert len(operations) > 50 and not run.untested(operations), (run.untested(operations), run.output[-3000:])


@pytest.mark.parametrize("identity", IDENTITIES)
def test_answers_have_a_documented_content_type(runs, identity):
    run = runs(identity)
    found = run.outcomes("failure", CONTENT_TYPES)
    assert not found, run.report(found, "answers of a media type the schema does not state")
