"""Imports point one way (docs/architecture.md §1, issue 19): `service` uses `viz`, `queries` and `graph`;
nothing in `graph`, `queries`, `viz` or `ontology` imports `service` or the web framework, `graph` and
`queries` import no `viz`, and `ontology` nothing of the others. Read from the source with `ast`, so a lazy
import inside a function counts."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "graph": ("pic.service", "pic.viz", "fastapi", "starlette"),
    "queries": ("pic.service", "pic.viz", "fastapi", "starlette"),
    "viz": ("pic.service", "fastapi", "starlette"),
    "ontology": ("pic.service", "pic.viz", "pic.graph", "pic.queries", "fastapi"),
}


def imported(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_only_those_below_it(layer):
    wrong = sorted(
        f"{path.relative_to(ROOT)}: {module}"
        for path in (ROOT / layer).rglob("*.py")
        for module in imported(path)
        if module.startswith(FORBIDDEN[layer])
    )
    assert not wrong, wrong


def test_the_graph_layer_speaks_no_http():
    """No exception of `graph/` carries an HTTP status (issue 19: contributions, annotations and moderation
    raised theirs with 403, 404, 409, 422): `graph/errors.py` says what happened, `service/errors.py`
    answers it. Every exception class of every module, and every `raise` read with `ast` (a number from
    100 to 599 given to an exception is a status in the wrong layer). The engine's HTTP client reads the
    engine's replies' statuses: that is HTTP spoken to the engine, not to the user."""
    import importlib
    import inspect
    import pkgutil

    import pic.graph

    wrong = []
    for info in pkgutil.walk_packages(pic.graph.__path__, "pic.graph."):
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            exception = issubclass(cls, BaseException) and cls.__module__ == info.name
            if exception and ("status" in inspect.signature(cls.__init__).parameters or hasattr(cls, "status")):
                wrong.append(f"{info.name}.{name} has a status")
    for path in (ROOT / "graph").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                given = [*node.exc.args, *(k.value for k in node.exc.keywords)]
                if any(isinstance(a, ast.Constant) and type(a.value) is int and 100 <= a.value < 600 for a in given):
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}: raised with a status")
    assert not wrong, wrong
