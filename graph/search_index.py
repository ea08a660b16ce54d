"""Full-text search over the entities' labels, names, titles and abstracts: SQLite FTS5 beside the store.

Why FTS5: it ships with Python, ranks with BM25, and its `unicode61 remove_diacritics` tokenizer makes
"lievin" find "Liévin" and "louvre lens" find "Louvre-Lens". The index is derived data: the entities a
write touched are re-indexed after it (the write path's listeners), and `pic reindex` rebuilds it all;
each entity remembers the named graphs it comes from, so a search only returns what the reader may read.

The facets count an entity's facts: its theme, place or year in another organisation's graph is that
organisation's claim (`graph/writes/ownership.py`), counted for no facet and matched by no facet filter. The
index keeps which graphs state each entity's type (`typing`), and the caller says, from those, whose
graphs speak for the entity (`search(…, owned=…)`).
"""

import re
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, NotRequired, TypedDict

from pic.graph.store.atomic_file import part_of
from pic.graph.store.sqlite_db import transaction
from pic.ontology.namespaces import sparql_prefixes

if TYPE_CHECKING:
    from pyoxigraph import QuerySolution

    from pic.graph.store.interface import KnowledgeStore

TEXTS = (
    sparql_prefixes()
    + """
SELECT ?s ?g ?p ?text WHERE {
  { VALUES ?p { rdfs:label skos:prefLabel dcterms:title foaf:name skos:altLabel dcterms:abstract
                dcterms:description skos:definition }
    GRAPH ?g { ?s ?p ?text } }
  UNION { GRAPH ?g { ?s a oa:Annotation ; oa:hasBody ?body . ?body rdf:value ?text } BIND (rdf:value AS ?p) }
  FILTER (isLiteral(?text) && STRSTARTS(STR(?s), ?base))
}"""
)
FACETS = (
    sparql_prefixes()
    + """
SELECT ?s ?g ?facet ?value WHERE { GRAPH ?g {
  { ?s a ?class . BIND ("type" AS ?facet)
    VALUES (?class ?value) { (org:Organization "actor") (org:FormalOrganization "actor") (foaf:Person "actor")
      (org:OrganizationalUnit "actor") (pic:Project "project") (pic:Study "study") (pic:Indicator "indicator")
      (igeo:Commune "territory") (igeo:Intercommunalite "territory") (igeo:Departement "territory")
      (igeo:Region "territory") (igeo:Arrondissement "territory") (pic:ProjectTerritory "territory")
      (pic:Theme "theme") (pic:WorkingGroup "group") (pic:EvaluationQuestion "question")
      (oa:Annotation "annotation") } }
  UNION { ?s dcterms:subject ?value . BIND ("theme" AS ?facet) }
  UNION { ?s dcterms:spatial|pic:territoryOfAction ?value . BIND ("territory" AS ?facet) }
  UNION { ?s dcterms:issued|pic:expectedYear ?date . BIND ("year" AS ?facet) BIND (SUBSTR(STR(?date), 1, 4) AS ?value) }
  UNION { ?s prov:startedAtTime ?start . BIND ("year" AS ?facet) BIND (STR(YEAR(?start)) AS ?value) }
} FILTER (STRSTARTS(STR(?s), ?base)) }"""
)
TYPED = (
    sparql_prefixes()
    + """
SELECT DISTINCT ?s ?g WHERE { GRAPH ?g { ?s a ?class } FILTER (STRSTARTS(STR(?s), ?base)) }"""
)
TITLES = {"label", "prefLabel", "title", "name", "altLabel"}
SCHEMA = """
CREATE VIRTUAL TABLE entity USING fts5(iri UNINDEXED, graph UNINDEXED, title, body,
                                       tokenize='unicode61 remove_diacritics 2');
CREATE TABLE facet (iri TEXT, graph TEXT, facet TEXT, value TEXT);
CREATE TABLE title_key (iri TEXT, graph TEXT, key TEXT);
CREATE TABLE typing (iri TEXT, graph TEXT);
CREATE INDEX facet_iri ON facet (iri, facet);
CREATE INDEX typing_iri ON typing (iri);
CREATE INDEX title_key_key ON title_key (key, iri);
"""


