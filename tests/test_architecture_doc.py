"""docs/architecture.md and the README's "where does my change go" table name what exists (issue 19): every
path in backquotes is a file or folder of the repository, every module a room names is in that room, and
the README links only inside the repository."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOP = ("ontology/", "graph/", "queries/", "service/", "viz/", "tests/", "bench/", "docs/", "../shared/")


def quoted_paths(text: str) -> set[str]:
    """Backquoted words that are paths of the repository (`graph/writes/path.py`, `service/app.py::…`)."""
    words = {w.split("::")[0] for w in re.findall(r"`([^`\s]+)`", text)}
    return {w for w in words if w.startswith(TOP[:-1]) and "{" not in w and "*" not in w}


def test_the_paths_the_design_names_exist():
    text = (ROOT / "docs" / "architecture.md").read_text()
    paths = quoted_paths(text)
    assert len(paths) > 20, paths
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert not missing, missing


def test_each_room_holds_the_modules_its_row_names():
    text = (ROOT / "docs" / "architecture.md").read_text()
    rows = re.findall(r"^\| `(graph/[a-z_]+/)` \| (.+) \|$", text, re.M)
    assert len(rows) >= 7, rows
    for room, cell in rows:
        for module in re.findall(r"`([a-z_]+\.py)`", cell):
            assert (ROOT / room / module).is_file(), f"{room}{module}"
    listed = {room for room, _ in rows}
    rooms = {f"graph/{p.name}/" for p in (ROOT / "graph").iterdir() if (p / "__init__.py").is_file()}
    assert rooms == listed, (rooms, listed)


def test_every_module_of_graph_is_in_a_room_or_named_at_the_top():
    text = (ROOT / "docs" / "architecture.md").read_text()
    top = re.search(r"^\| `graph/` \(top\) \| (.+) \|$", text, re.M)
    assert top, "the table's row for graph/'s top modules"
    named = set(re.findall(r"`([a-z_]+\.py)`", top.group(1))) | {"__init__.py"}
    here = {p.name for p in (ROOT / "graph").glob("*.py")}
    assert here == named, (here - named, named - here)


def test_the_readme_links_inside_the_repository_and_its_table_names_what_exists():
    text = (ROOT / "README.md").read_text()
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        assert not target.startswith("../"), f"the README links outside the repository: {target}"
        if not target.startswith(("http://", "https://", "/")):
            assert (ROOT / target).exists(), target
    table = text.split("## Where does my change go", 1)
    assert len(table) == 2, "the README's newcomer table"
    section = table[1].split("\n## ", 1)[0]
    missing = sorted(p for p in quoted_paths(section) if not (ROOT / p).exists())
    assert not missing, missing
