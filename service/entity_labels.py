"""What an entity is called on a page, as its owner says it, for every IRI a page links: its label in the
reader's language (French, else any); for a node that has none — a project's role of an actor, a
membership, minted as `project--actor--role` — the names of what it joins ("Louvre-Lens — Musée du
Louvre-Lens — pilote"); for anything else, a name a reader can read (a web address without its scheme, a
vocabulary term's own name), never the slug of an IRI (issue 21, 5)."""

import re

from pyoxigraph import NamedNode, Variable

from pic.graph import claims
from pic.graph.names import Names
from pic.graph.store.interface import bind_rows
from pic.ontology.namespaces import expand, sparql_prefixes

P = sparql_prefixes()


def minus(terms: str) -> str:
    """A block taking out the solutions whose (subject, predicate, object) `terms` are another
    organisation's claim (filled by `claims.excluding`; the terms are variables, as `?this` is a constant)."""
    return f"MINUS {{ VALUES ({terms}) {{\n  {claims.MARKER}\n}} }}"


# A label as its entity's owner says it: a title another organisation gives a study is its claim.
LABELS = (
    P
    + f"""SELECT ?x ?label WHERE {{
  ?x ?labelled ?label VALUES ?labelled {{ rdfs:label skos:prefLabel dcterms:title }}
  FILTER (lang(?label) IN ("fr", "en", "")) {minus("?x ?labelled ?label")}
}}"""
)
LABELLING = [
    expand("rdfs:label"),
    expand("skos:prefLabel"),
    expand("dcterms:title"),
]
# What a node without a label joins: the entities that point at it, then those it points at (a
# qualified association: its activity, then its agent and role; a membership: its member and organisation).
PARTS = (
    P
    + """SELECT ?x ?part ?inward ?p WHERE {
  { ?x ?p ?part BIND (false AS ?inward) } UNION { ?part ?p ?x BIND (true AS ?inward) }
  FILTER (isIRI(?part) && ?p != rdf:type)
}"""
)
PARTS_NAMED = 3


def selecting(view, solutions):
    """`claims.claimed`'s `select`: a SELECT's rows on the reader's view, as plain values."""

    def select(query: str) -> list[tuple]:
        return [tuple(None if v is None else v.value for v in r) for r in solutions(view, query)]

    return select


def owner_labels(
    view, iris: list[str], lang: str, solutions, names: Names | None = None, org: str | None = None
) -> dict[str, str]:
    """{IRI: its label in the reader's language (French, else any)} as each entity's owner gives it, for
    those that have one: a title another organisation writes for a study is its claim (`claims.claimed`)."""
    iris = sorted(set(iris))
    found: dict[str, dict[str, str]] = {}
    claimed = claims.claimed(selecting(view, solutions), names or Names(), LABELLING, org, iris) if iris else []
    for start in range(0, len(iris), 500):
        chunk = [[NamedNode(i)] for i in iris[start : start + 500]]
        own = {c for c in claimed if c[0].value in set(iris[start : start + 500])}
        text = claims.excluding(bind_rows(LABELS, [Variable("x")], chunk), sorted(own, key=str))
        for r in solutions(view, text):
            found.setdefault(r["x"].value, {}).setdefault(r["label"].language or "", r["label"].value)
    return {
        iri: labels.get(lang) or labels.get("fr") or next(iter(labels.values()))
        for iri, labels in found.items()
        if labels
    }


def names_for(
    view, iris: list[str], lang: str, solutions, names: Names | None = None, org: str | None = None
) -> dict[str, str]:
    """{IRI: the name a page shows for it} for every one of `iris` (see the module's docstring)."""
    found = given_names(view, iris, lang, solutions, names, org)
    return {iri: found.get(iri) or readable(iri, (names or Names()).base) for iri in iris}


def given_names(
    view, iris: list[str], lang: str, solutions, names: Names | None = None, org: str | None = None
) -> dict[str, str]:
    """{IRI: its name} for those of `iris` the reader's graphs name (a label, or the names of what it joins)."""
    found = owner_labels(view, iris, lang, solutions, names, org)
    unlabelled = sorted({i for i in iris if i not in found and minted_to_join(i)})
    if unlabelled:
        found |= joined_names(view, unlabelled, lang, solutions, names, org)
    return found


def minted_to_join(iri: str) -> bool:
    """A node the platform mints to join others (`project--actor--role`): the only kind named by its parts."""
    return "--" in iri.rsplit("/", 1)[-1]


def joined_names(view, iris: list[str], lang: str, solutions, names: Names | None, org: str | None) -> dict[str, str]:
    parts: dict[str, list[tuple[bool, str, str]]] = {}
    for start in range(0, len(iris), 500):
        chunk = [[NamedNode(i)] for i in iris[start : start + 500]]
        for r in solutions(view, bind_rows(PARTS, [Variable("x")], chunk)):
            inward = r["inward"].value == "true"
            parts.setdefault(r["x"].value, []).append((not inward, r["p"].value, r["part"].value))
    labels = owner_labels(view, [part for found in parts.values() for *_, part in found], lang, solutions, names, org)
    joined = {}
    for iri, found in parts.items():
        words = list(dict.fromkeys(labels[part] for *_, part in sorted(found) if part in labels))
        if len(words) >= 2:
            joined[iri] = " — ".join(words[:PARTS_NAMED])
    return joined


def readable(iri: str, base: str) -> str:
    """A name for an IRI nothing names: a web page's address without its scheme, a term's own name, a
    change by its time, a named graph by its path."""
    rest = iri.removeprefix(base)
    if rest != iri and (found := re.match(r"change/(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)", rest)):
        y, m, d, hh, mm, ss = found.groups()
        return f"{y}-{m}-{d} {hh}:{mm}:{ss}"
    if rest.startswith("graph/"):
        return rest
    if iri.startswith(("http://", "https://")) and "#" not in iri and not iri.startswith(base):
        local = re.sub(r"^https?://(www\.)?", "", iri).rstrip("/")
        if "--" not in local:
            return local
    return re.split(r"[#/]", iri.rstrip("/"))[-1].replace("--", " — ") or iri
