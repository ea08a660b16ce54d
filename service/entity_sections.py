"""The parts of an entity page that depend on its kind: a project's roles, a study's lineage and
documents, a territory's hierarchy and key figures… Each section is one query about `?this`; an IRI
column is a link labelled in the reader's language, other columns are text (a column `x` may carry its
own text in `xLabel`).

Two choices keep the page fast on a large graph: the entity is written into the query as a constant
(serialised by pyoxigraph, so it cannot change the query) because the engine plans a constant far better
than a VALUES join, and labels are fetched once for the whole page rather than by OPTIONALs in each
query (an OPTIONAL on a possibly unbound variable scans every label of the graph).

A list is made of its entities' facts: what another organisation's graph says about a study (that Q's
actor produced it, another year) is Q's claim (`graph/claims.py`), shown on the study's page as Q's and
left out of an actor's lists. A section whose query has `MINUS` blocks for claims names the predicates
(`claims`) whose claims about the entities it lists are looked for, and runs again without them.
"""

import re
from typing import Any

from pyoxigraph import NamedNode

from pic.graph import claims
from pic.graph.names import Names
from pic.graph.writes import ownership
from pic.ontology.namespaces import PIC, PREFIXES, expand, sparql_prefixes
from pic.service.entity_labels import minus, names_for, selecting
from pic.service.pages import limited, number
from pic.viz import report

P = sparql_prefixes()
PROV = PREFIXES["prov"]
# A study's year as its owner says it (the caller lists other organisations' claims in the MINUS block).
OWN_YEAR = """OPTIONAL { ?study ?dated ?y VALUES ?dated { dcterms:issued pic:expectedYear }
              MINUS { VALUES (?study ?dated ?y) {
                # claimed statements
              } } } BIND (STR(?y) AS ?year)"""
DCTERMS = PREFIXES["dcterms"]
DATES = [f"{DCTERMS}issued", f"{PIC}expectedYear", f"{PROV}startedAtTime"]
MEMBERSHIP = [
    expand("org:member"),
    expand("org:organization"),
    expand("org:role"),
]

