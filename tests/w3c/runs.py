"""A suite's tests run one after the other on one target, each on an emptied store.

A suite whose tests only read (query evaluation) runs consecutive tests with the same data files on
the same loaded store. One broken test (a runner error, a server that drops the connection) becomes that
test's failure with
its reason, not the end of the run. The platform cannot remove blank nodes, so a test that left a graph
holding some gets a fresh platform after it (`Target.restart`, counted and reported).
"""

from collections.abc import Callable

from tests.w3c.targets import Target

Outcomes = dict[str, str | None]  # test id → None (passed) or why it failed


def clean(target: Target) -> None:
    if target.reset():
        assert target.restart, f"{target.name}: could not empty the store: {target.stuck}"
        target.restart()
        target.restarts += 1


def run_tests(target: Target, tests: list, run_one: Callable, dataset: Callable | None = None) -> Outcomes:
    """Each test on an emptied store. `dataset(test)`: for a suite whose tests only read, the files a test
    loads; a test whose files are those already loaded (and nothing else written since) runs on them
    as they are, without emptying and loading again (query evaluation: 413 tests, far fewer datasets)."""
    outcomes: Outcomes = {}
    clean(target)
    for test in tests:
        files = dataset(test) if dataset else None
        if files is None or files != target.dataset:
            clean(target)
        try:
            outcomes[test.id] = run_one(target, test)
        except Exception as e:  # the runner's own fault, or a connection the server dropped
            outcomes[test.id] = f"runner error: {type(e).__name__}: {e}"
            target.dataset = None
    clean(target)
    return outcomes