def folded(text: str) -> str:
    """Case and accents aside: "Liévin" and "lievin" agree."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def key(text: str) -> str:
    """The words of `text`, folded, for exact-title matches."""
    return " ".join(re.findall(r"\w+", folded(text)))


# A hit's snippet is looked for in the first characters of its text: FTS5's own `snippet()` scores every
# window of the whole text, every hit's, and a 200,000-character abstract of one repeated word took two
# minutes of a server thread, anonymous and past the client's leaving (eleventh outside re-test, finding 2).
WINDOW = 20_000
AROUND = 60  # characters of context on each side of the first match


def snippet(body: str, text: str) -> str:
    """The words around the first place `body` holds one of the user's words, the match between brackets
    as FTS5's snippet marks it (the JSON's `snippet`)."""
    return joined(snippet_parts(body, text))


def joined(parts: tuple[str, str, str]) -> str:
    before, match, after = parts
    return f"{before}[{match}]{after}" if match else before


def snippet_parts(body: str, text: str) -> tuple[str, str, str]:
    """(before, match, after): the words around the first place `body` holds one of the user's words (the
    last as a prefix, case and accents aside) — a page marks the match itself, never by brackets in the
    text, which may hold brackets of its own; linear in the window."""
    words = [key(w) for w in re.findall(r"\w+", text)]
    if not words or not body:
        return "", "", ""
    letters: list[str] = []  # the folded body
    origin: list[int] = []  # for each of its characters, the position in the body
    for i, c in enumerate(body):
        for f in folded(c):
            letters.append(f)
            origin.append(i)
    pattern = "|".join(re.escape(w) + (r"\w*" if n == len(words) - 1 else r"\b") for n, w in enumerate(words))
    m = re.search(rf"\b(?:{pattern})", "".join(letters))
    if m is None:
        return body[: 2 * AROUND] + ("…" if len(body) > 2 * AROUND else ""), "", ""
    start, end = origin[m.start()], origin[m.end() - 1] + 1
    before, after = max(0, start - AROUND), min(len(body), end + AROUND)
    return (
        ("…" if before else "") + body[before:start],
        body[start:end],
        body[end:after] + ("…" if after < len(body) else ""),
    )


def fts_query(text: str, prefix: bool = True) -> str | None:
    """The user's words as quoted FTS5 terms (no operator can come in), the last one as a prefix."""
    words = re.findall(r"\w+", text)
    if not words:
        return None
    terms = [f'"{w}"' for w in words]
    if prefix:
        terms[-1] += "*"
    return " ".join(terms)


def journals(path: Path) -> list[Path]:
    """The file SQLite keeps beside a database while a transaction writes it (the index is in the default
    rollback-journal mode)."""
    return [path.with_name(path.name + "-journal")]


class Hit(TypedDict):
    iri: str
    title: str  # the first of `titles` (French first)
    titles: list[str]
    snippet: str
    marked: list[str]  # the snippet as (before, match, after), for a page to mark the match
    type: str | None
    exact: bool  # the text is one of its titles
    graph: str
    page: NotRequired[str]  # added by the service (routers/search.py), with `according_to`
    according_to: NotRequired[str]  # whose words matched, when not its owners


class Found(TypedDict):
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]  # {facet: {value: hits}}


class Suggestion(TypedDict):
    iri: str
    label: str
    type: str | None


# {entity: {"title": [...], "body": [...]}} by (entity, graph); facet rows (entity, graph, facet, value);
# typing rows (entity, graph typing it).
Texts = dict[tuple[str, str], dict[str, list[str]]]
FacetRow = tuple[str, str, str, str]
TypingRow = tuple[str, str]

# `owned(described)`: given {entity: [(graph, states its type)]}, {entity: the graphs that speak for its owners}.
Owned = Callable[[dict[str, list[tuple[str, bool]]]], Mapping[str, Collection[str]]]


