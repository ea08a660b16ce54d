"""Query evaluation (and the result-format tests): load the test's dataset, send the query over the
SPARQL protocol, compare the answer with the expected results.

The query is sent with `BASE <its published IRI>` in front, so that relative IRIs (and `FROM
<data-g1.ttl>`) resolve as in the suite; the files a FROM or FROM NAMED names are loaded as named
graphs of that IRI first. The answer is asked in the expected results' own format (XML for `.srx`, JSON
for `.srj`, TSV, CSV; N-Triples for graphs), which is what the result-format tests test.
"""

from functools import cache

from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.term import Variable

from tests.w3c.manifests import GraphFile, W3CTest, local_path, public_iri
from tests.w3c.matching import compare
from tests.w3c.results import Triples, Unreadable, read_answer, read_expected
from tests.w3c.targets import Target, message

ACCEPT = {
    ".srx": "application/sparql-results+xml",
    ".srj": "application/sparql-results+json",
    ".tsv": "text/tab-separated-values",
    ".csv": "text/csv",
}
WRAPPERS = ("Project", "Distinct", "Reduced", "Slice", "ToMultiSet")


def text_of(test: W3CTest) -> str:
    """The query or update text, with the BASE of its published IRI."""
    return f"BASE <{public_iri(test.query)}>\n" + test.query.read_text(encoding="utf-8")


@cache
def reading(test: W3CTest) -> tuple[tuple[GraphFile, ...], list[str] | None]:
    """(the suite's files the query's dataset clauses name, the variables of its ORDER BY or None), read
    by rdflib's SPARQL parser (a query it cannot read: no files, no order to check)."""
    text = text_of(test)
    if "from" not in text.lower() and "order" not in text.lower():
        return (), None
    try:
        algebra = translateQuery(parseQuery(text), base=public_iri(test.query)).algebra
    except Exception:  # rdflib's parser fails in many ways; the engine decides
        return (), None
    files = []
    for clause in algebra.get("datasetClause") or []:
        iri = str(clause["default"] if "default" in clause else clause["named"])
        if iri.startswith("https://w3c.github.io/rdf-tests/") and local_path(iri).is_file():
            files.append(GraphFile(local_path(iri), iri))
    return tuple(files), order_of(algebra["p"])


def order_of(node) -> list[str] | None:
    """The variables of the top-level ORDER BY when each condition is a plain variable."""
    while node is not None and getattr(node, "name", None) in WRAPPERS:
        node = node.get("p")
    if getattr(node, "name", None) != "OrderBy":
        return None
    names = []
    for condition in node["expr"]:
        expr = condition.get("expr") if hasattr(condition, "get") else condition
        if not isinstance(expr, Variable):
            return None
        names.append(str(expr))
    return names


def dataset(test: W3CTest) -> tuple[GraphFile, ...]:
    """The files a test loads: its data, and the files its FROM / FROM NAMED name."""
    return tuple(dict.fromkeys(test.data + reading(test)[0]))


def run_one(target: Target, test: W3CTest) -> str | None:
    """None if the target passes the test, else the reason."""
    expected = read_expected(test.result)
    order = reading(test)[1]
    loaded = target.load(dataset(test))
    if loaded:
        return loaded
    accept = (
        "application/n-triples"
        if isinstance(expected, Triples)
        else ACCEPT.get(test.result.suffix, "application/sparql-results+json")
    )
    r = target.query(text_of(test), accept)
    if r.status_code != 200:
        return f"query answered {r.status_code}: {message(r)}"
    try:
        answer = read_answer(r.content, r.headers.get("content-type", ""))
    except Unreadable as e:
        return str(e)
    return compare(expected, answer, order)
