"""Results compared as the SPARQL specification and its test suite say: solutions as multisets (a
sequence where the query orders them), blank nodes up to renaming, graphs by isomorphism (a graph is a
set of triples: isomorphic means equal under some one-to-one renaming of blank nodes, which the same
matcher finds), numeric literals by value (`"01"^^xsd:integer` is `"1"^^xsd:integer`; the datatype
still counts), other literals as terms.

The matcher is a small backtracking search: rows without blank nodes must match exactly, as multisets;
each row with blank nodes is paired with an unused answer row under a renaming that extends the one
built so far. The test suite's results hold a few dozen rows, so the search stays small; a step limit
turns a pathological case into a failure that says so.
"""

from collections import Counter
from decimal import Decimal, InvalidOperation

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from tests.w3c.results import Boolean, Result, Solutions, Triples

XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGERS = {
    XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
}
BLANK = "_"
STEPS = 200_000


def numeric(lexical: str, datatype: str) -> str | None:
    """The canonical lexical form of a numeric literal, None if not numeric or not valid."""
    try:
        if datatype in INTEGERS:
            return str(int(lexical.strip()))
        if datatype == XSD + "decimal":
            return format(Decimal(lexical.strip()).normalize(), "f")
        if datatype in (XSD + "double", XSD + "float"):
            return repr(float(lexical.strip()))
    except (ValueError, InvalidOperation):
        return None
    return None


def key(term) -> tuple:
    """A comparable key for a term; blank nodes as (BLANK, label) for the matcher to rename."""
    if isinstance(term, BlankNode):
        return (BLANK, term.value)
    if isinstance(term, NamedNode):
        return ("iri", term.value)
    if isinstance(term, Literal):
        datatype = term.datatype.value
        return ("literal", numeric(term.value, datatype) or term.value, datatype, term.language or "")
    if isinstance(term, Triple):  # (RDF-star quoted triples are not in the core tests)
        return ("triple", key(term.subject), key(term.predicate), key(term.object))
    if isinstance(term, str):  # CSV: text only; `_:b0` is a blank node
        return (BLANK, term[2:]) if term.startswith("_:") else ("text", term)
    raise TypeError(f"not a term: {term!r}")


def ground(row: tuple) -> tuple:
    return tuple(BLANK if k is not None and k[0] == BLANK else k for k in row)


def has_blank(row: tuple) -> bool:
    return any(k is not None and k[0] == BLANK for k in row)


def same_rows(expected: list[tuple], answered: list[tuple]) -> str | None:
    """None if the two multisets of rows are equal up to a renaming of blank nodes, else why not."""
    if len(expected) != len(answered):
        return f"{len(answered)} rows, expected {len(expected)}"
    missing = Counter(map(ground, expected)) - Counter(map(ground, answered))
    if missing:
        extra = Counter(map(ground, answered)) - Counter(map(ground, expected))
        return f"missing {show(list(missing)[:3])}; unexpected {show(list(extra)[:3])}"
    left = [r for r in expected if has_blank(r)]
    right = [r for r in answered if has_blank(r)]
    if not left:
        return None
    steps = [0]
    if _pair(left, right, set(), {}, {}, steps):
        return None
    if steps[0] >= STEPS:
        return f"gave up matching blank nodes after {STEPS} steps"
    return "no renaming of blank nodes makes the rows equal"


def _pair(left, right, used: set, forward: dict, backward: dict, steps: list) -> bool:
    if not left:
        return True
    row, rest = left[0], left[1:]
    for j, candidate in enumerate(right):
        steps[0] += 1
        if steps[0] >= STEPS:
            return False
        if j in used or ground(candidate) != ground(row):
            continue
        added = _extend(row, candidate, forward, backward)
        if added is None:
            continue
        used.add(j)
        if _pair(rest, right, used, forward, backward, steps):
            return True
        used.discard(j)
        for a, b in added:
            del forward[a], backward[b]
    return False


def _extend(row, candidate, forward: dict, backward: dict) -> list | None:
    """Extend the renaming so that `row` becomes `candidate`; the pairs added, or None (undone)."""
    added = []
    for a, b in zip(row, candidate, strict=True):
        if a is None or a[0] != BLANK:
            continue
        if forward.get(a) == b:
            continue
        if a in forward or b in backward:
            for x, y in added:
                del forward[x], backward[y]
            return None
        forward[a], backward[b] = b, a
        added.append((a, b))
    return added


def show(rows) -> str:
    return (
        "["
        + ", ".join(
            "("
            + " ".join(
                "·" if k is None else str(k[-1] if k[0] == "iri" else k[1])
                for k in (r if isinstance(r, tuple) else (r,))
            )
            + ")"
            for r in rows
        )
        + "]"
    )


def rows_of(solutions: Solutions, variables: list[str]) -> list[tuple]:
    return [tuple(key(r[v]) if v in r else None for v in variables) for r in solutions.rows]


def compare(expected: Result, answered: Result, order: list[str] | None = None) -> str | None:
    """None if the answer is the expected result, else a one-line reason. `order`: the variables of a
    query's ORDER BY, whose values must then come in the expected sequence."""
    if type(expected) is not type(answered):
        return f"expected {type(expected).__name__.lower()}, got {type(answered).__name__.lower()}"
    if isinstance(expected, Boolean):
        return None if expected.value == answered.value else f"expected {expected.value}, got {answered.value}"
    if isinstance(expected, Triples):
        left = sorted({(key(t.subject), key(t.predicate), key(t.object)) for t in expected.triples})
        right = sorted({(key(t.subject), key(t.predicate), key(t.object)) for t in answered.triples})
        why = same_rows(left, right)
        return None if why is None else f"graphs not isomorphic: {why}"
    if set(expected.variables) != set(answered.variables):
        return f"variables {sorted(answered.variables)}, expected {sorted(expected.variables)}"
    variables = sorted(expected.variables)
    why = same_rows(rows_of(expected, variables), rows_of(answered, variables))
    if why is None and order:
        keys = [v for v in order if v in variables]
        if [ground(r) for r in rows_of(expected, keys)] != [ground(r) for r in rows_of(answered, keys)]:
            why = f"rows not in the order of ORDER BY {' '.join('?' + k for k in keys)}"
    return why