SECTIONS: dict[str, list[dict]] = {
    "actor": [
        {
            "id": "projects",
            "fr": "Projets et rôles",
            "en": "Projects and roles",
            "speaker": "project",
            "columns": ["project", "role", "start"],
            "query": P
            + f"""SELECT DISTINCT ?project ?role ?start ?a WHERE {{
            ?project prov:qualifiedAssociation ?a . ?a prov:agent ?this ; prov:hadRole ?role .
            BIND (prov:qualifiedAssociation AS ?takesPart) BIND (prov:agent AS ?agent) BIND (?this AS ?actor)
            BIND (prov:hadRole AS ?plays)
            {minus("?project ?takesPart ?a")} {minus("?a ?agent ?actor")} {minus("?a ?plays ?role")}
            OPTIONAL {{ ?project prov:startedAtTime ?t BIND (prov:startedAtTime AS ?starts)
              {minus("?project ?starts ?t")} }} BIND (SUBSTR(STR(?t), 1, 4) AS ?start)
         }} ORDER BY DESC(?start) LIMIT $rows""",
            "claims": [f"{PROV}qualifiedAssociation", f"{PROV}agent", f"{PROV}hadRole", *DATES],
        },
        {
            "id": "studies",
            "fr": "Études réalisées ou commandées",
            "en": "Studies produced or commissioned",
            "speaker": "study",
            "columns": ["study", "relation", "status", "year"],
            "query": P
            + f"""
         SELECT DISTINCT ?study ?relation ?status ?year WHERE {{
            VALUES ?relation {{ pic:producedBy pic:commissionedBy }} ?study ?relation ?this .
            BIND (?this AS ?actor) {minus("?study ?relation ?actor")}
            OPTIONAL {{ ?study pic:studyStatus ?status BIND (pic:studyStatus AS ?stated)
              {minus("?study ?stated ?status")} }} {OWN_YEAR}
         }} ORDER BY DESC(?year) LIMIT $rows""",
            "claims": [f"{PIC}producedBy", f"{PIC}commissionedBy", f"{PIC}studyStatus", *DATES],
        },
        {
            "id": "studies-used",
            "fr": "Études utilisées dans ses projets",
            "en": "Studies used in its projects",
            "speaker": "project",
            "columns": ["study", "project", "year"],
            "query": P
            + f"""SELECT DISTINCT ?study ?project ?year ?a WHERE {{
            ?project prov:qualifiedAssociation ?a ; prov:used ?study . ?a prov:agent ?this .
            BIND (prov:qualifiedAssociation AS ?takesPart) BIND (prov:agent AS ?agent) BIND (?this AS ?actor)
            BIND (prov:used AS ?uses)
            {minus("?project ?takesPart ?a")} {minus("?a ?agent ?actor")} {minus("?project ?uses ?study")}
            {OWN_YEAR}
         }} ORDER BY DESC(?year) LIMIT $rows""",
            "claims": [f"{PROV}qualifiedAssociation", f"{PROV}agent", f"{PROV}used", *DATES],
        },
        {
            "id": "memberships",
            "fr": "Adhésions",
            "en": "Memberships",
            "columns": ["organisation", "role"],
            "speaker": "m",
            "query": P
            + f"""SELECT DISTINCT ?organisation ?role ?m WHERE {{
            ?m org:member ?this ; org:organization ?organisation .
            BIND (org:member AS ?memberOf) BIND (org:organization AS ?in) BIND (?this AS ?member)
            {minus("?m ?memberOf ?member")} {minus("?m ?in ?organisation")}
            OPTIONAL {{ ?m org:role ?role BIND (org:role AS ?as) {minus("?m ?as ?role")} }} }}""",
            "claims": MEMBERSHIP,
        },
        {
            "id": "members",
            "fr": "Membres",
            "en": "Members",
            "speaker": "m",
            "columns": ["member", "role"],
            "query": P
            + f"""SELECT DISTINCT ?member ?role ?m WHERE {{
            ?m org:organization ?this ; org:member ?member .
            BIND (org:member AS ?memberOf) BIND (org:organization AS ?in) BIND (?this AS ?organisation)
            {minus("?m ?memberOf ?member")} {minus("?m ?in ?organisation")}
            OPTIONAL {{ ?m org:role ?role BIND (org:role AS ?as) {minus("?m ?as ?role")} }}
         }} ORDER BY ?member LIMIT $rows""",
            "claims": MEMBERSHIP,
        },
    ],
    "project": [
        {
            "id": "roles",
            "fr": "Rôles des acteurs",
            "en": "Actors' roles",
            "columns": ["actor", "role"],
            "query": P
            + f"""SELECT DISTINCT ?actor ?role ?a WHERE {{
            ?this prov:qualifiedAssociation ?a . ?a prov:agent ?actor ; prov:hadRole ?role .
            BIND (?this AS ?project) BIND (prov:qualifiedAssociation AS ?takesPart) BIND (prov:agent AS ?agent)
            BIND (prov:hadRole AS ?plays)
            {minus("?project ?takesPart ?a")} {minus("?a ?agent ?actor")} {minus("?a ?plays ?role")}
         }} ORDER BY ?role""",
            "claims": [f"{PROV}qualifiedAssociation", f"{PROV}agent", f"{PROV}hadRole"],
        },
        {
            "id": "studies-used",
            "fr": "Études utilisées",
            "en": "Studies used",
            "columns": ["study", "year"],
            "query": P
            + f"""SELECT DISTINCT ?study ?year WHERE {{
            ?this prov:used ?study . BIND (?this AS ?project) BIND (prov:used AS ?uses)
            {minus("?project ?uses ?study")} {OWN_YEAR} }} ORDER BY DESC(?year)""",
            "claims": [f"{PROV}used", *DATES],
        },
        {
            "id": "studies-produced",
            "fr": "Études produites",
            "en": "Studies produced",
            "columns": ["study", "year"],
            "speaker": "study",
            "query": P
            + f"""SELECT DISTINCT ?study ?year WHERE {{
            ?study prov:wasGeneratedBy ?this . BIND (?this AS ?project) BIND (prov:wasGeneratedBy AS ?made)
            {minus("?study ?made ?project")} {OWN_YEAR} }} ORDER BY DESC(?year)""",
            "claims": [f"{PROV}wasGeneratedBy", *DATES],
        },
    ],
    "study": [
        {
            "id": "documents",
            "fr": "Documents",
            "en": "Documents",
            "columns": ["document", "file", "text", "size"],
            "query": P
            + f"""SELECT ?document ?documentLabel ?file ?fileLabel ?text ?textLabel ?size WHERE {{
            ?this dcat:distribution ?document . ?document dcterms:title ?documentLabel ; dcat:downloadURL ?file ;
              dcat:mediaType ?media ; dcat:byteSize ?bytes .
            BIND (?this AS ?study) BIND (dcat:distribution AS ?has) BIND (dcterms:title AS ?titled)
            {minus("?study ?has ?document")} {minus("?document ?titled ?documentLabel")}
            BIND (UCASE(STRAFTER(STR(?media), "/application/")) AS ?kind)
            BIND (IF(CONTAINS(?kind, "PDF"), "PDF", IF(CONTAINS(?kind, "WORD"), "DOCX", "ODT")) AS ?fileLabel)
            BIND (IRI(CONCAT(STR(?document), "/text")) AS ?text) BIND ("texte / text" AS ?textLabel)
            BIND (CONCAT(STR(ROUND(?bytes / 1000)), " ko") AS ?size) }} ORDER BY ?documentLabel""",
            "claims": [expand("dcat:distribution"), f"{DCTERMS}title"],
        },
        {
            "id": "builds-on",
            "fr": "S'appuie sur",
            "en": "Builds on",
            "columns": ["study", "year"],
            "query": P
            + f"""SELECT DISTINCT ?study ?year WHERE {{
            ?this prov:wasDerivedFrom ?study . BIND (?this AS ?later) BIND (prov:wasDerivedFrom AS ?from)
            {minus("?later ?from ?study")} {OWN_YEAR} }} ORDER BY DESC(?year)""",
            "claims": [f"{PROV}wasDerivedFrom", *DATES],
        },
        {
            "id": "built-on-by",
            "fr": "Études qui s'appuient sur elle",
            "en": "Studies that build on it",
            "speaker": "study",
            "columns": ["study", "year"],
            "query": P
            + f"""SELECT DISTINCT ?study ?year WHERE {{
            ?study prov:wasDerivedFrom ?this . BIND (?this AS ?earlier) BIND (prov:wasDerivedFrom AS ?from)
            {minus("?study ?from ?earlier")} {OWN_YEAR} }} ORDER BY DESC(?year) LIMIT $rows""",
            "claims": [f"{PROV}wasDerivedFrom", *DATES],
        },
        {
            "id": "informs",
            "fr": "Projets et questions qu'elle éclaire",
            "en": "Projects and questions it informs",
            "speaker": "target",
            "columns": ["target"],
            "query": P
            + f"""SELECT DISTINCT ?target WHERE {{
            {{ ?target prov:used ?this BIND (prov:used AS ?informed) }}
            UNION {{ ?target pic:informedByStudy ?this BIND (pic:informedByStudy AS ?informed) }}
            BIND (?this AS ?study) {minus("?target ?informed ?study")} }} LIMIT $rows""",
            "claims": [f"{PROV}used", f"{PIC}informedByStudy"],
        },
    ],
    "territory": [
        {
            "id": "within",
            "fr": "Situé dans",
            "en": "Within",
            "columns": ["territory"],
            "query": P
            + f"""SELECT DISTINCT ?territory WHERE {{ ?this pic:withinTerritory ?territory
            BIND (?this AS ?part) BIND (pic:withinTerritory AS ?within) {minus("?part ?within ?territory")} }}""",
            "claims": [f"{PIC}withinTerritory"],
        },
        {
            "id": "contains",
            "fr": "Subdivisions",
            "en": "Subdivisions",
            "columns": ["territory"],
            "query": P
            + f"""SELECT DISTINCT ?territory WHERE {{ ?territory igeo:subdivisionDirecteDe ?this
            BIND (?this AS ?whole) BIND (igeo:subdivisionDirecteDe AS ?of) {minus("?territory ?of ?whole")} }}
            ORDER BY ?territory LIMIT $rows""",
            "claims": [expand("igeo:subdivisionDirecteDe")],
        },
        {
            "id": "key-indicators",
            "fr": "Indicateurs clés (dernière valeur)",
            "en": "Key indicators (latest value)",
            "columns": ["indicator", "year", "value", "unit"],
            "latest": "indicator",
            "given_by": "value",
            "query": P
            + f"""SELECT ?indicator ?year ?value ?unit ?observation ?dataset ?illustrative WHERE {{
            ?observation pic:refArea ?this ; qb:dataSet ?dataset ; pic:refYear ?y ; pic:value ?v .
            ?dataset pic:measuresIndicator ?indicator . OPTIONAL {{ ?dataset pic:unit ?unit }}
            BIND (?this AS ?area) BIND (pic:refArea AS ?in) BIND (qb:dataSet AS ?of) BIND (pic:refYear AS ?when)
            BIND (pic:value AS ?is) BIND (pic:measuresIndicator AS ?measures)
            {minus("?observation ?in ?area")} {minus("?observation ?of ?dataset")} {minus("?observation ?when ?y")}
            {minus("?observation ?is ?v")} {minus("?dataset ?measures ?indicator")}
            OPTIONAL {{ ?observation pic:illustrative ?illustrative }}
            BIND (STR(?y) AS ?year) BIND (STR(?v) AS ?value) }} LIMIT $observations""",
            "claims": [
                f"{PIC}refArea",
                expand("qb:dataSet"),
                f"{PIC}refYear",
                f"{PIC}value",
                f"{PIC}measuresIndicator",
            ],
        },
        {
            "id": "covering",
            "fr": "Acteurs, projets et études qui le couvrent",
            "en": "Actors, projects and studies covering it",
            "columns": ["item", "kind"],
            "query": P
            + f"""SELECT DISTINCT ?item ?kind ?part WHERE {{
            {{ BIND (?this AS ?part) }} UNION {{ ?part pic:withinTerritory ?this
              BIND (?this AS ?whole) BIND (pic:withinTerritory AS ?within) {minus("?part ?within ?whole")} }}
            ?item ?covers ?part . VALUES ?covers {{ dcterms:spatial pic:territoryOfAction }}
            {minus("?item ?covers ?part")}
            ?item a ?class . VALUES (?class ?kind) {{ (foaf:Agent "actor") (org:Organization "actor")
              (pic:Project "project") (pic:Study "study") }}
         }} ORDER BY ?kind ?item LIMIT $rows""",
            "claims": [f"{DCTERMS}spatial", f"{PIC}territoryOfAction", f"{PIC}withinTerritory"],
        },
    ],
}


