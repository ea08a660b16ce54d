"""What a change did, in the reader's words (outside re-test of issue 21: an entity's history said
"contribution: project https://w3id.org/…"). The record keeps its source as written — English, with the
IRIs it touched, for the provenance graph and its API — and the history table says it again: the door in
the page's language, each entity by its name."""

import re

from pic.graph.names import Names
from pic.service.entity_labels import names_for
from pic.service.i18n import STRINGS

IRI = re.compile(r"https?://\S+")
# (the record's source, the catalogue's `changes.*` words for it); the first that matches is said
SOURCES = [
    (re.compile(r"^contribution: delete (?P<kind>\w+) (?P<entity>\S+)$"), "deleted"),
    (re.compile(r"^contribution: (?P<kind>\w+) (?P<entity>\S+)$"), "contributed"),
    (re.compile(r"^spreadsheet import \((?P<kinds>\w+), (?P<file>.*)\)$"), "imported"),
    (re.compile(r"^document (?P<document>\S+) removed from (?P<entity>\S+)$"), "document_removed"),
    (re.compile(r"^document (?P<title>.*) for (?P<entity>\S+)$"), "document_added"),
    (re.compile(r"^annotation \S+ \(edit\)$"), "annotation_edited"),
    (re.compile(r"^annotation \S+ \(deleted\)$"), "annotation_deleted"),
    (re.compile(r"^annotation \S+$"), "annotated"),
    (re.compile(r"^moderation: (?P<action>\w+) \S+$"), "moderated"),
    (re.compile(r"^revert of \S+$"), "reverted"),
]


def with_words(history: list[dict], view, lang: str, solutions, names: Names) -> list[dict]:
    """The history's rows, each with `what`: its source said for the reader (None when the reader is not
    told the source: a public record of a draft made public), and `in_names`: whose graphs it wrote."""
    iris = sorted({iri for h in history if h["source"] for iri in IRI.findall(h["source"])})
    orgs = sorted({f"{names.base}actor/{org}" for h in history for org in h["in"]})
    named = names_for(view, iris + orgs, lang, solutions, names) if iris or orgs else {}
    words = STRINGS[lang]["changes"]
    for h in history:
        h["in_names"] = [named.get(f"{names.base}actor/{org}", org) for org in h["in"]]  # whose graphs, by name
        h["what"] = said(h["source"], words, STRINGS[lang]["kinds"], named) if h["source"] is not None else None
    return history


def said(source: str, words: dict, kinds: dict, named: dict[str, str]) -> str:
    for pattern, key in SOURCES:
        found = pattern.match(source)
        if found:
            parts = found.groupdict()
            if "entity" in parts:
                parts["entity"] = named.get(parts["entity"], parts["entity"])
            if "kind" in parts:
                parts["kind"] = str(kinds.get(parts["kind"], parts["kind"])).lower()
            if "action" in parts:
                parts["action"] = words.get(parts["action"], parts["action"])
            return words[key].format(**parts)
    return IRI.sub(lambda m: named.get(m.group(), m.group()), source)  # another door: its IRIs by name
