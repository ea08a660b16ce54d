"""`make` installs the versions the tests passed with (requirements.lock, issue 19): each dependency of
pyproject.toml, the test extras included, is pinned there inside its range, and the Makefile installs
from the lock, then the project without resolving again. `make lock` writes it anew."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def pinned() -> dict[str, str]:
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    return {canonicalize_name(m[1]): m[2] for line in lines if (m := re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line))}


def test_every_dependency_is_pinned_within_its_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    lock = pinned()
    for spec in map(Requirement, wanted):
        name = canonicalize_name(spec.name)
        assert name in lock, f"{spec.name} is not in requirements.lock: run `make lock`"
        assert spec.specifier.contains(lock[name], prereleases=True), (
            f"requirements.lock pins {spec.name}=={lock[name]}, outside {spec.specifier}: run `make lock`"
        )


def test_make_installs_from_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet -r requirements.lock" in makefile
    assert "pip install --quiet --no-deps -e ." in makefile
    assert '-e ".[test]"' not in makefile


# The import name of each distribution whose name differs from it.
IMPORTED_AS = {"python-docx": "docx", "sparqlwrapper": "SPARQLWrapper", "fpdf2": "fpdf"}
# Used without an import: the engine's server binary, uvicorn's parts, Swagger UI's files read as package data.
RUNTIME_ONLY = {"oxigraph", "httptools", "uvicorn", "python-multipart", "fastapi-offline"}


def imported(folders: tuple[str, ...]) -> set[str]:
    found = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            found |= set(re.findall(r"^\s*(?:from|import) ([A-Za-z_][A-Za-z0-9_]*)", path.read_text(), re.M))
    return found


def test_the_service_needs_its_dependencies_and_only_those():
    """owlready2, owlrl and pyshacl were installed with the service though only tests used them, and
    httpx2 by nothing at all."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    app = imported(("graph", "service", "viz", "queries", "ontology"))
    for spec in map(Requirement, project["dependencies"]):
        name = canonicalize_name(spec.name)
        module = IMPORTED_AS.get(name, name.replace("-", "_"))
        assert module in app or name in RUNTIME_ONLY, f"{spec.name} is a dependency the service never imports"
    for spec in map(Requirement, project["optional-dependencies"]["test"]):
        name = canonicalize_name(spec.name)
        module = IMPORTED_AS.get(name, name.replace("-", "_"))
        assert module not in app, f"{spec.name} is a test dependency the service imports"


def test_the_pre_commit_hooks_run_what_make_test_checks_first():
    """Issue 19, item 7: the same as `make test`'s first steps — ruff's two checks and mypy — as local
    hooks (the usual hook repositories are fetched from the internet)."""
    import yaml

    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {h["id"]: h["entry"] for r in config["repos"] if r["repo"] == "local" for h in r["hooks"]}
    assert [r["repo"] for r in config["repos"]] == ["local"]
    assert hooks["ruff-check"].startswith(".venv/bin/ruff check") and "--fix" not in hooks["ruff-check"]
    assert hooks["ruff-format"].startswith(".venv/bin/ruff format --check")
    assert hooks["mypy"] == "make typecheck"
    make = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: .*typecheck", make, re.M) and "$(BIN)/ruff format --check ." in make
