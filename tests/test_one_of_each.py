"""One of each (issue 19, step 6): a thing the platform does in several places is written once, and a
second copy fails here. Read from the source: namespaces in `ontology/namespaces.py`, RDF serialisations
in `graph/store/formats.py`, the write-to-part-then-replace in `graph/store/atomic_file.py`, the row limit
and the TSV conversion of answers in `graph/engine/jobs.py`; every UI string in both languages."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CODE = ("graph", "service", "viz", "queries")


def sources(*excluded: str, folders: tuple[str, ...] = CODE):
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            name = str(path.relative_to(ROOT))
            if name not in excluded:
                yield name, path.read_text()


def test_one_table_of_namespaces():
    """About 140 namespace IRIs were retyped in 34 modules, many in the PREFIX lines of SPARQL texts; they
    come from `ontology/namespaces.py`'s table (`PREFIXES`, `expand`, `sparql_prefixes`). Every namespace
    of the table, and the ontology's and the shapes' own IRIs, is looked for: a new one is covered too."""
    from pic.ontology.namespaces import ONTOLOGY_IRI, PREFIXES, SHAPES_IRI

    known = {*PREFIXES.values(), ONTOLOGY_IRI, SHAPES_IRI}
    found = sorted(
        f"{name}: {iri}"
        for name, text in sources("ontology/namespaces.py", folders=("ontology", *CODE))
        for iri in known
        if iri in text
    )
    assert not found, found


def test_one_table_of_rdf_serialisations():
    """Five modules had their own table of formats and media types (parsing, the Graph Store, DESCRIBE
    answers, the service description, entity pages); an entry mapping a name to one of pyoxigraph's formats
    or to an RDF media type, or such a media type written out, is another table."""
    media = re.compile(r"[\"'](text/turtle|application/(n-triples|ld\+json|rdf\+xml|trig|n-quads|x-turtle))[\"']")
    found = []
    for name, text in sources("graph/store/formats.py"):
        if re.search(r"[\"'][\w.+-]+[\"']\s*:\s*\(?\s*RdfFormat\.", text) or media.search(text):
            found.append(name)
    assert not found, found


def test_one_atomic_file_helper():
    """Write-to-part-then-replace was written six times; the search index's database, built through
    SQLite into its part file, is the one other swap."""
    found = [
        name
        for name, text in sources("graph/store/atomic_file.py", "graph/search_index.py")
        if re.search(
            r"os\.replace\(|\.replace\((path|target|output|out_file)\)|(with_suffix\(|\+ ?)[\"'][^\"']*\.part[\"']",
            text,
        )
    ]
    assert not found, found


def test_one_row_limit_and_one_tsv_conversion():
    """The engines' answers were cut at the row limit and converted from TSV in two places each."""
    sinks = [name for name, text in sources() if re.search(r"count\(b\"\\n\"\)\n\s+if .*>", text)]
    assert sinks == ["graph/engine/jobs.py"], sinks
    tsv = [name for name, text in sources() if "QueryResultsFormat.TSV).serialize" in text]
    assert tsv == ["graph/engine/jobs.py"], tsv


CATALOGUES = [ROOT / "service" / "locale", ROOT / "viz" / "locale"]


def read(path: Path) -> dict[str, str]:
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


@pytest.mark.parametrize("domain", sorted(p.name for folder in CATALOGUES for p in folder.glob("fr/LC_MESSAGES/*.po")))
def test_every_key_has_its_words_in_both_languages(domain):
    """The UI's words are gettext catalogues, one per language (three mirrored dictionaries before)."""
    folder = next(f for f in CATALOGUES if (f / "fr" / "LC_MESSAGES" / domain).exists())
    fr, en = (read(folder / lang / "LC_MESSAGES" / domain) for lang in ("fr", "en"))
    assert set(fr) == set(en), (sorted(set(fr) - set(en)), sorted(set(en) - set(fr)))
    assert not [k for k in fr if not fr[k] or not en[k]], "a key without its words"


def test_no_module_keeps_its_own_words_in_both_languages():
    found = [name for name, text in sources() if re.search(r"^\s*[\"']fr[\"']: \{$", text, re.M)]
    assert not found, found


@pytest.mark.parametrize(
    "module,table", [("pic.service.i18n", "STRINGS"), ("pic.viz.report", "TEXT"), ("pic.viz.render", "TEXT")]
)
def test_every_string_is_in_both_languages(module, table):
    import importlib

    strings = getattr(importlib.import_module(module), table)

    def keys(tree, prefix=""):
        out = set()
        for key, value in tree.items():
            out |= keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
        return out

    fr, en = keys(strings["fr"]), keys(strings["en"])
    assert fr == en, (sorted(fr - en), sorted(en - fr))
    assert all(strings["fr"].get(k.split(".")[0]) for k in fr)
