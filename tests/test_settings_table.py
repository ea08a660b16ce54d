"""The README's settings table is the `Settings` class's (issue 19, step 5): a setting added, renamed or
given another default without its row, or a row for a setting that went, fails here."""

from pathlib import Path

from pic.graph.settings import Settings, table

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_table_is_made_from_the_class():
    section = README.read_text().split("## Settings (`PIC_*` environment variables)", 1)[1].split("\n## ", 1)[0]
    assert table() in section, "run `python -m pic.graph.settings` and paste its table into the README"


def test_every_setting_says_what_it_is_for():
    assert not [name for name, info in Settings.model_fields.items() if not (info.description or "").strip()]


def test_the_row_caps_of_pages_are_settings():
    """A page's query caps its rows with `LIMIT $name`, made a setting's number by `pages.limited`
    (`page_rows`, `form_choices`…), not with a number of its own; the workbench's example query, text a
    user edits, is no cap."""
    import ast
    import re

    service = README.parent / "service"
    wrong = [
        f"{path.relative_to(README.parent)}:{node.lineno}"
        for path in [*service.glob("*.py"), *service.glob("routers/*.py")]
        if path.name != "workbench.py"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search(r"LIMIT \d", node.value)
    ]
    assert not wrong, wrong
