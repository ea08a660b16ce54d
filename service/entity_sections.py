"""The parts of an entity page that depend on its kind: a project's roles, a study's lineage, a
territory's hierarchy and key figures… Each section is one query with the entity bound as `?s`; a
column `x` with a companion `xLabel` is a link, any other column is text."""

from pyoxigraph import Literal, NamedNode, Variable

from pic.graph.store import bind
from pic.ontology.namespaces import sparql_prefixes

P = sparql_prefixes()


def label(var: str, lang_var: str = "lang") -> str:
    """The French or English label of ?var (the reader's language first)."""
    names = "rdfs:label|skos:prefLabel|dcterms:title"
    return (f"OPTIONAL {{ ?{var} {names} ?{var}L1 FILTER (lang(?{var}L1) = ?{lang_var}) }}"
            f" OPTIONAL {{ ?{var} rdfs:label|skos:prefLabel|dcterms:title ?{var}L2 FILTER (lang(?{var}L2) = 'fr') }}"
            f" BIND (COALESCE(?{var}L1, ?{var}L2, STR(?{var})) AS ?{var}Label)")


SECTIONS: dict[str, list[dict]] = {
    "actor": [
        {"id": "projects", "fr": "Projets et rôles", "en": "Projects and roles",
         "columns": ["project", "role", "start"],
         "query": P + f"""SELECT DISTINCT ?project ?projectLabel ?role ?roleLabel ?start WHERE {{
            ?project prov:qualifiedAssociation ?a . ?a prov:agent ?s ; prov:hadRole ?role .
            OPTIONAL {{ ?project prov:startedAtTime ?t }} BIND (SUBSTR(STR(?t), 1, 4) AS ?start)
            {label('project')} {label('role')} }} ORDER BY DESC(?start) ?projectLabel"""},
        {"id": "studies", "fr": "Études réalisées ou commandées", "en": "Studies produced or commissioned",
         "columns": ["study", "relation", "status", "year"],
         "query": P + f"""SELECT DISTINCT ?study ?studyLabel ?relation ?relationLabel ?status ?statusLabel ?year
            WHERE {{
            VALUES ?relation {{ pic:producedBy pic:commissionedBy }} ?study ?relation ?s .
            OPTIONAL {{ ?study pic:studyStatus ?status }}
            OPTIONAL {{ ?study dcterms:issued|pic:expectedYear ?y }} BIND (STR(?y) AS ?year)
            {label('study')} {label('relation')} {label('status')} }} ORDER BY DESC(?year)"""},
        {"id": "memberships", "fr": "Adhésions", "en": "Memberships", "columns": ["organisation", "role"],
         "query": P + f"""SELECT DISTINCT ?organisation ?organisationLabel ?role ?roleLabel WHERE {{
            ?m org:member ?s ; org:organization ?organisation . OPTIONAL {{ ?m org:role ?role }}
            {label('organisation')} {label('role')} }}"""},
        {"id": "members", "fr": "Membres", "en": "Members", "columns": ["member", "role"],
         "query": P + f"""SELECT DISTINCT ?member ?memberLabel ?role ?roleLabel WHERE {{
            ?m org:organization ?s ; org:member ?member . OPTIONAL {{ ?m org:role ?role }}
            OPTIONAL {{ ?member foaf:name ?name }}
            {label('member')} {label('role')} }} ORDER BY ?memberLabel"""},
    ],
    "project": [
        {"id": "roles", "fr": "Rôles des acteurs", "en": "Actors' roles", "columns": ["actor", "role"],
         "query": P + f"""SELECT DISTINCT ?actor ?actorLabel ?role ?roleLabel WHERE {{
            ?s prov:qualifiedAssociation ?a . ?a prov:agent ?actor ; prov:hadRole ?role .
            {label('actor')} {label('role')} }} ORDER BY ?roleLabel ?actorLabel"""},
        {"id": "studies-used", "fr": "Études utilisées", "en": "Studies used", "columns": ["study", "year"],
         "query": P + f"""SELECT DISTINCT ?study ?studyLabel ?year WHERE {{
            ?s prov:used ?study . OPTIONAL {{ ?study dcterms:issued|pic:expectedYear ?y }} BIND (STR(?y) AS ?year)
            {label('study')} }} ORDER BY DESC(?year)"""},
    ],
    "study": [
        {"id": "documents", "fr": "Documents", "en": "Documents", "columns": ["document", "file", "text", "size"],
         "query": P + """SELECT ?document ?documentLabel ?file ?fileLabel ?text ?textLabel ?size WHERE {
            ?s dcat:distribution ?document . ?document dcterms:title ?documentLabel ; dcat:downloadURL ?file ;
              dcat:mediaType ?media ; dcat:byteSize ?bytes .
            BIND (UCASE(STRAFTER(STR(?media), "/application/")) AS ?kind)
            BIND (IF(CONTAINS(?kind, "PDF"), "PDF", IF(CONTAINS(?kind, "WORD"), "DOCX", "ODT")) AS ?fileLabel)
            BIND (IRI(CONCAT(STR(?document), "/text")) AS ?text) BIND ("texte / text" AS ?textLabel)
            BIND (CONCAT(STR(ROUND(?bytes / 1000)), " ko") AS ?size) } ORDER BY ?documentLabel"""},
        {"id": "builds-on", "fr": "S'appuie sur", "en": "Builds on", "columns": ["study", "year"],
         "query": P + f"""SELECT DISTINCT ?study ?studyLabel ?year WHERE {{
            ?s prov:wasDerivedFrom ?study . OPTIONAL {{ ?study dcterms:issued|pic:expectedYear ?y }}
            BIND (STR(?y) AS ?year) {label('study')} }} ORDER BY DESC(?year)"""},
        {"id": "built-on-by", "fr": "Études qui s'appuient sur elle", "en": "Studies that build on it",
         "columns": ["study", "year"],
         "query": P + f"""SELECT DISTINCT ?study ?studyLabel ?year WHERE {{
            ?study prov:wasDerivedFrom ?s . OPTIONAL {{ ?study dcterms:issued|pic:expectedYear ?y }}
            BIND (STR(?y) AS ?year) {label('study')} }} ORDER BY DESC(?year)"""},
        {"id": "informs", "fr": "Projets et questions qu'elle éclaire", "en": "Projects and questions it informs",
         "columns": ["target"],
         "query": P + f"""SELECT DISTINCT ?target ?targetLabel WHERE {{
            {{ ?target prov:used ?s }} UNION {{ ?target pic:informedByStudy ?s }} {label('target')} }}
            ORDER BY ?targetLabel"""},
    ],
    "territory": [
        {"id": "within", "fr": "Situé dans", "en": "Within", "columns": ["territory"],
         "query": P + f"""SELECT DISTINCT ?territory ?territoryLabel WHERE {{
            ?s (pic:withinTerritory|igeo:subdivisionDirecteDe)+ ?territory . {label('territory')} }}"""},
        {"id": "contains", "fr": "Subdivisions", "en": "Subdivisions", "columns": ["territory"],
         "query": P + f"""SELECT DISTINCT ?territory ?territoryLabel WHERE {{
            ?territory igeo:subdivisionDirecteDe ?s . {label('territory')} }} ORDER BY ?territoryLabel LIMIT 200"""},
        {"id": "key-indicators", "fr": "Indicateurs clés (dernière valeur)", "en": "Key indicators (latest value)",
         "columns": ["indicator", "year", "value", "unit"],
         "query": P + f"""SELECT ?indicator ?indicatorLabel ?year ?value ?unit WHERE {{
            {{ SELECT ?dataset (MAX(?y) AS ?last) WHERE {{
                 ?o pic:refArea ?s ; qb:dataSet ?dataset ; pic:refYear ?y }} GROUP BY ?dataset }}
            ?observation pic:refArea ?s ; qb:dataSet ?dataset ; pic:refYear ?last ; pic:value ?v .
            ?dataset pic:measuresIndicator ?indicator . OPTIONAL {{ ?dataset pic:unit ?unit }}
            BIND (STR(?last) AS ?year) BIND (STR(?v) AS ?value) {label('indicator')} }}
            ORDER BY ?indicatorLabel LIMIT 50"""},
        {"id": "covering", "fr": "Acteurs, projets et études qui le couvrent",
         "en": "Actors, projects and studies covering it", "columns": ["item", "kind"],
         "query": P + f"""SELECT DISTINCT ?item ?itemLabel ?kind WHERE {{
            ?part (pic:withinTerritory|igeo:subdivisionDirecteDe)* ?s .
            ?item dcterms:spatial|pic:territoryOfAction ?part .
            ?item a ?class . VALUES (?class ?kind) {{ (foaf:Agent "actor") (org:Organization "actor")
              (pic:Project "project") (pic:Study "study") }}
            {label('item')} }} ORDER BY ?kind ?itemLabel LIMIT 300"""},
    ],
}


def sections(view, kind: str, iri: str, lang: str, solutions) -> list[dict]:
    """The kind's sections that have rows, each {id, title, columns, rows: [[{iri?, text}]]}."""
    out = []
    for spec in SECTIONS.get(kind, []):
        rows = solutions(view, bind(spec["query"], {Variable("s"): NamedNode(iri), Variable("lang"): Literal(lang)}))
        table = []
        for r in rows:
            cells = []
            for c in spec["columns"]:
                value, shown = r[c], r[f"{c}Label"] if f"{c}Label" in spec["query"] else None
                if value is None:
                    cells.append({"text": ""})
                elif isinstance(value, NamedNode):
                    cells.append({"iri": value.value, "text": shown.value if shown else value.value})
                else:
                    cells.append({"text": value.value})
            table.append(cells)
        if table:
            out.append({"id": spec["id"], "title": spec[lang] if lang in spec else spec["fr"],
                        "columns": spec["columns"], "rows": table})
    return out
