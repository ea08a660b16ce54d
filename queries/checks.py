"""Quality checks are queries (OBO practice): each returns the offending rows; none is a pass."""

from importlib import resources


def check_queries() -> list[tuple[str, str]]:
    """(name, query text) of every check, sorted by name."""
    folder = resources.files("pic.queries").joinpath("checks")
    found = sorted(
        (f.name.removesuffix(".rq"), f.read_text(encoding="utf-8")) for f in folder.iterdir() if f.name.endswith(".rq")
    )
    if not found:
        raise FileNotFoundError("no check queries in pic.queries/checks")
    return found


def run_checks(store) -> dict[str, list[dict]]:
    """Offending rows per check, as {variable: value} dictionaries."""
    failures = {}
    for name, text in check_queries():
        result = store.query(text)
        rows = [{v.value: (row[v].value if row[v] is not None else None) for v in result.variables} for row in result]
        if rows:
            failures[name] = rows
    return failures
