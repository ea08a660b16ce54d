"""The parts of an entity page that depend on its kind: a project's roles, a study's lineage and
documents, a territory's hierarchy and key figures… Each section is one query about `?this`; an IRI
column is a link labelled in the reader's language, other columns are text (a column `x` may carry its
own text in `xLabel`).

Two choices keep the page fast on a large graph: the entity is written into the query as a constant
(serialised by pyoxigraph, so it cannot change the query) because the engine plans a constant far better
than a VALUES join, and labels are fetched once for the whole page rather than by OPTIONALs in each
query (an OPTIONAL on a possibly unbound variable scans every label of the graph).
"""

import re

from pyoxigraph import NamedNode, Variable

from pic.graph.store import bind_rows
from pic.ontology.namespaces import sparql_prefixes

P = sparql_prefixes()
YEAR = "OPTIONAL { ?study dcterms:issued|pic:expectedYear ?y } BIND (STR(?y) AS ?year)"

SECTIONS: dict[str, list[dict]] = {
    "actor": [
        {"id": "projects", "fr": "Projets et rôles", "en": "Projects and roles",
         "columns": ["project", "role", "start"], "query": P + """SELECT DISTINCT ?project ?role ?start WHERE {
            ?project prov:qualifiedAssociation ?a . ?a prov:agent ?this ; prov:hadRole ?role .
            OPTIONAL { ?project prov:startedAtTime ?t } BIND (SUBSTR(STR(?t), 1, 4) AS ?start)
         } ORDER BY DESC(?start) LIMIT 300"""},
        {"id": "studies", "fr": "Études réalisées ou commandées", "en": "Studies produced or commissioned",
         "columns": ["study", "relation", "status", "year"], "query": P + f"""
         SELECT DISTINCT ?study ?relation ?status ?year WHERE {{
            VALUES ?relation {{ pic:producedBy pic:commissionedBy }} ?study ?relation ?this .
            OPTIONAL {{ ?study pic:studyStatus ?status }} {YEAR}
         }} ORDER BY DESC(?year) LIMIT 300"""},
        {"id": "studies-used", "fr": "Études utilisées dans ses projets", "en": "Studies used in its projects",
         "columns": ["study", "project", "year"], "query": P + f"""SELECT DISTINCT ?study ?project ?year WHERE {{
            ?project prov:qualifiedAssociation/prov:agent ?this ; prov:used ?study . {YEAR}
         }} ORDER BY DESC(?year) LIMIT 300"""},
        {"id": "memberships", "fr": "Adhésions", "en": "Memberships", "columns": ["organisation", "role"],
         "query": P + """SELECT DISTINCT ?organisation ?role WHERE {
            ?m org:member ?this ; org:organization ?organisation . OPTIONAL { ?m org:role ?role } }"""},
        {"id": "members", "fr": "Membres", "en": "Members", "columns": ["member", "role"],
         "query": P + """SELECT DISTINCT ?member ?role WHERE {
            ?m org:organization ?this ; org:member ?member . OPTIONAL { ?m org:role ?role }
         } ORDER BY ?member LIMIT 300"""},
    ],
    "project": [
        {"id": "roles", "fr": "Rôles des acteurs", "en": "Actors' roles", "columns": ["actor", "role"],
         "query": P + """SELECT DISTINCT ?actor ?role WHERE {
            ?this prov:qualifiedAssociation ?a . ?a prov:agent ?actor ; prov:hadRole ?role . } ORDER BY ?role"""},
        {"id": "studies-used", "fr": "Études utilisées", "en": "Studies used", "columns": ["study", "year"],
         "query": P + f"SELECT DISTINCT ?study ?year WHERE {{ ?this prov:used ?study . {YEAR} }} ORDER BY DESC(?year)"},
        {"id": "studies-produced", "fr": "Études produites", "en": "Studies produced", "columns": ["study", "year"],
         "query": P + f"SELECT DISTINCT ?study ?year WHERE {{ ?study prov:wasGeneratedBy ?this . {YEAR} }}"
                      " ORDER BY DESC(?year)"},
    ],
    "study": [
        {"id": "documents", "fr": "Documents", "en": "Documents", "columns": ["document", "file", "text", "size"],
         "query": P + """SELECT ?document ?documentLabel ?file ?fileLabel ?text ?textLabel ?size WHERE {
            ?this dcat:distribution ?document . ?document dcterms:title ?documentLabel ; dcat:downloadURL ?file ;
              dcat:mediaType ?media ; dcat:byteSize ?bytes .
            BIND (UCASE(STRAFTER(STR(?media), "/application/")) AS ?kind)
            BIND (IF(CONTAINS(?kind, "PDF"), "PDF", IF(CONTAINS(?kind, "WORD"), "DOCX", "ODT")) AS ?fileLabel)
            BIND (IRI(CONCAT(STR(?document), "/text")) AS ?text) BIND ("texte / text" AS ?textLabel)
            BIND (CONCAT(STR(ROUND(?bytes / 1000)), " ko") AS ?size) } ORDER BY ?documentLabel"""},
        {"id": "builds-on", "fr": "S'appuie sur", "en": "Builds on", "columns": ["study", "year"],
         "query": P + f"SELECT DISTINCT ?study ?year WHERE {{ ?this prov:wasDerivedFrom ?study . {YEAR} }}"
                      " ORDER BY DESC(?year)"},
        {"id": "built-on-by", "fr": "Études qui s'appuient sur elle", "en": "Studies that build on it",
         "columns": ["study", "year"],
         "query": P + f"SELECT DISTINCT ?study ?year WHERE {{ ?study prov:wasDerivedFrom ?this . {YEAR} }}"
                      " ORDER BY DESC(?year) LIMIT 300"},
        {"id": "informs", "fr": "Projets et questions qu'elle éclaire", "en": "Projects and questions it informs",
         "columns": ["target"], "query": P + """SELECT DISTINCT ?target WHERE {
            { ?target prov:used ?this } UNION { ?target pic:informedByStudy ?this } } LIMIT 300"""},
    ],
    "territory": [
        {"id": "within", "fr": "Situé dans", "en": "Within", "columns": ["territory"],
         "query": P + "SELECT DISTINCT ?territory WHERE { ?this pic:withinTerritory ?territory }"},
        {"id": "contains", "fr": "Subdivisions", "en": "Subdivisions", "columns": ["territory"],
         "query": P + "SELECT DISTINCT ?territory WHERE { ?territory igeo:subdivisionDirecteDe ?this }"
                      " ORDER BY ?territory LIMIT 200"},
        {"id": "key-indicators", "fr": "Indicateurs clés (dernière valeur)", "en": "Key indicators (latest value)",
         "columns": ["indicator", "year", "value", "unit"], "latest": "indicator",
         "query": P + """SELECT ?indicator ?year ?value ?unit WHERE {
            ?observation pic:refArea ?this ; qb:dataSet ?dataset ; pic:refYear ?y ; pic:value ?v .
            ?dataset pic:measuresIndicator ?indicator . OPTIONAL { ?dataset pic:unit ?unit }
            BIND (STR(?y) AS ?year) BIND (STR(?v) AS ?value) } LIMIT 5000"""},
        {"id": "covering", "fr": "Acteurs, projets et études qui le couvrent",
         "en": "Actors, projects and studies covering it", "columns": ["item", "kind"],
         "query": P + """SELECT DISTINCT ?item ?kind WHERE {
            { BIND (?this AS ?part) } UNION { ?part pic:withinTerritory ?this }
            ?item dcterms:spatial|pic:territoryOfAction ?part .
            ?item a ?class . VALUES (?class ?kind) { (foaf:Agent "actor") (org:Organization "actor")
              (pic:Project "project") (pic:Study "study") }
         } ORDER BY ?kind ?item LIMIT 300"""},
    ],
}
LABELS = P + """SELECT ?x ?label WHERE {
  ?x rdfs:label|skos:prefLabel|dcterms:title ?label FILTER (lang(?label) IN ("fr", "en", ""))
}"""


