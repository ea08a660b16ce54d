"""The W3C SPARQL and Web Annotation test suites (`../shared/conformance/w3c/`) over HTTP against a live
platform, on the embedded and on the remote backend in standard mode, and against the bare engine the
platform embeds (`oxigraph serve`) in the same run: the baseline is what the bare engine passes. The
platform must pass every test the bare engine passes, less those listed in
`tests/w3c/known_differences.toml` (justified, capped; or pending, to fix). Each suite prints its
counts side by side; the runner is in `tests/w3c/` (one module per idea)."""

import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from tests.w3c import differences, suites
from tests.w3c.annotation_schemas import check
from tests.w3c.manifests import conformance_dir
from tests.w3c.matching import compare
from tests.w3c.results import Boolean, Solutions, Triples

pytestmark = pytest.mark.slow
BACKENDS = ("embedded", "remote")
FLOOR = {"query-evaluation": 390}  # issue 18: core query evaluation in standard mode, of 413


@pytest.fixture(scope="module")
def results():
    """Every suite on the three targets, side by side (a thread per target: each mostly waits on its
    server). One run for the module: about 2 minutes on 2 cores."""
    conformance_dir()  # missing suites: a failure with what to do, before any server starts
    suites.prepare()
    with tempfile.TemporaryDirectory(prefix="w3c-") as tmp, ThreadPoolExecutor(len(suites.TARGETS)) as pool:
        runs = {name: pool.submit(suites.run_target, name, Path(tmp) / name) for name in suites.TARGETS}
        return {name: run.result() for name, run in runs.items()}


def report(line: str, record_property) -> None:
    """A line of counts, printed in the run's summary (`conftest.pytest_terminal_summary`), also from a
    worker of `pytest -n`, whose own output the run does not show."""
    record_property("w3c", line)


@pytest.mark.parametrize("suite", suites.SPARQL_SUITES)
def test_platform_passes_what_the_bare_engine_passes(results, suite, record_property):
    total = len(suites.tests_of(suite))
    bare = suites.passed(results["bare"][suite])
    justified, pending = differences.listed("justified", suite), differences.listed("pending", suite)
    counts = ", ".join(f"platform {b} {len(suites.passed(results[b][suite]))}/{total}" for b in BACKENDS)
    seconds = ", ".join(str(round(results[t]["seconds"])) for t in suites.TARGETS)
    report(
        f"W3C {suite}: {counts}, bare engine {len(bare)}/{total}; listed {len(justified)} justified, "
        f"{len(pending)} pending; platform restarts {results['embedded']['restarts']}/"
        f"{results['remote']['restarts']}; seconds (bare, embedded, remote) {seconds}",
        record_property,
    )
    problems = []
    for backend in BACKENDS:
        outcomes = results[backend][suite]
        missing = sorted(bare - suites.passed(outcomes) - set(justified) - set(pending))
        problems += [f"{backend}: {test}: {outcomes[test]}" for test in missing]
    stale = [
        t for t in {**justified, **pending} if all(results[b][suite].get(t) is None for b in BACKENDS) or t not in bare
    ]
    problems += [f"listed but passing on both backends, or failing on the bare engine: {t}" for t in sorted(stale)]
    assert not problems, f"{len(problems)} difference(s) from the bare engine:\n" + "\n".join(problems[:40])
    if suite in FLOOR and not pending:
        for backend in BACKENDS:
            assert len(suites.passed(results[backend][suite])) >= FLOOR[suite], f"{backend}: below {FLOOR[suite]}"


def test_every_annotation_document_meets_the_web_annotation_musts(results, record_property):
    pending = differences.listed("pending", "web-annotation")
    counts = ", ".join(
        f"platform {b} {len(suites.passed(results[b]['web-annotation']))}/{len(results[b]['web-annotation'])} documents"
        for b in BACKENDS
    )
    report(f"W3C web-annotation: {counts} meet every MUST; listed {len(pending)} pending", record_property)
    problems = [
        f"{b}: {doc}: {why}"
        for b in BACKENDS
        for doc, why in results[b]["web-annotation"].items()
        if why and doc not in pending
    ]
    problems += [
        f"listed but passing on both backends: {doc}"
        for doc in pending
        if all(results[b]["web-annotation"].get(doc) is None for b in BACKENDS)
    ]
    assert not problems, "\n".join(problems)


def test_the_known_differences_respect_their_caps():
    items = differences.read()
    ids = {suite: {t.id for t in suites.tests_of(suite)} for suite in suites.SPARQL_SUITES}
    for item in items:
        assert item.reason.strip(), f"{item.test}: no reason"
        if item.suite != "web-annotation":
            assert item.test in ids[item.suite], f"{item.test} is not a test of {item.suite}"
    for suite in {item.suite for item in items}:
        justified = [i for i in items if i.kind == "justified" and i.suite == suite]
        assert len(justified) <= differences.CAPS.get(suite, 0), f"{suite}: {len(justified)} justified"
    pairs = [(i.suite, i.test) for i in items]
    assert len(pairs) == len(set(pairs)), "a test is listed twice"


def test_results_are_compared_as_the_specifications_say():
    """The matcher itself: blank nodes up to renaming, multisets, numerics by value, order, graphs."""
    ex, integer = NamedNode("http://example.org/x"), NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    a, b = BlankNode("a"), BlankNode("b")
    rows = Solutions(["s", "n"], [{"s": a, "n": Literal("01", datatype=integer)}, {"s": b, "n": Literal("2")}])
    renamed = Solutions(
        ["n", "s"],
        [{"s": BlankNode("z"), "n": Literal("2")}, {"s": BlankNode("y"), "n": Literal("1", datatype=integer)}],
    )
    assert compare(rows, renamed) is None
    same_node = Solutions(["s", "n"], [{"s": a, "n": Literal("1", datatype=integer)}, {"s": a, "n": Literal("2")}])
    assert compare(rows, same_node) is not None  # two blank nodes are not one
    assert compare(rows, Solutions(["s", "n"], rows.rows * 2)) is not None  # multisets, not sets
    assert compare(rows, renamed, order=["n"]) is not None  # ORDER BY: the sequence counts
    assert compare(Boolean(True), Boolean(False)) is not None
    cycle = Triples([Triple(a, ex, b), Triple(b, ex, a)])
    assert (
        compare(
            cycle, Triples([Triple(BlankNode("q"), ex, BlankNode("r")), Triple(BlankNode("r"), ex, BlankNode("q"))])
        )
        is None
    )
    assert compare(cycle, Triples([Triple(a, ex, a), Triple(b, ex, b)])) is not None  # not isomorphic


def test_the_schemas_tell_correct_annotations_from_incorrect_ones():
    """The Web Annotation checker on the suite's own samples: every incorrect sample breaks a MUST,
    the correct single annotations pass (but Composite/List/Independents targets, which the suite's
    schema misreads and the platform never emits)."""
    import json

    samples = conformance_dir() / "web-annotation-tests" / "tools" / "samples"
    incorrect = sorted((samples / "incorrect").glob("*.json"))
    correct = sorted((samples / "correct").glob("anno*.json"))
    assert incorrect and correct
    for path in incorrect:
        try:
            document = json.loads(path.read_text())
        except ValueError:
            continue  # not even JSON
        assert check("annotation", document)[0], f"{path.name} passes every MUST"
    passing = [p.name for p in correct if not check("annotation", json.loads(p.read_text()))[0]]
    failing = {p.name for p in correct} - set(passing)
    assert failing <= {"anno11.json", "anno12.json", "anno13.json"}, f"correct samples failing a MUST: {failing}"
