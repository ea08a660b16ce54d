"""The W3C Web Annotation test suite's JSON schemas (draft 04), applied to what the platform emits.

The suite's `*.test` files list assertion schemas; each assertion says whether failing it breaks a MUST
(`"onUnexpectedResult": "failAndContinue"`) or only shows an optional feature missing
(`passAndContinue`). Assertions `$ref` the shared definitions (`annotations.json#/definitions/…`) by bare
file name, as the suite's own harness registers them: here every schema gets a base URI in one made-up
folder, where a registry holds the suite's `definitions/`.

Annotations inside a page's `items` have no `@context` of their own (JSON-LD: they inherit the page's);
they are checked with the page's context added, as the suite expects a context on each annotation.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jsonschema_rs

from tests.w3c.manifests import conformance_dir

BASE = "https://w3c-annotation-tests.invalid/definitions/"
LISTS = {
    "annotation": (
        "annotations/annotationMusts.test",
        "annotations/annotationOptionals.test",
        "annotations/annotationsAgentOptionals.test",
    ),
    "collection": ("collections/collectionMusts.test", "collections/collectionOptionals.test"),
    "page": ("collections/pages/pageMusts.test", "collections/pages/pageOptionals.test"),
}


def suite_dir() -> Path:
    found = conformance_dir() / "web-annotation-tests"
    assert (found / "definitions").is_dir(), f"the Web Annotation tests are not in {found}"
    return found


@cache
def registry() -> jsonschema_rs.Registry:
    """The suite's definitions, each under its file name in the made-up folder (the file's own `id` is
    its bare name, which resolves against nothing)."""
    resources = []
    for path in sorted((suite_dir() / "definitions").glob("*.json")):
        schema = json.loads(path.read_text())
        schema["id"] = BASE + path.name
        resources.append((schema["id"], schema))
    return jsonschema_rs.Registry(resources, draft=jsonschema_rs.Draft4)


@dataclass(frozen=True)
class Assertion:
    name: str  # the schema file, e.g. `annotations/3.1-annotationContextValidated.json`
    must: bool
    validator: object


@cache
def assertions(kind: str) -> tuple[Assertion, ...]:
    """The assertions of the suite's test lists for an annotation, a collection or a page."""
    found = {}
    for listing in LISTS[kind]:
        for name in json.loads((suite_dir() / listing).read_text())["assertions"]:
            schema = json.loads((suite_dir() / name).read_text())
            schema["id"] = BASE + Path(name).name
            validator = jsonschema_rs.Draft4Validator(
                schema, registry=registry(), base_uri=schema["id"], validate_formats=True
            )  # (a `$ref` hides its sibling `id`)
            found[name] = Assertion(name, schema.get("onUnexpectedResult") == "failAndContinue", validator)
    assert found, f"no assertion listed for {kind}"
    return tuple(found.values())


def check(kind: str, document: dict) -> tuple[list[str], list[str]]:
    """(the MUST assertions the document fails, the optional ones it fails), each with the suite's
    error message."""
    musts, optionals = [], []
    for a in assertions(kind):
        if not a.validator.is_valid(document):
            (musts if a.must else optionals).append(a.name)
    return musts, optionals