def about(query: str, iri: str) -> str:
    """The query with `?this` replaced by the entity's IRI, serialised by pyoxigraph."""
    return re.sub(r"\?this\b", str(NamedNode(iri)), query)


def sections(view, kind: str, iri: str, lang: str, solutions) -> list[dict]:
    """The kind's sections that have rows, each {id, title, columns, rows: [[{iri?, text}]]}."""
    out = []
    for spec in SECTIONS.get(kind, []):
        rows = list(solutions(view, about(spec["query"], iri)))
        if spec.get("latest"):
            rows = latest(rows, spec["latest"])
        table = []
        for r in rows:
            cells = []
            for c in spec["columns"]:
                value, own = r[c], r[f"{c}Label"] if f"?{c}Label" in spec["query"] else None
                if value is None:
                    cells.append({"text": ""})
                elif isinstance(value, NamedNode):
                    cells.append({"iri": value.value, "text": own.value if own else None})
                else:
                    cells.append({"text": value.value})
            table.append(cells)
        if table:
            out.append({"id": spec["id"], "title": spec.get(lang, spec["fr"]), "columns": spec["columns"],
                        "rows": table})
    label_cells(view, out, lang, solutions)
    return out


def count_annotations(sections_: list[dict], counts) -> None:
    """Each linked entity's annotation count beside it (`counts`: IRIs → {IRI: n}, as the reader sees)."""
    cells = [row[0] for s in sections_ for row in s["rows"] if row and row[0].get("iri")]
    found = counts(sorted({c["iri"] for c in cells}))
    for cell in cells:
        cell["annotations"] = found.get(cell["iri"], 0)


def latest(rows, key: str) -> list:
    """One row per `key`, the one with the latest year."""
    best: dict[str, object] = {}
    for r in rows:
        k = r[key].value
        if k not in best or r["year"].value > best[k]["year"].value:
            best[k] = r
    return [best[k] for k in sorted(best)]


def label_cells(view, sections_: list[dict], lang: str, solutions) -> None:
    """Give every IRI cell without its own text the label in the reader's language (French, else any)."""
    cells = [cell for s in sections_ for row in s["rows"] for cell in row if cell.get("iri") and not cell["text"]]
    iris = sorted({cell["iri"] for cell in cells})
    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(iris), 500):
        chunk = [[NamedNode(i)] for i in iris[start:start + 500]]
        for r in solutions(view, bind_rows(LABELS, [Variable("x")], chunk)):
            found.setdefault(r["x"].value, {}).setdefault(r["label"].language or "", r["label"].value)
    for cell in cells:
        labels = found.get(cell["iri"], {})
        cell["text"] = (labels.get(lang) or labels.get("fr") or next(iter(labels.values()), None)
                        or cell["iri"].rsplit("/", 1)[-1])
