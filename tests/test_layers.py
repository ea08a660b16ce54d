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
