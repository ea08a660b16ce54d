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


def reads_app_state(path: Path) -> list[str]:
    """Where a module reads the application's state (`request.app.state…`, `app.state…`), read with `ast`."""
    return [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute)
        and node.attr == "state"
        and (
            (isinstance(node.value, ast.Attribute) and node.value.attr == "app")
            or (isinstance(node.value, ast.Name) and node.value.id == "app")
        )
    ]


def test_routers_and_pages_take_state_from_dependencies():
    """One way into state and settings: an endpoint names what it needs in its signature (`service/deps.py`:
    `SettingsDep`, `WriterDep`, `GraphsDep`…) and hands it to its helpers, so a test can override it and a
    reader sees it at once. The app (`service/app.py`), the dependencies themselves, the current user
    (`service/auth.py`) and middleware may read `app.state`; routers and the pages' helpers do not."""
    modules = sorted((ROOT / "service" / "routers").glob("*.py")) + [ROOT / "service" / "pages.py"]
    assert len(modules) > 10, "no router found"
    wrong = [place for path in modules for place in reads_app_state(path)]
    assert not wrong, wrong


def filters_graphs(node: ast.AST) -> bool:
    """`g in readable` (a reader's list), `may_read(…)`, or a test of a graph's name against hidden ones."""
    if isinstance(node, ast.Compare) and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops):
        return any(
            (isinstance(n, ast.Name) and n.id == "readable") or (isinstance(n, ast.Attribute) and n.attr == "readable")
            for c in node.comparators
            for n in ast.walk(c)
        )
    if isinstance(node, ast.Name | ast.Attribute) and getattr(node, "id", getattr(node, "attr", None)) == "may_read":
        return True
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and "graph/hidden/" in node.value


def test_one_place_decides_who_reads_which_graph():
    """`graph/access.py` holds every reading rule (docs/architecture.md §6): `may_read` is called there
    alone, and the rest asks it by the rule's plain name (`is_public`, `readable_by`, `cut_to`,
    `annotation_graphs`, `standard_dataset`). And no router or page helper filters graphs itself, as far
    as a simple check can say: no comprehension of theirs tests a graph against what a reader may read."""
    calls = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for layer in ("graph", "service", "viz", "queries")
        for path in (ROOT / layer).rglob("*.py")
        if path != ROOT / "graph" / "access.py"
        for node in ast.walk(ast.parse(path.read_text()))
        if (isinstance(node, ast.Name) and node.id == "may_read")
        or (isinstance(node, ast.Attribute) and node.attr == "may_read")
        or (isinstance(node, ast.alias) and node.name == "may_read")
    ]
    assert not calls, calls
    pages = [*(ROOT / "service" / "routers").glob("*.py"), ROOT / "service" / "pages.py", ROOT / "service" / "state.py"]
    filters = [
        f"{path.relative_to(ROOT)}:{test.lineno}"
        for path in pages
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.comprehension)
        for test in node.ifs
        if any(filters_graphs(part) for part in ast.walk(test))
    ]
    assert not filters, filters


def test_every_module_of_graph_imports_first():
    """A module imported before any other must not find its own import cycle half done:
    `inference_facts` first failed on a name `inference` read from it at import time (found by mypy's
    strict pass, issue 19). One interpreter a module, all in one process tree."""
    import subprocess
    import sys

    modules = sorted(
        "pic." + ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in (ROOT / "graph").rglob("*.py")
        if p.name != "__init__.py"
    )
    script = (
        "import subprocess, sys\n"
        "failed = [m for m in sys.argv[1:] if subprocess.run([sys.executable, '-c', 'import ' + m],"
        " capture_output=True).returncode]\n"
        "print(' '.join(failed))"
    )
    out = subprocess.run([sys.executable, "-c", script, *modules], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"these modules fail when imported first: {out.stdout}"
