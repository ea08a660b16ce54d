"""One entry point for a map, shared by the service pages, their exports and `pic map`:
network → metrics → positions, then the chosen output."""

import networkx as nx

from pic.viz import exports, networks, render
from pic.viz.filters import Filters
from pic.viz.metrics import add_metrics, add_positions
from pic.viz.networks import nodes, query_text


def network(store, kind: str, filters: Filters, dataset: list[str] | None = None,
            period: tuple[int | None, int | None] | None = None) -> nx.Graph:
    """The filtered network of one kind with its metrics and positions."""
    graph = networks.build(store, kind, filters, dataset, period)
    add_metrics(graph)
    add_positions(graph)
    return graph


def choices(store, kind: str, dataset: list[str] | None, lang: str) -> dict:
    """What the filters form offers: themes, actor types, territories, actors, relations, years."""
    def label(fr, en):
        return (en if lang == "en" and en else fr) or ""

    concepts = {"theme": [], "actor-type": []}
    for r in networks.run(store, query_text("choices.rq"), dataset):
        concepts[r["scheme"].value].append({"iri": r["concept"].value, "label": label(
            r["labelFr"].value, r["labelEn"].value if r["labelEn"] else None)})
    info = nodes(store, dataset)
    by_kind = {"actor": [], "territory": []}
    for iri, d in info.items():
        if d["kind"] in by_kind:
            by_kind[d["kind"]].append({"iri": iri, "label": label(d.get("labelFr"), d.get("labelEn")) or iri})
    all_ties = networks.ties(store, kind, dataset)
    return {"themes": sorted(concepts["theme"], key=lambda c: c["label"]),
            "actor_types": sorted(concepts["actor-type"], key=lambda c: c["label"]),
            "territories": sorted(by_kind["territory"], key=lambda c: c["label"]),
            "actors": sorted(by_kind["actor"], key=lambda c: c["label"]),
            "relations": sorted({t.relation for t in all_ties}),
            "years": networks.years_with_ties(store, kind, dataset)}


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
