"""What an entity page shows: the entity's own statements and the statements that point at it, with
labels in the reader's language, its kind, and for some kinds a picture (an actor's ego network, an
indicator's series). Read through the query runner, on the graphs the reader may read.

A graph describes its owner's things (ARCHITECTURE.md §8, `graph/ownership.py`): the entity's facts are
what its owner's graphs (and the inferences) say; what another organisation's graph says about it is a
claim of that organisation, shown apart as theirs ("selon cd62 : …"), never merged into the facts, the
page's title or its abstract."""

from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, QueryResultsFormat, Variable, parse_query_results

from pic.graph import ownership
from pic.graph.names import PROVENANCE_PATH, Names
from pic.graph.query_jobs import Job
from pic.graph.store import bind, bind_rows
from pic.ontology.namespaces import sparql_prefixes

KINDS = {  # class → kind, most specific first
    "http://www.w3.org/ns/org#OrganizationalUnit": "group",
    "https://w3id.org/pic-euralens/ontology#WorkingGroup": "group",
    "http://xmlns.com/foaf/0.1/Agent": "actor",
    "https://w3id.org/pic-euralens/ontology#Project": "project",
    "https://w3id.org/pic-euralens/ontology#Study": "study",
    "https://w3id.org/pic-euralens/ontology#Indicator": "indicator",
    "https://w3id.org/pic-euralens/ontology#EvaluationQuestion": "question",
    "https://w3id.org/pic-euralens/ontology#Theme": "theme",
    "http://rdf.insee.fr/def/geo#PaysOuTerritoire": "territory",
    "http://purl.org/linked-data/cube#Observation": "observation",
    "http://www.w3.org/ns/oa#Annotation": "annotation",
}
LABELS = "rdfs:label|skos:prefLabel|dcterms:title"
OUT = sparql_prefixes() + f"""
SELECT ?p ?o ?g ?pFr ?pEn ?oFr ?oEn WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  OPTIONAL {{ ?p rdfs:label ?pFr FILTER (lang(?pFr) = "fr") }}
  OPTIONAL {{ ?p rdfs:label ?pEn FILTER (lang(?pEn) = "en") }}
  OPTIONAL {{ ?o {LABELS} ?oFr FILTER (lang(?oFr) = "fr") }}
  OPTIONAL {{ ?o {LABELS} ?oEn FILTER (lang(?oEn) = "en") }}
}} LIMIT 2000"""
IN = sparql_prefixes() + f"""
SELECT ?p ?o ?pFr ?pEn ?oFr ?oEn WHERE {{
  ?o ?p ?s .
  FILTER (?p != qb:dataSet && ?p != pic:refArea)
  OPTIONAL {{ ?p rdfs:label ?pFr FILTER (lang(?pFr) = "fr") }}
  OPTIONAL {{ ?p rdfs:label ?pEn FILTER (lang(?pEn) = "en") }}
  OPTIONAL {{ ?o {LABELS} ?oFr FILTER (lang(?oFr) = "fr") }}
  OPTIONAL {{ ?o {LABELS} ?oEn FILTER (lang(?oEn) = "en") }}
}} LIMIT 500"""
CLASSES = sparql_prefixes() + "SELECT DISTINCT ?class WHERE { ?s a/rdfs:subClassOf* ?class }"
TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass
class Statement:
    predicate: str
    predicate_label: str
    value: str
    kind: str  # "iri", "literal"
    label: str
    language: str | None = None


def solutions(view, text: str):
    """`view`: the reader's view of the graph (`service.pages.PooledStore`)."""
    return parse_query_results(view.run(Job(text, "json", max_rows=5000)).body, QueryResultsFormat.JSON)


def triples(view, iri: str, graph_format: str):
    """The entity's own statements serialised in one of the query runner's graph formats."""
    return view.run(Job(bind(TRIPLES, {Variable("s"): NamedNode(iri)}), graph_format=graph_format,
                        max_rows=100_000))


