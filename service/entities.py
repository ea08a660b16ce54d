"""What an entity page shows: the entity's own statements and the statements that point at it, with
labels in the reader's language, its kind, and for some kinds a picture (an actor's ego network, an
indicator's series). Read through the query runner, on the graphs the reader may read.

A graph describes its owner's things (docs/architecture.md §6, `graph/writes/ownership.py`): the entity's facts are
what its owner's graphs (and the inferences) say; what another organisation's graph says about it is a
claim of that organisation, shown apart as theirs ("selon cd62 : …"), never merged into the facts, the
page's title or its abstract. So are the statements that point at it: that Q's graph says P's actor
contributed to this project is Q's claim about P's actor, shown as Q's. The RDF of the page (`export`)
is its facts; the dataset formats (TriG, N-Quads, JSON-LD with graphs) give every statement the reader
may read in the graph that said it, each claim with its speaker."""

from dataclasses import dataclass

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    Quad,
    QueryResultsFormat,
    Triple,
    Variable,
    parse_query_results,
)
from pyoxigraph import serialize as rdf_serialize

from pic.graph import access
from pic.graph import claims as claiming
from pic.graph.engine.jobs import Job
from pic.graph.names import PROVENANCE_PATH, Names
from pic.graph.store.formats import BY_KEY, SERIALISATIONS, serialized
from pic.graph.store.interface import bind, bind_rows
from pic.graph.store.interface import solutions as select_rows
from pic.graph.writes import derived_predicates, ownership
from pic.ontology.namespaces import expand, sparql_prefixes
from pic.service.entity_labels import names_for, selecting
from pic.service.i18n import STRINGS
from pic.service.pages import limited

KINDS = {  # class → kind, most specific first
    expand("org:OrganizationalUnit"): "group",
    expand("pic:WorkingGroup"): "group",
    expand("foaf:Agent"): "actor",
    expand("pic:Project"): "project",
    expand("pic:Study"): "study",
    expand("pic:Indicator"): "indicator",
    expand("pic:EvaluationQuestion"): "question",
    expand("pic:Theme"): "theme",
    expand("igeo:PaysOuTerritoire"): "territory",
    expand("qb:Observation"): "observation",
    expand("oa:Annotation"): "annotation",
}
LABELS = "rdfs:label|skos:prefLabel|dcterms:title"
OUT = (
    sparql_prefixes()
    + f"""
SELECT ?p ?o ?g ?pFr ?pEn ?oFr ?oEn WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  OPTIONAL {{ ?p rdfs:label ?pFr FILTER (lang(?pFr) = "fr") }}
  OPTIONAL {{ ?p rdfs:label ?pEn FILTER (lang(?pEn) = "en") }}
  OPTIONAL {{ ?o {LABELS} ?oFr FILTER (lang(?oFr) = "fr") }}
  OPTIONAL {{ ?o {LABELS} ?oEn FILTER (lang(?oEn) = "en") }}
}} LIMIT $statements"""
)
IN = (
    sparql_prefixes()
    + f"""
SELECT ?p ?o ?g ?pFr ?pEn ?oFr ?oEn WHERE {{
  GRAPH ?g {{ ?o ?p ?s }}
  FILTER (?p != qb:dataSet && ?p != pic:refArea)
  OPTIONAL {{ ?p rdfs:label ?pFr FILTER (lang(?pFr) = "fr") }}
  OPTIONAL {{ ?p rdfs:label ?pEn FILTER (lang(?pEn) = "en") }}
  OPTIONAL {{ ?o {LABELS} ?oFr FILTER (lang(?oFr) = "fr") }}
  OPTIONAL {{ ?o {LABELS} ?oEn FILTER (lang(?oEn) = "en") }}
}} LIMIT $statements"""
)
CLASSES = sparql_prefixes() + "SELECT DISTINCT ?class WHERE { ?s a/rdfs:subClassOf* ?class }"
SAID = "SELECT ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
# Of the predicates pointing at a page, those whose statement `s p E` says something of E itself: an
# inverse the ontology declares (`prov:wasUsedBy` is `prov:used` read from the other end) and a symmetric
# one (as `owl:sameAs` is) — bound as ?p.
OF_OBJECT = (
    sparql_prefixes()
    + """SELECT DISTINCT ?p WHERE {
  { ?p owl:inverseOf ?q } UNION { ?p a owl:SymmetricProperty } }"""
)
SAME_AS = expand("owl:sameAs")
# The RDF of a page: its facts as a graph, or every statement in the graph that said it (a dataset).
EXPORTS = {s.key: (s.rdf_format, s.media_type, s.dataset) for s in SERIALISATIONS} | {
    "graphs.jsonld": (BY_KEY["jsonld"].rdf_format, BY_KEY["jsonld"].media_type, True)
}
RDF_TYPE = expand("rdf:type")
NUMBERS = {
    expand(f"xsd:{t}")
    for t in ("decimal", "integer", "double", "float", "int", "long", "nonNegativeInteger", "positiveInteger")
}


