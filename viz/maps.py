"""One entry point for a map, shared by the service pages, their exports and `pic map`:
network → metrics → positions, then the chosen output."""

import networkx as nx

from pic.viz import exports, networks, render
from pic.viz.filters import Filters
from pic.viz.metrics import add_metrics_and_positions
from pic.viz.networks import query_text


def network(
    store,
    kind: str,
    filters: Filters,
    dataset: list[str] | None = None,
    period: tuple[int | None, int | None] | None = None,
    claimed: list | None = None,
    names=None,
) -> nx.Graph:
    """The filtered network of one kind with its metrics and positions; `claimed`: the statements left
    out (`networks.claimed_statements`); `names`: the deployment's (`networks.sayers`)."""
    graph = networks.build(store, kind, filters, dataset, period, claimed, names)
    add_metrics_and_positions(graph)
    return graph


def choices(store, graph: nx.Graph, info: dict, filters: Filters, dataset: list[str] | None, lang: str) -> dict:
    """What the filters form offers: themes and actor types (SKOS), territories, the map's actors and
    relations, and the years of the time axis."""

    def label(fr, en):
        return (en if lang == "en" and en else fr) or ""

    concepts: dict[str, list[dict[str, str]]] = {"theme": [], "actor-type": [], "role": []}
    for scheme, concept, fr, en in networks.run(store, query_text("choices.rq"), dataset):
        concepts[scheme].append({"iri": concept, "label": label(fr, en)})
    territories = [
        {"iri": iri, "label": label(d.get("labelFr"), d.get("labelEn")) or iri}
        for iri, d in info.items()
        if d["kind"] == "territory"
    ]
    actors = [
        {"iri": n, "label": label(d["label"], d["label_en"])} for n, d in graph.nodes(data=True) if d["kind"] == "actor"
    ]
    relations = {r for *_, rel in graph.edges(data="relations") for r in rel.split()}
    if filters.relation:
        relations.add(filters.relation)
    roles = {c["iri"].rsplit("/role/", 1)[-1]: c["label"] for c in concepts["role"]}
    words = render.TEXT[lang]["relations"]
    return {
        "themes": sorted(concepts["theme"], key=lambda c: c["label"]),
        "actor_types": sorted(concepts["actor-type"], key=lambda c: c["label"]),
        "territories": sorted(territories, key=lambda c: c["label"]),
        "actors": sorted(actors, key=lambda c: c["label"]),
        # by name, in the page's language: a role's label, the map's own words for its other ties
        "relations": sorted(
            ({"value": r, "label": roles.get(r) or words.get(r, r)} for r in relations), key=lambda r: r["label"]
        ),
        "years": networks.time_axis(),
    }


def page(
    store,
    kind: str,
    filters: Filters,
    lang: str,
    link,
    context: dict,
    dataset: list[str] | None = None,
    claimed: list | None = None,
    names=None,
) -> tuple[str, nx.Graph]:
    """The service's map page (filters form filled from the graph) and the network it shows."""
    rows, info = networks.fetch(store, kind, filters, dataset, claimed=claimed, names=names)
    graph = networks.build_from(rows, info, kind, filters)
    add_metrics_and_positions(graph)
    html = render.page(
        graph,
        kind,
        filters,
        lang,
        link=link,
        standalone=False,
        context={"choices": choices(store, graph, info, filters, dataset, lang), **context},
    )
    return html, graph


def output(graph: nx.Graph, fmt: str, kind: str, filters: Filters, lang: str, link) -> bytes:
    """The network in one of the export formats (`html` is the standalone page)."""
    if fmt == "gexf":
        return exports.gexf(graph)
    if fmt == "graphml":
        return exports.graphml(graph)
    if fmt == "json":
        return exports.node_link(graph)
    if fmt == "csv":
        return exports.metrics_csv(graph)
    if fmt in ("svg", "png"):
        return exports.drawing(graph, fmt, filters.colour, filters.size, lang, networks.KINDS[kind].title[lang])
    if fmt == "html":
        return render.page(graph, kind, filters, lang, link=link, standalone=True).encode()
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(exports.MEDIA_TYPES)}")


# The ties each kind of map draws (its query's `?relation`); a project map's are also its roles' notations.
RELATIONS = {
    "cooperation": ("project", "study"),
    "knowledge-flows": ("usage", "derivation"),
    "citations": ("derivation",),
    "actor-territory": ("action", "jurisdiction"),
    "actor-project": ("participant",),
}


def relations(store, kind: str, lang: str, dataset: list[str] | None = None) -> dict[str, str]:
    """{value: its name in `lang`} of the values the `relation` filter may take on a map of `kind`: another
    drew an empty map, as if nobody were tied (outside re-test of issue 21)."""
    words = render.TEXT[lang]["relations"]
    found = {r: words.get(r, r) for r in RELATIONS[kind]}
    if kind == "actor-project":
        for scheme, concept, fr, en in networks.run(store, query_text("choices.rq"), dataset):
            if scheme == "role":
                found[concept.rsplit("/role/", 1)[-1]] = (en if lang == "en" and en else fr) or concept
    return found


def actor_types(store, dataset: list[str] | None = None) -> dict[str, str]:
    """{name in either language, folded to lower case: IRI} of the actor types, for a filter that takes a
    type by its name (`Établissement culturel`) as well as by its IRI or short name."""
    found = {}
    for scheme, concept, fr, en in networks.run(store, query_text("choices.rq"), dataset):
        if scheme == "actor-type":
            found.update({name.casefold(): concept for name in (fr, en) if name})
    return found
