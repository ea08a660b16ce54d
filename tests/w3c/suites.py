"""Which tests each suite runs, and a target's whole run: its server started, every suite run on it,
its server stopped (the three targets run side by side, each in a thread of its own).

The suites: query evaluation (the 413 core tests of `sparql-core-tests.txt`, result formats included),
update evaluation, syntax (positive and negative, queries and updates), the protocol, the Graph Store
Protocol (approved tests without `mf:requires`, as for the core list; the Graph Store tests all
"require" a way of naming graphs, which the baseline decides), and, on the platform only, the Web
Annotation schemas for every annotation document it emits.
"""

import time
from functools import cache
from pathlib import Path

from tests.w3c import annotation_suite, http_suite, query_suite, syntax_suite, update_suite
from tests.w3c.manifests import all_tests, core_tests
from tests.w3c.runs import Outcomes, run_tests
from tests.w3c.servers import bare_engine, platform

SPARQL_SUITES = ("query-evaluation", "update-evaluation", "syntax", "protocol", "graph-store")
TARGETS = ("bare", "embedded", "remote")


@cache
def tests_of(suite: str) -> list:
    update = "sparql11/manifest-sparql11-update.ttl"
    if suite == "query-evaluation":
        return core_tests()
    if suite == "update-evaluation":
        return update_suite.evaluation_tests(all_tests(update))
    if suite == "syntax":
        return syntax_suite.syntax_tests(all_tests("sparql11/manifest-sparql11-query.ttl") + all_tests(update))
    if suite == "protocol":
        return http_suite.protocol_tests(all_tests("sparql11/protocol/manifest.ttl"), "ProtocolTest")
    return http_suite.protocol_tests(all_tests("sparql11/graph-store-protocol/manifest.ttl"), "GraphStoreProtocolTest")


DATASETS = {"query-evaluation": query_suite.dataset}  # suites whose tests only read: the files they load
RUN_ONE = {
    "query-evaluation": query_suite.run_one,
    "update-evaluation": update_suite.run_one,
    "syntax": syntax_suite.run_one,
    "protocol": http_suite.run_one,
    "graph-store": http_suite.run_one,
}


def prepare() -> None:
    """Read every manifest and query once, before the threads start (rdflib is slow and not thread-safe
    to share half-built)."""
    for suite in SPARQL_SUITES:
        for test in tests_of(suite):
            if suite == "query-evaluation":
                query_suite.reading(test)
            elif suite in ("protocol", "graph-store"):
                http_suite.requests_of(test)


def run_target(name: str, tmp: Path) -> dict:
    """Every suite on one target: {suite: outcomes, "restarts": n, "seconds": s}."""
    started = time.monotonic()
    tmp.mkdir(parents=True, exist_ok=True)
    server = bare_engine(tmp) if name == "bare" else platform(tmp, name)
    found: dict = {}
    with server as target:
        for suite in SPARQL_SUITES:
            found[suite] = run_tests(target, tests_of(suite), RUN_ONE[suite], DATASETS.get(suite))
        if name != "bare":  # last: the annotations' graphs are the platform's own, which no test removes
            found["web-annotation"] = annotation_suite.run(target)
        found["restarts"] = target.restarts
    found["seconds"] = time.monotonic() - started
    return found


def passed(outcomes: Outcomes) -> set[str]:
    return {test for test, why in outcomes.items() if why is None}