class SearchIndex:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path)

    def rebuild(self, store: "KnowledgeStore", base: str, documents: Sequence[tuple[str, str, str]] = ()) -> int:
        """Index every entity under `base` from the store; the new file replaces the old one at once.

        One document per entity and named graph: text a private graph says about a public entity is
        only found by those who may read that graph. `documents`: (study, graph, text) of the studies'
        files, searched as part of their study."""
        texts, facets, typing = self._read(store, base, documents, None)
        tmp = part_of(self.path)  # a database, built through SQLite (not `atomic_file`), then swapped in
        for path in (tmp, *journals(tmp)):
            path.unlink(missing_ok=True)
        with transaction(tmp) as db:
            db.executescript(SCHEMA)
            self._insert(db, texts, facets, typing)
        with self._lock:
            # The old file's rollback journal goes first: one left by a server killed in the middle of an
            # update is played back by SQLite into whatever file bears its name — the new one here
            # ("database disk image is malformed", every search a 500, after a kill -9 and a restart).
            for journal in journals(self.path):
                journal.unlink(missing_ok=True)
            tmp.replace(self.path)
        return len({iri for iri, _ in texts})

    def update(
        self, store: "KnowledgeStore", base: str, subjects: set[str], documents: Sequence[tuple[str, str, str]] = ()
    ) -> None:
        """Re-index only these entities (what one write touched), in one transaction on the live index."""
        if not self.path.exists():
            self.rebuild(store, base, documents)
            return
        ordered = sorted(s for s in subjects if s.startswith(base))
        texts, facets, typing = self._read(store, base, [d for d in documents if d[0] in ordered], ordered)
        with self._lock, self.connect() as db:
            for start in range(0, len(ordered), 500):
                chunk = ordered[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for table in ("entity", "title_key", "facet", "typing"):
                    db.execute(f"DELETE FROM {table} WHERE iri IN ({marks})", chunk)
            self._insert(db, texts, facets, typing)

    def _read(
        self, store: "KnowledgeStore", base: str, documents: Sequence[tuple[str, str, str]], subjects: list[str] | None
    ) -> tuple[Texts, list[FacetRow], list[TypingRow]]:
        """(texts by (entity, graph), facet rows, (entity, graph typing it) rows) of every entity under
        `base`, or of `subjects`."""
        from pyoxigraph import Literal, NamedNode, Variable

        from pic.graph.store.interface import bind, bind_rows, solutions

        def ask(query: str) -> "Iterable[QuerySolution]":
            text = bind(query, {Variable("base"): Literal(base)})
            if subjects is None:
                return solutions(store.query(text))
            rows: list[QuerySolution] = []
            for start in range(0, len(subjects), 500):
                chunk = [[NamedNode(s)] for s in subjects[start : start + 500]]
                rows.extend(solutions(store.query(bind_rows(text, [Variable("s")], chunk))))
            return rows

        texts: Texts = {}
        for row in ask(TEXTS):
            entry = texts.setdefault((row["s"].value, row["g"].value), {"title": [], "body": []})
            field = "title" if row["p"].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1] in TITLES else "body"
            if row["text"].value not in entry[field]:
                # French first: the first title is the one a hit shows
                entry[field].insert(0 if row["text"].language == "fr" else len(entry[field]), row["text"].value)
        for iri, graph, text in documents:
            texts.setdefault((iri, graph), {"title": [], "body": []})["body"].append(text)
        entities = {iri for iri, _ in texts}
        facets = [
            (r["s"].value, r["g"].value, r["facet"].value, r["value"].value)
            for r in ask(FACETS)
            # an ill-typed date (`2024-02-30`, written through the Graph Store) has no year: no facet, and
            # never an error that would stop the index for every later write (thirteenth re-test)
            if r["s"].value in entities and r["value"] is not None
        ]
        typing = [(r["s"].value, r["g"].value) for r in ask(TYPED) if r["s"].value in entities]
        return texts, facets, typing

    @staticmethod
    def _insert(db: sqlite3.Connection, texts: Texts, facets: list[FacetRow], typing: list[TypingRow]) -> None:
        db.executemany(
            "INSERT INTO entity VALUES (?, ?, ?, ?)",
            [(iri, g, " | ".join(e["title"]), " ".join(e["body"])) for (iri, g), e in texts.items()],
        )
        db.executemany(
            "INSERT INTO title_key VALUES (?, ?, ?)",
            [(iri, g, key(t)) for (iri, g), e in texts.items() for t in e["title"]],
        )
        db.executemany("INSERT INTO facet VALUES (?, ?, ?, ?)", sorted(set(facets)))
        db.executemany("INSERT INTO typing VALUES (?, ?)", sorted(set(typing)))

    def search(
        self,
        text: str,
        readable: list[str] | None,
        filters: dict[str, str] | None = None,
        limit: int = 20,
        offset: int = 0,
        owned: Owned | None = None,
    ) -> Found:
        """Ranked hits (exact titles first, then BM25 with titles weighing ten times the rest) and the
        facet counts of all the hits, from the graphs the reader may read (None: all). `owned(described)`,
        given {entity: [(graph, states its type)]}, gives {entity: the graphs that speak for its owners}:
        only their facets count and match a filter (None: every graph's)."""
        query = fts_query(text)
        if query is None or not self.path.exists():
            return {"total": 0, "hits": [], "facets": {}}
        graphs, graph_params = "", []
        if readable is not None:
            graphs = f" AND {{alias}}graph IN ({','.join('?' * len(readable))})"
            graph_params = list(readable)
        sql = (
            f"SELECT e.iri, e.title, e.rowid, bm25(entity, 0, 0, 10, 1), "
            f"EXISTS (SELECT 1 FROM title_key k WHERE k.key = ? AND k.iri = e.iri{graphs.format(alias='k.')}), "
            f"e.graph "
            f"FROM entity e WHERE entity MATCH ?{graphs.format(alias='e.')}"
        )
        params = [key(text), *graph_params, query, *graph_params]
        with self.connect() as db:
            best: dict[str, tuple[str, str, str, float, int, str]] = {}
            for row in db.execute(sql, params):
                if row[0] not in best or (-row[4], row[3]) < (-best[row[0]][4], best[row[0]][3]):
                    best[row[0]] = row
            facets = self._facets(db, sorted(best), graphs, graph_params, owned)
            wanted = {(name, value) for name, value in (filters or {}).items()}
            rows = sorted((r for r in best.values() if wanted <= facets.get(r[0], set())), key=lambda r: (-r[4], r[3]))
            page = rows[offset : offset + limit]
            snippets = {
                r[2]: snippet_parts(body, text)
                for r in page
                for (body,) in db.execute("SELECT substr(body, 1, ?) FROM entity WHERE rowid = ?", (WINDOW, r[2]))
            }
        counts: dict[str, dict[str, int]] = {}
        for r in rows:
            for facet, value in facets.get(r[0], ()):
                counts.setdefault(facet, {})
                counts[facet][value] = counts[facet].get(value, 0) + 1
        kinds = {iri: value for iri, found in facets.items() for facet, value in sorted(found) if facet == "type"}
        hits: list[Hit] = [
            {
                "iri": r[0],
                "title": r[1].split(" | ")[0],
                "titles": r[1].split(" | "),
                "snippet": joined(snippets.get(r[2], ("", "", ""))),
                "marked": list(snippets.get(r[2], ("", "", ""))),
                "type": kinds.get(r[0]),
                "exact": bool(r[4]),
                "graph": r[5],
            }
            for r in page
        ]
        return {"total": len(rows), "hits": hits, "facets": counts}

    @staticmethod
    def _facets(
        db: sqlite3.Connection, iris: list[str], graphs: str, graph_params: list[str], owned: Owned | None
    ) -> dict[str, set[tuple[str, str]]]:
        """{entity: {(facet, value)}} from the graphs the reader may read that speak for its owners."""
        rows: list[tuple[str, str, str, str]] = []
        described: dict[str, dict[str, bool]] = {}
        for i in range(0, len(iris), 500):
            chunk = iris[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows += db.execute(
                f"SELECT iri, graph, facet, value FROM facet f WHERE iri IN ({marks}){graphs.format(alias='f.')}",
                [*chunk, *graph_params],
            ).fetchall()
            if owned is not None:
                for table in ("entity", "typing"):
                    for iri, graph in db.execute(
                        f"SELECT DISTINCT iri, graph FROM {table} t WHERE iri IN ({marks}){graphs.format(alias='t.')}",
                        [*chunk, *graph_params],
                    ):
                        described.setdefault(iri, {}).setdefault(graph, False)
                        described[iri][graph] |= table == "typing"
        if owned is not None:
            for iri, graph, _, _ in rows:
                described.setdefault(iri, {}).setdefault(graph, False)
            kept = owned({iri: sorted(pairs.items()) for iri, pairs in described.items()})
            rows = [r for r in rows if r[1] in kept.get(r[0], ())]
        found: dict[str, set[tuple[str, str]]] = {}
        for iri, _, facet, value in rows:
            found.setdefault(iri, set()).add((facet, value))
        return found

    def labels(self, iris: list[str]) -> dict[str, str]:
        """The shown title of each IRI the index knows (facet values: themes, territories)."""
        if not iris or not self.path.exists():
            return {}
        with self.connect() as db:
            rows = db.execute(f"SELECT iri, title FROM entity WHERE iri IN ({','.join('?' * len(iris))})", iris)
            return {iri: title.split(" | ")[0] for iri, title in rows}

    def titles(self, iris: list[str], readable: list[str] | None) -> dict[str, list[tuple[str, str]]]:
        """(graph, shown title) of each IRI, graph by graph, in the graphs the reader may read (None: all)."""
        if not iris or not self.path.exists():
            return {}
        sql = f"SELECT iri, graph, title FROM entity WHERE iri IN ({','.join('?' * len(iris))})"
        params = list(iris)
        if readable is not None:
            sql += f" AND graph IN ({','.join('?' * len(readable))})"
            params += list(readable)
        found: dict[str, list[tuple[str, str]]] = {}
        with self.connect() as db:
            for iri, graph, title in db.execute(sql, params):
                if title:
                    found.setdefault(iri, []).append((graph, title.split(" | ")[0]))
        return found

    def suggest(self, text: str, readable: list[str] | None, limit: int = 8) -> list[Suggestion]:
        return [
            {"iri": h["iri"], "label": h["title"], "type": h["type"]}
            for h in self.search(text, readable, limit=limit)["hits"]
        ]