def about(query: str, iri: str) -> str:
    """The query with `?this` replaced by the entity's IRI, serialised by pyoxigraph."""
    return re.sub(r"\?this\b", str(NamedNode(iri)), query)


def sections(
    view,
    kind: str,
    iri: str,
    lang: str,
    solutions,
    names: Names | None = None,
    org: str | None = None,
    *,
    caps: dict[str, int],
) -> list[dict]:
    """The kind's sections that have rows, each {id, title, columns, rows: [[{iri?, text}]]}; `org`, the
    reader's organisation, is whose an entity two organisations type is to them (`ownership.owners_from`).
    `caps`: each list's rows (`rows`) and the observations key indicators are chosen from (`observations`),
    from the settings."""
    found = []
    for spec in SECTIONS.get(kind, []):
        query = limited(about(spec["query"], iri), **caps)
        rows = without_claims(view, query, spec.get("claims"), iri, solutions, names, org)
        found.append((spec, latest(rows, spec["latest"]) if spec.get("latest") else rows))
    speakers = spoken_by(view, iri, found, solutions, names, org)
    out = []
    for spec, rows in found:
        given = givers(view, rows, names) if spec.get("given_by") else {}
        table = []
        for r in rows:
            cells: list[dict[str, Any]] = []
            for c in spec["columns"]:
                value, own = r[c], r[f"{c}Label"] if f"?{c}Label" in spec["query"] else None
                if value is None:
                    cells.append({"text": ""})
                elif isinstance(value, NamedNode):
                    cells.append({"iri": value.value, "text": own.value if own else None})
                elif c == "value":  # a figure as the page's language writes it, marked when invented
                    cells.append({"text": value.value, "shown": number(value.value, lang)})  # data stays data
                    if "?observation" in spec["query"] and r["observation"] is not None:
                        cells[-1]["node"] = r["observation"].value  # the figure says which node it is
                    if "?illustrative" in spec["query"] and r["illustrative"] and r["illustrative"].value == "true":
                        cells[-1]["illustrative"] = True
                else:
                    cells.append({"text": value.value})
                if c == spec.get("given_by") and given.get(r["observation"].value):
                    who = given[r["observation"].value]
                    cells[-1].update(given_by=who, note=f"{report.TEXT[lang]['given_by']} {who}")
            said = spec.get("speaker") and r[spec["speaker"]] is not None and speakers.get(r[spec["speaker"]].value)
            if said and cells[0].get("iri"):
                cells[0]["said_by"] = said
            if cells not in table:  # rows that differ only by a node the section does not show
                table.append(cells)
        if table:
            out.append(
                {"id": spec["id"], "title": spec.get(lang, spec["fr"]), "columns": spec["columns"], "rows": table}
            )
    label_cells(view, out, lang, solutions, names, org)
    return out