@dataclass
class Statement:
    predicate: str
    predicate_label: str
    value: str
    kind: str  # "iri", "literal", "blank"
    label: str
    language: str | None = None
    datatype: str | None = None

    @property
    def figure(self) -> bool:
        """A number from the data, which a page writes as its language writes numbers (issue 21, 5)."""
        return self.kind == "literal" and self.datatype in NUMBERS


def solutions(view, text: str):
    """`view`: the reader's view of the graph (`service.pages.ReadersStore`)."""
    return parse_query_results(view.run(Job(text, "json", max_rows=5000)).body, QueryResultsFormat.JSON)


def owners_of(view, rows, names: Names, iri: str, org: str | None) -> set[str]:
    """Whose the entity is to a reader of `org`, from the rows (?p, ?g) of what each graph says of it."""
    return ownership.owners_from(
        [(r["g"], r["p"].value == RDF_TYPE) for r in rows],
        names,
        NamedNode(iri),
        ownership.earliest_typing(
            lambda text: [(r["g"].value, r["first"].value if r["first"] else None) for r in solutions(view, text)]
        ),
        org,
    )


def is_fact(names: Names, graph: NamedNode, owners: set[str]) -> bool:
    """Said by an owner, by the inferences or by an accepted link (`ownership.speaker`): no one's claim."""
    who = ownership.speaker(names, graph)
    return who is None or who in owners


def export(view, iri: str, fmt: str, names: Names, org: str | None) -> tuple[bytes, str] | None:
    """The entity's statements in an `EXPORTS` format, None when nothing is said of it. A graph format
    gives its facts — what the page shows as facts: its owner's graphs, the inferences, accepted links —
    as one graph; a dataset format every statement the reader may read in the graph that said it, so a
    claim is kept with its speaker and never merged into the facts."""
    rdf_format, media, dataset = EXPORTS[fmt]
    subject = NamedNode(iri)
    rows = list(
        select_rows(
            parse_query_results(
                view.run(Job(bind(SAID, {Variable("s"): subject}), "json", max_rows=100_000)).body,
                QueryResultsFormat.JSON,
            )
        )
    )
    if not rows:
        return None
    if dataset:
        said = sorted({Quad(subject, r["p"], r["o"], r["g"]) for r in rows}, key=str)
        return serialized(rdf_serialize(said, format=rdf_format)), media
    owners = owners_of(view, rows, names, iri, org)
    facts = sorted({Triple(subject, r["p"], r["o"]) for r in rows if is_fact(names, r["g"], owners)}, key=str)
    return serialized(rdf_serialize(facts, format=rdf_format)), media


def audience_lines(graphs: set[str], names: Names, lang: str, view=None) -> list[str]:
    """Who reads what the page shows ("visible : membres de la PIC"), one line per audience, organisations
    and working groups by name (`view`: where their names are read): nothing for an entity only public
    graphs describe."""
    audiences = {access.audience(g, names) for g in graphs}
    if all(a.everyone for a in audiences):
        return []
    iris = {f"{names.base}actor/{o}": o for a in audiences for o in a.orgs}
    iris |= {f"{names.base}group/{g}": g for a in audiences for g in a.groups}
    found = names_for(view, sorted(iris), lang, solutions, names) if view is not None and iris else {}
    named = {slug: found.get(iri, slug) for iri, slug in iris.items()}
    return sorted({a.describe(lang, named) for a in audiences})


