"""Which statements are another organisation's claims, so that aggregates can leave them out.

A graph describes its owner's things (`ownership.py`); what another organisation's graph says about an
entity is that organisation's claim, shown on the entity's page as theirs and never merged into the
owner's facts. The maps, an actor page's lists and the search facets aggregate statements of many
entities at once: a claim that study X was produced by Q's actor, or done in another year, would become
a cooperation tie, a study on Q's page or a year in the facets, as if X's owner said it. They ask
`claimed` for the statements only non-owners make, and leave them out of their queries with `excluding`:
each query names, after a triple pattern that could match a claim, a block

    MINUS { VALUES (?s ?p ?o) {
      # claimed statements
    } }

(empty, so the query reads as it is, until `excluding` lists the claims there). The owners are those
`ownership.owners_from` names to the reader (as the entity page does), from the graphs the reader may
read. What a graph the moderation API owns says is no claim: an accepted link (`partner/{org}/link/…`,
`graph/annotations/moderation.py`) was decided by a facilitator, whoever proposed it and whoever owns its subject.
A claim whose object is a blank node cannot be named in a query and stays in (forms, imports and the
demo name every node; a partner's write about another's entity is refused since issue 16).
"""

from collections.abc import Sequence

from pyoxigraph import Literal, NamedNode, Variable

from pic.graph.names import GraphName, Names
from pic.graph.store.interface import bind_rows
from pic.graph.writes import ownership
from pic.graph.writes.ownership import Select, bound
from pic.ontology.namespaces import expand

MARKER = "# claimed statements"
RDF_TYPE = expand("rdf:type")
ATTRIBUTED = expand("prov:wasAttributedTo")
SUB_PROPERTY = expand("rdfs:subPropertyOf")
BATCH = 500
Claim = tuple[NamedNode, NamedNode, NamedNode | Literal]  # (subject, predicate, object) as terms
Row = tuple[str | None, ...]  # a row of plain values, as `select` gives them


def predicates_pattern(predicates: list[str]) -> str:
    """The predicates looked at, sub-properties of `prov:wasAttributedTo` included when it is one."""
    values = f"{{ VALUES ?p {{ {' '.join(f'<{p}>' for p in predicates)} }} }}"
    if ATTRIBUTED in predicates:
        values += f" UNION {{ ?p <{SUB_PROPERTY}>+ <{ATTRIBUTED}> }}"
    return values


def candidates_query(predicates: list[str]) -> str:
    """Subjects one graph says one of `predicates` of while another graph states their type: where a
    claim can be (a subject one graph types and describes alone has none)."""
    return f"""SELECT DISTINCT ?s WHERE {{ {predicates_pattern(predicates)}
  GRAPH ?g {{ ?s ?p ?o }} GRAPH ?t {{ ?s a ?class }} FILTER (?t != ?g && isIRI(?s)) }}"""


def statements_query(predicates: list[str]) -> str:
    """What each graph says of the subjects (bound as ?s): their types and `predicates`, each object with
    what it takes to write it back as a term (the rows are plain values)."""
    return f"""SELECT ?s ?p ?o ?g (isIRI(?o) AS ?iri) (DATATYPE(?o) AS ?datatype) (LANG(?o) AS ?language) WHERE {{
  {{ {predicates_pattern(predicates)} }} UNION {{ VALUES ?p {{ <{RDF_TYPE}> }} }}
  GRAPH ?g {{ ?s ?p ?o }} FILTER (!isBlank(?o)) }}"""


def claimed(
    select: Select, names: Names, predicates: list[str], org: str | None = None, subjects: list[str] | None = None
) -> list[Claim]:
    """The (subject, predicate, object) statements, as terms, that only organisations other than the
    subject's owners make, among `predicates` (of `subjects`, or of every subject). `select(text)` runs a
    SELECT on what the reader may read and gives its rows as plain values (`networks.run`); `org` is the
    reader's organisation (whose an entity two organisations type is to them: `ownership.owners_from`)."""
    found = {bound(row[0]) for row in _each(select, candidates_query(predicates), subjects)}
    if not found:
        return []
    said: dict[str, list[tuple[str, NamedNode | Literal, NamedNode]]] = {}
    for s, p, o, g, iri, datatype, language in _each(select, statements_query(predicates), sorted(found)):
        # ?o is always bound: no value is the empty literal (CSV rows cannot tell it from unbound, `networks.run`)
        said.setdefault(bound(s), []).append((bound(p), term(o or "", iri, datatype, language), NamedNode(bound(g))))
    earliest = ownership.earliest_typing(select)
    claims: list[Claim] = []
    for s, rows in sorted(said.items()):
        described = [(g, p == RDF_TYPE) for p, _, g in rows]
        owners = ownership.owners_from(described, names, NamedNode(s), earliest, reader=org)
        facts = {(p, o) for p, o, g in rows if ownership.speaker(names, g) in owners | {None}}
        claims += sorted({(NamedNode(s), NamedNode(p), o) for p, o, g in rows if (p, o) not in facts}, key=str)
    return claims


def owners_of(select: Select, names: Names, subjects: list[str], org: str | None = None) -> dict[str, set[str]]:
    """{subject: its owners} from what `select` reads (as `claimed`'s), to a reader of `org`."""
    described: dict[str, list[tuple[GraphName, bool]]] = {}
    for s, g, typed in _each(select, ownership.DESCRIBED, sorted(set(subjects))):
        described.setdefault(bound(s), []).append((NamedNode(bound(g)), typed == "true"))
    earliest = ownership.earliest_typing(select)
    return {
        s: ownership.owners_from(pairs, names, NamedNode(s), earliest, reader=org) for s, pairs in described.items()
    }


def _each(select: Select, text: str, subjects: list[str] | None) -> Sequence[Row]:
    """The rows of `text` for every subject (None), or for `subjects` bound as ?s, a batch at a time."""
    if subjects is None:
        return select(text)
    rows: list[Row] = []
    for start in range(0, len(subjects), BATCH):
        rows += select(bind_rows(text, [Variable("s")], [[NamedNode(s)] for s in subjects[start : start + BATCH]]))
    return rows


def term(value: str, iri: str | None, datatype: str | None, language: str | None) -> NamedNode | Literal:
    """An object written back from its plain value and what the query said of it."""
    if iri == "true":
        return NamedNode(value)
    if language:
        return Literal(value, language=language)
    return Literal(value, datatype=NamedNode(datatype)) if datatype else Literal(value)


def excluding(text: str, claims: Sequence[Claim]) -> str:
    """The query with the claims listed in each of its `MINUS { VALUES (?s ?p ?o) { … } }` blocks: the
    solutions a claim would make are taken out. The terms are written by pyoxigraph (no text of a
    statement can change the query)."""
    if not claims:
        return text
    return text.replace(MARKER, " ".join(f"({s} {p} {o})" for s, p, o in claims))