def spoken_by(view, iri: str, found: list, solutions, names: Names | None, org: str | None) -> dict[str, list]:
    """{entity whose statement makes a row: its owners} where they are not the page entity's: a row of
    what points here (`speaker`) is its speaker's word — aula's study "produced by" the museum is listed
    on the museum's page as aula's (fourth outside re-test, F8). The platform's entities (territories,
    themes) list what points at them unattributed: where one works is one's own business."""
    nodes = sorted(
        {
            r[spec["speaker"]].value
            for spec, rows in found
            if spec.get("speaker")
            for r in rows
            if isinstance(r[spec["speaker"]], NamedNode)
        }
    )
    if not nodes:
        return {}
    owners = claims.owners_of(selecting(view, solutions), names or Names(), [iri, *nodes], org)
    page = owners.get(iri, set()) - {ownership.PLATFORM}
    if not page:
        return {}
    spoken = {n: sorted(owners.get(n, set()) - {ownership.PLATFORM}) for n in nodes}
    return {n: who for n, who in spoken.items() if who and not set(who) & page}


def without_claims(
    view, text: str, predicates: list[str] | None, iri: str, solutions, names: Names | None, org: str | None
) -> list:
    """The section's rows, asked again without other organisations' claims about the entities they name
    when there are some (`claims.claimed`, among `predicates`)."""
    rows = list(solutions(view, text))
    if not predicates or not rows:
        return rows
    subjects = sorted({v.value for r in rows for v in r if isinstance(v, NamedNode)} | {iri})
    claimed = claims.claimed(selecting(view, solutions), names or Names(), predicates, org, subjects)
    return list(solutions(view, claims.excluding(text, claimed))) if claimed else rows