def describe(
    view, iri: str, lang: str, names: Names | None = None, org: str | None = None, *, statements: int
) -> dict | None:
    """The entity's statements, labelled — its owner's as `statements`, each other organisation's as
    its `claims` — or None when nothing is said about it. `org`: the reader's organisation, whose own
    entity it is to them when two organisations type it (`ownership.first_typed`). At most `statements`
    of it, and a quarter as many pointing at it (`page_statements`)."""
    subject = {Variable("s"): NamedNode(iri)}
    rows = list(solutions(view, bind(limited(OUT, statements=statements), subject)))
    if not rows:
        return None
    names = names or Names()
    owners = owners_of(view, rows, names, iri, org)
    out: list[Statement] = []
    claims: dict[str, list[Statement]] = {}
    graphs: set[str] = set()  # those of the owner's statements: who reads them is shown under the title
    for r in rows:
        who = ownership.speaker(names, r["g"])
        (out if who is None or who in owners else claims.setdefault(who, [])).append(statement(r, lang))
        if (who is None or who in owners) and r["g"] is not None and not names.is_derived(r["g"]):
            graphs.add(r["g"].value)
    incoming, said_of_it = pointing(view, iri, lang, names, org, owners, statements=statements // 4)
    relabel(
        [*out, *incoming, *(s for said in (*claims.values(), *said_of_it.values()) for s in said)],
        view,
        lang,
        names,
        org,
    )
    classes = {r["class"].value for r in solutions(view, bind(CLASSES, subject))}
    kind = next((k for c, k in KINDS.items() if c in classes), "thing")
    label = (
        pick(
            out,
            (
                expand("rdfs:label"),
                expand("skos:prefLabel"),
                expand("dcterms:title"),
            ),
            lang,
        )
        or names_for(view, [iri], lang, solutions, names, org)[iri]
    )
    return {
        "iri": iri,
        "kind": kind,
        "label": label,
        "audience": audience_lines(graphs, names, lang, view),
        # every graph that said something of it here: what the read log records (never shown)
        "graphs": sorted({r["g"].value for r in rows if r["g"] is not None}),
        "statements": grouped(out, lang),
        "claims": [
            {"by": who, "statements": grouped([c for c in said if c not in out], lang)}
            for who, said in sorted(claims.items())
            if any(c not in out for c in said)
        ],
        "incoming": grouped(incoming, lang),
        "incoming_claims": [{"by": who, "statements": grouped(said, lang)} for who, said in sorted(said_of_it.items())],
        "illustrative": any(s.predicate.endswith("#illustrative") and s.value == "true" for s in out),
    }


def pointing(
    view, iri: str, lang: str, names: Names, org: str | None, owners: set[str] | None = None, *, statements: int
) -> tuple[list, dict[str, list]]:
    """The statements whose object is the entity: facts, and {organisation: statements} that are that
    organisation's word (its `incoming_claims`, "selon …"). A statement pointing here is its speaker's
    (`ownership.speaker`) and a fact when the speaker is nobody (inferences, accepted links), or when it
    is no claim about its subject (`claims.claimed`: that P's actor `prov:contributed` to this project, on
    Q's word alone, is Q's claim about P's actor) and either the speaker is one of the entity's `owners`
    or the statement says nothing of the entity itself — a link from one's own study to another's
    (`prov:wasDerivedFrom`) is one's own business. An inverse, a symmetric or a derived-only predicate
    (`speaks_of_object`) says something of the entity: `study/aula-s1 prov:wasUsedBy project/X` is
    `project/X prov:used study/aula-s1`, aula's word about X (issue 16, outside re-test #3, finding 4)."""
    rows = list(solutions(view, bind(limited(IN, statements=statements), {Variable("s"): NamedNode(iri)})))
    subjects = sorted({r["o"].value for r in rows if isinstance(r["o"], NamedNode)})
    predicates = sorted({r["p"].value for r in rows})
    claimed = set()
    if subjects:
        claimed = {
            (s.value, p.value)
            for s, p, o in claiming.claimed(selecting(view, solutions), names, predicates, org, subjects)
            if o == NamedNode(iri)
        }
    of_object = speaks_of_object(view, predicates)
    facts: list = []
    said: dict[str, list] = {}
    for r in rows:
        who = ownership.speaker(names, r["g"])
        own = who in (owners or set()) or r["p"].value not in of_object
        if who is not None and ((r["o"].value, r["p"].value) in claimed or not own):
            said.setdefault(who, []).append(statement(r, lang))
        else:
            facts.append(statement(r, lang))
    return facts, {
        who: [s for s in stated if s not in facts]
        for who, stated in said.items()
        if any(s not in facts for s in stated)
    }


def speaks_of_object(view, predicates: list[str]) -> set[str]:
    """Which of `predicates` say something of their object: inverses and symmetric properties as the
    ontology declares them, `owl:sameAs`, and the predicates only the rules conclude (an organisation's
    graph may hold one written before `derived_predicates` refused them)."""
    if not predicates:
        return set()
    text = bind_rows(OF_OBJECT, [Variable("p")], [[NamedNode(p)] for p in predicates])
    found = {r["p"].value for r in solutions(view, text)}
    return found | ({SAME_AS} | {p.value for p in derived_predicates.derived_only()}) & set(predicates)


def relabel(statements: list[Statement], view, lang: str, names: Names, org: str | None) -> None:
    """Name each linked entity as its owner does: the query's label may be a title another organisation
    gave it, its claim (`entity_labels.names_for`)."""
    linked = [s for s in statements if s.kind == "iri"]
    labels = names_for(view, [s.value for s in linked], lang, solutions, names, org)
    for s in linked:
        s.label = labels[s.value]


def statement(row, lang: str) -> Statement:
    o = row["o"]
    p_label = (row["pEn"] if lang == "en" and row["pEn"] else row["pFr"]) or row["pEn"]
    o_label = (row["oEn"] if lang == "en" and row["oEn"] else row["oFr"]) or row["oEn"]
    p = row["p"].value
    short = p.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    short = STRINGS[lang]["predicates"].get(short, short)  # a standard term the ontology does not label
    if type(o).__name__ == "Literal":
        kind = o.datatype.value if o.datatype else None
        return Statement(p, p_label.value if p_label else short, o.value, "literal", o.value, o.language, kind)
    if isinstance(o, BlankNode):  # a node without a name: shown, never linked nor looked up as an IRI
        return Statement(p, p_label.value if p_label else short, f"_:{o.value}", "blank", f"_:{o.value}")
    return Statement(
        p, p_label.value if p_label else short, o.value, "iri", o_label.value if o_label else o.value.rsplit("/", 1)[-1]
    )


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
HISTORY = (
    sparql_prefixes()
    + f"""
SELECT ?change ?who ?when ?source ?added ?removed WHERE {{
  GRAPH ?provenance {{
    ?change pic:touched ?s ; prov:wasAssociatedWith/rdfs:label ?who ; prov:startedAtTime ?when .
    OPTIONAL {{ ?change dcterms:source ?source ; pic:addedTriples ?added ; pic:removedTriples ?removed }}
  }}
  FILTER (STRSTARTS(STR(?provenance), ?graphs) && REGEX(STRAFTER(STR(?provenance), ?graphs), "{PROVENANCE_PATH}"))
}} ORDER BY DESC(?when) LIMIT $changes"""
)


CHANGED_GRAPHS = (
    sparql_prefixes()
    + """SELECT ?change ?graph WHERE {
  GRAPH ?provenance { ?change pic:changedGraph ?graph } }"""
)


def history(view, iri: str, names: Names, changes: int) -> list[dict]:
    """The changes that touched the entity, newest first (who, when, by which door, how many triples).
    A draft made public left a public record of who and when only (`history.public_record`): anonymous
    readers see that change without its door and counts (None), which its organisation's record, where
    the reader may read it too, gives. `in`: the organisations whose graphs the change wrote."""
    rows = solutions(
        view,
        bind(
            limited(HISTORY, changes=changes),
            {Variable("s"): NamedNode(iri), Variable("graphs"): Literal(names.graph("").value)},
        ),
    )
    found: dict[str, dict] = {}
    for r in rows:
        change = r["change"].value
        if change in found and found[change]["source"] is not None:
            continue
        found[change] = {
            "change": change,
            "id": change.rsplit("/", 1)[-1],
            "who": r["who"].value,
            "when": r["when"].value[:19].replace("T", " "),
            "source": r["source"].value if r["source"] else None,
            "added": int(r["added"].value) if r["added"] else None,
            "removed": int(r["removed"].value) if r["removed"] else None,
            "in": [],
        }
    if found:  # whose graphs each change wrote (a facilitator's edit of aula's study is in aula's)
        text = bind_rows(CHANGED_GRAPHS, [Variable("change")], [[NamedNode(c)] for c in found])
        for r in solutions(view, text):
            org = names.owner_of(r["graph"]) if not names.is_derived(r["graph"]) else None
            if org and org not in found[r["change"].value]["in"]:
                found[r["change"].value]["in"] = sorted([*found[r["change"].value]["in"], org])
    return list(found.values())


ANNOTATION_COUNTS = (
    sparql_prefixes()
    + """
SELECT ?t (COUNT(DISTINCT ?a) AS ?n) WHERE {
  ?a oa:hasTarget ?x ; oa:motivatedBy ?motivation .
  OPTIONAL { ?x oa:hasSource ?source }
  OPTIONAL { ?t dcat:distribution ?document }
  FILTER (?x = ?t || ?source = ?t || ?source = ?document)
  FILTER (?motivation NOT IN (oa:replying, oa:moderating))
} GROUP BY ?t"""
)


def annotation_counts(view, iris: list[str]) -> dict[str, int]:
    """How many annotations the reader may read are about each IRI (its documents' passages included)."""
    if not iris:
        return {}
    text = bind_rows(ANNOTATION_COUNTS, [Variable("t")], [[NamedNode(i)] for i in sorted(set(iris))])
    return {r["t"].value: int(r["n"].value) for r in solutions(view, text)}
