"""Update evaluation: load the dataset before, send the update over the protocol (as admin on the
platform), read the whole dataset back with a query and compare it with the dataset after, as quads
(blank nodes up to renaming across the dataset, as the suite's files share none between graphs)."""

from pyoxigraph import BlankNode, Literal, NamedNode, parse

from tests.w3c.manifests import W3CTest, public_iri
from tests.w3c.matching import key, same_rows
from tests.w3c.query_suite import text_of
from tests.w3c.targets import EVERY_QUAD, FORMATS, PLATFORM_BASE, Target, message

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def expected_quads(test: W3CTest) -> list[tuple]:
    rows = set()
    for file in test.result_data:
        with open(file.path, "rb") as f:
            for q in parse(f, FORMATS[file.path.suffix], base_iri=public_iri(file.path)):
                graph = ("iri", file.graph) if file.graph else None
                rows.add((key(q.subject), key(q.predicate), key(q.object), graph))
    return sorted(rows, key=str)


def term(binding: dict):
    """A term of SPARQL JSON results."""
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return NamedNode(value)
    if kind == "bnode":
        return BlankNode(value)
    if "xml:lang" in binding:
        return Literal(value, language=binding["xml:lang"])
    return Literal(value, datatype=NamedNode(binding.get("datatype", XSD_STRING)))


def dataset_of(target: Target) -> list[tuple]:
    rows = set()
    for b in target.rows(EVERY_QUAD):
        graph = b.get("g", {}).get("value")
        if target.platform and graph and graph.startswith(PLATFORM_BASE):
            continue
        rows.add((key(term(b["s"])), key(term(b["p"])), key(term(b["o"])), ("iri", graph) if graph else None))
    return sorted(rows, key=str)


def run_one(target: Target, test: W3CTest) -> str | None:
    loaded = target.load(test.data)
    if loaded:
        return loaded
    r = target.update(text_of(test))
    if r.status_code >= 300:
        return f"update answered {r.status_code}: {message(r)}"
    why = same_rows(expected_quads(test), dataset_of(target))
    return None if why is None else f"dataset after the update: {why}"


def evaluation_tests(tests: list[W3CTest]) -> list[W3CTest]:
    return [t for t in tests if t.kind == "UpdateEvaluationTest" and t.approved and not t.requires]