def givers(view, rows, names: Names | None) -> dict[str, str]:
    """{observation: the organisation that gave it} for the figures a partner gave to another's series,
    named beside the value as the annual report does ("chiffre donné par cd62", `report.givers`)."""
    observations = sorted({r["observation"].value for r in rows if r["observation"] is not None})
    return report.givers(view, observations, (names or Names()).base, None)[0] if observations else {}


def count_annotations(sections_: list[dict], counts) -> None:
    """Each linked entity's annotation count beside it (`counts`: IRIs → {IRI: n}, as the reader sees)."""
    cells = [row[0] for s in sections_ for row in s["rows"] if row and row[0].get("iri")]
    found = counts(sorted({c["iri"] for c in cells}))
    for cell in cells:
        cell["annotations"] = found.get(cell["iri"], 0)


def latest(rows, key: str) -> list:
    """One row per `key`, the one with the latest year."""
    best: dict[str, Any] = {}
    for r in rows:
        k = r[key].value
        if k not in best or r["year"].value > best[k]["year"].value:
            best[k] = r
    return [best[k] for k in sorted(best)]


def label_cells(
    view, sections_: list[dict], lang: str, solutions, names: Names | None = None, org: str | None = None
) -> None:
    """Give every IRI cell without its own text the label in the reader's language (French, else any),
    as the entity's owner gives it: another organisation's title for it is its claim, not the entity's name."""
    cells = [cell for s in sections_ for row in s["rows"] for cell in row if cell.get("iri") and not cell["text"]]
    labels = names_for(view, [cell["iri"] for cell in cells], lang, solutions, names, org)
    for cell in cells:
        cell["text"] = labels[cell["iri"]]
