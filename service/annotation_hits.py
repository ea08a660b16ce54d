"""What a search hit that is an annotation shows (issue 21, 6): an annotation has no title of its own, so it
is named by what it annotates — "Annotation sur <the entity's name>" — with its author's organisation, and
it opens the annotated entity's page on its card. A passage of a study's document is the study's; a
reply is about what the annotation it answers is about.

Everything is asked on the reader's own view of the graph: the hit itself came from a graph they may read
(`graph/search_index.py`), and the entity's and organisation's names are those they may read, or none.
"""

from pyoxigraph import NamedNode, Variable

from pic.graph.names import Names
from pic.graph.store.interface import bind_rows
from pic.graph.web_links import page_of
from pic.ontology.namespaces import sparql_prefixes
from pic.service.entities import solutions
from pic.service.entity_labels import given_names

ABOUT = (
    sparql_prefixes()
    + """
SELECT ?a ?about ?org WHERE {
  ?a oa:hasTarget ?target .
  OPTIONAL { ?target oa:hasSource ?source }
  BIND (COALESCE(?source, ?target) AS ?aimed)
  OPTIONAL { ?aimed a oa:Annotation ; oa:hasTarget ?answered . OPTIONAL { ?answered oa:hasSource ?answeredSource } }
  BIND (COALESCE(?answeredSource, ?answered, ?aimed) AS ?thing)
  OPTIONAL { ?study dcat:distribution ?thing }
  BIND (COALESCE(?study, ?thing) AS ?about)
  OPTIONAL { ?a dcterms:creator ?creator . ?creator org:memberOf ?org }
}"""
)
ANCHOR = "#annotation-"  # an annotation's card on the entity page, by its key (`annotate.js`)


def about(view, annotations: list[str]) -> dict[str, tuple[str, str | None]]:
    """{annotation: (what it annotates, its author's organisation or None)}, as the reader reads them."""
    if not annotations:
        return {}
    text = bind_rows(ABOUT, [Variable("a")], [[NamedNode(a)] for a in sorted(set(annotations))])
    found: dict[str, tuple[str, str | None]] = {}
    rows = sorted(
        (r["a"].value, r["about"].value, r["org"].value if r["org"] else "")
        for r in solutions(view, text)
        if r["about"] is not None
    )
    for annotation, thing, org in rows:
        found.setdefault(annotation, (thing, org or None))
    return found


def name_annotation_hits(
    view, hits: list[dict], base: str, lang: str, words: dict, names: Names | None, org: str | None
) -> None:
    """Each annotation among `hits` gets its title (`words["title"]` with the annotated entity's name), the
    annotated entity (`annotates`), its author's organisation's name (`organisation`) and, as its page,
    the entity's page at its annotations."""
    annotations = [h for h in hits if h.get("type") == "annotation"]
    if not annotations:
        return
    found = about(view, [h["iri"] for h in annotations])
    named = given_names(view, sorted({i for pair in found.values() for i in pair if i}), lang, solutions, names, org)
    for hit in annotations:
        if hit["iri"] not in found:
            continue
        thing, author_org = found[hit["iri"]]
        hit["annotates"] = thing
        hit["title"] = words["title"].format(entity=named.get(thing) or words["unnamed"])
        if author_org and author_org in named:
            hit["organisation"] = named[author_org]
        page = page_of(thing, base)
        if page.startswith("/id/"):  # the page opens with this annotation's card focused (`annotate.js`)
            hit["page"] = f"{page}{ANCHOR}{hit['iri'].rsplit('/', 1)[-1]}"
