"""Syntax tests, positive and negative, for queries (`.rq`, sent to the query endpoint) and updates
(`.ru`, sent to the update endpoint as admin), over the protocol: a positive test passes when the server
runs the text (2xx; on an empty store), a negative one when it refuses it as a bad request (4xx, not a
server error). A positive update is really applied, on an emptied store, like any client's."""

from tests.w3c.manifests import W3CTest
from tests.w3c.query_suite import text_of
from tests.w3c.targets import Target, message

ANY_FORM = "application/sparql-results+json, application/n-triples;q=0.9"  # SELECT/ASK or CONSTRUCT/DESCRIBE
KINDS = ("PositiveSyntaxTest11", "NegativeSyntaxTest11", "PositiveUpdateSyntaxTest11", "NegativeUpdateSyntaxTest11")


def syntax_tests(tests: list[W3CTest]) -> list[W3CTest]:
    return [t for t in tests if t.kind in KINDS and t.approved and not t.requires]


def run_one(target: Target, test: W3CTest) -> str | None:
    try:
        text = text_of(test)
    except UnicodeDecodeError:  # (a negative test may hold bytes that are not UTF-8)
        text = test.query.read_bytes().decode("utf-8", "replace")
    r = target.update(text) if test.query.suffix == ".ru" else target.query(text, ANY_FORM)
    positive = test.kind.startswith("Positive")
    if positive and r.status_code >= 300:
        return f"refused a valid text: {r.status_code} {message(r)}"
    if not positive and not 400 <= r.status_code < 500:
        return f"invalid text answered {r.status_code}" + ("" if r.status_code < 300 else f": {message(r)}")
    return None