def describe(view, iri: str, lang: str, names: Names | None = None, org: str | None = None) -> dict | None:
    """The entity's statements, labelled — its owner's as `statements`, each other organisation's as
    its `claims` — or None when nothing is said about it. `org`: the reader's organisation, whose own
    entity it is to them when two organisations type it (`ownership.first_typed`)."""
    subject = {Variable("s"): NamedNode(iri)}
    rows = list(solutions(view, bind(OUT, subject)))
    if not rows:
        return None
    names = names or Names()
    owners = ownership.owners_from([(r["g"], r["p"].value == RDF_TYPE) for r in rows], names, NamedNode(iri),
                                   ownership.earliest_typing(lambda text: [
        (r["g"].value, r["first"].value if r["first"] else None) for r in solutions(view, text)]), org)
    out: list[Statement] = []
    claims: dict[str, list[Statement]] = {}
    for r in rows:
        who = ownership.speaker(names, r["g"])
        (out if who is None or who in owners else claims.setdefault(who, [])).append(statement(r, lang))
    incoming = [statement(r, lang) for r in solutions(view, bind(IN, subject))]
    classes = {r["class"].value for r in solutions(view, bind(CLASSES, subject))}
    kind = next((k for c, k in KINDS.items() if c in classes), "thing")
    label = pick(out, ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel",
                       "http://purl.org/dc/terms/title"), lang) or iri.rsplit("/", 1)[-1]
    return {"iri": iri, "kind": kind, "label": label, "statements": grouped(out, lang),
            "claims": [{"by": who, "statements": grouped([c for c in said if c not in out], lang)}
                       for who, said in sorted(claims.items()) if any(c not in out for c in said)],
            "incoming": grouped(incoming, lang),
            "illustrative": any(s.predicate.endswith("#illustrative") and s.value == "true" for s in out)}


def statement(row, lang: str) -> Statement:
    o = row["o"]
    p_label = (row["pEn"] if lang == "en" and row["pEn"] else row["pFr"]) or row["pEn"]
    o_label = (row["oEn"] if lang == "en" and row["oEn"] else row["oFr"]) or row["oEn"]
    p = row["p"].value
    short = p.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    if type(o).__name__ == "Literal":
        return Statement(p, p_label.value if p_label else short, o.value, "literal", o.value, o.language)
    return Statement(p, p_label.value if p_label else short, o.value, "iri",
                     o_label.value if o_label else o.value.rsplit("/", 1)[-1])


def pick(statements: list[Statement], predicates: tuple[str, ...], lang: str) -> str | None:
    for p in predicates:
        values = [s for s in statements if s.predicate == p and s.kind == "literal"]
        for s in values:
            if s.language == lang:
                return s.value
        if values:
            return values[0].value
    return None


def grouped(statements: list[Statement], lang: str) -> list[dict]:
    """Statements by predicate; literals in another language are left out when the reader's is there."""
    groups: dict[str, dict] = {}
    for s in statements:
        group = groups.setdefault(s.predicate, {"predicate": s.predicate, "label": s.predicate_label, "values": []})
        if s not in group["values"]:
            group["values"].append(s)
    for group in groups.values():
        languages = {v.language for v in group["values"] if v.language}
        if lang in languages:
            group["values"] = [v for v in group["values"] if not v.language or v.language == lang]
    return sorted(groups.values(), key=lambda g: g["label"].lower())


# Over every provenance graph the reader may read (one per audience: `Names.provenance_for`), and
# those only: a user graph saying `pic:touched` is no change.
HISTORY = sparql_prefixes() + f"""
SELECT ?change ?who ?when ?source ?added ?removed WHERE {{
  GRAPH ?provenance {{
    ?change pic:touched ?s ; prov:wasAssociatedWith/rdfs:label ?who ; prov:startedAtTime ?when ;
            dcterms:source ?source ; pic:addedTriples ?added ; pic:removedTriples ?removed .
  }}
  FILTER (STRSTARTS(STR(?provenance), ?graphs) && REGEX(STRAFTER(STR(?provenance), ?graphs), "{PROVENANCE_PATH}"))
}} ORDER BY DESC(?when) LIMIT 50"""


def history(view, iri: str, names: Names) -> list[dict]:
    """The changes that touched the entity, newest first (who, when, by which door, how many triples)."""
    rows = solutions(view, bind(HISTORY, {Variable("s"): NamedNode(iri),
                                          Variable("graphs"): Literal(names.graph("").value)}))
    return [{"change": r["change"].value, "id": r["change"].value.rsplit("/", 1)[-1], "who": r["who"].value,
             "when": r["when"].value[:19].replace("T", " "), "source": r["source"].value,
             "added": int(r["added"].value), "removed": int(r["removed"].value)} for r in rows]


ANNOTATION_COUNTS = sparql_prefixes() + """
SELECT ?t (COUNT(DISTINCT ?a) AS ?n) WHERE {
  ?a oa:hasTarget ?x ; oa:motivatedBy ?motivation .
  OPTIONAL { ?x oa:hasSource ?source }
  OPTIONAL { ?t dcat:distribution ?document }
  FILTER (?x = ?t || ?source = ?t || ?source = ?document)
  FILTER (?motivation NOT IN (oa:replying, oa:moderating))
} GROUP BY ?t"""


def annotation_counts(view, iris: list[str]) -> dict[str, int]:
    """How many annotations the reader may read are about each IRI (its documents' passages included)."""
    if not iris:
        return {}
    text = bind_rows(ANNOTATION_COUNTS, [Variable("t")], [[NamedNode(i)] for i in sorted(set(iris))])
    return {r["t"].value: int(r["n"].value) for r in solutions(view, text)}
