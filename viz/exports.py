"""A map's network as files: GEXF and GraphML (Gephi, Cytoscape), node-link JSON, the metrics CSV, and a
static SVG or PNG drawing (for the annual report). Every format carries the same nodes, ties and
attributes; the drawings reuse the page's colours and positions."""

import csv
import io
import json

import networkx as nx
from matplotlib.figure import Figure

from pic.viz.render import colours, node_label, sizes
from pic.viz.svg_attributes import svg_saving, without_style

MEDIA_TYPES = {
    "gexf": "application/gexf+xml",
    "graphml": "application/graphml+xml",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
    "html": "text/html; charset=utf-8",
}
CSV_COLUMNS = [
    "iri",
    "label",
    "label_en",
    "kind",
    "type",
    "degree",
    "weighted_degree",
    "betweenness",
    "pagerank",
    "community",
]


def gexf(graph: nx.Graph) -> bytes:
    out = io.BytesIO()
    nx.write_gexf(plain(graph), out)
    return out.getvalue()


def graphml(graph: nx.Graph) -> bytes:
    out = io.BytesIO()
    nx.write_graphml(plain(graph), out)
    return out.getvalue()


def node_link(graph: nx.Graph) -> bytes:
    return json.dumps(nx.node_link_data(plain(graph), edges="edges"), ensure_ascii=False, indent=1).encode()


def metrics_csv(graph: nx.Graph) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for n, d in sorted(graph.nodes(data=True), key=lambda item: -item[1].get("weighted_degree", 0)):
        writer.writerow({"iri": n, **d})
    return out.getvalue().encode()


def plain(graph: nx.Graph) -> nx.Graph:
    """A copy whose graph-level attributes are plain values (GraphML and GEXF refuse others)."""
    copy = graph.copy()
    copy.graph = {k: v for k, v in graph.graph.items() if isinstance(v, str | int | float | bool)}
    return copy


def drawing(
    graph: nx.Graph,
    fmt: str,
    colour_by: str = "type",
    size_by: str = "weighted_degree",
    lang: str = "fr",
    title: str = "",
    small: bool = False,
) -> bytes:
    """The map as SVG or PNG: nodes at their map positions, the most central ones labelled, a legend.
    `small`: a thumbnail for entity pages (no legend, laid out once: half the drawing time)."""
    fig = Figure(figsize=(6, 4) if small else (11, 8.5), dpi=120, layout=None)
    ax = fig.add_subplot()
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=14)
    if graph.number_of_nodes():
        colour, legend = colours(graph, colour_by, lang)
        size = sizes(graph, size_by)
        pos = {n: (d.get("x", 0.0), -d.get("y", 0.0)) for n, d in graph.nodes(data=True)}
        top = max((w for *_, w in graph.edges(data="weight")), default=1)
        for u, v, w in graph.edges(data="weight"):
            (x1, y1), (x2, y2) = pos[u], pos[v]
            ax.plot([x1, x2], [y1, y2], color="#9aa3ad", linewidth=0.4 + 2.6 * w / top, alpha=0.6, zorder=1)
        nodes = list(graph)
        ax.scatter(
            [pos[n][0] for n in nodes],
            [pos[n][1] for n in nodes],
            s=[size[n] ** 2 / 2 for n in nodes],
            c=[colour[n] for n in nodes],
            edgecolors="#444",
            linewidths=0.5,
            zorder=2,
        )
        ranked = sorted(nodes, key=lambda n: -graph.nodes[n].get(size_by, 0))[:25]
        for n in ranked:
            ax.annotate(
                node_label(graph.nodes[n], lang)[:40],
                pos[n],
                fontsize=7,
                zorder=3,
                xytext=(4, 4),
                textcoords="offset points",
            )
        if not small:
            handles = [ax.scatter([], [], s=40, c=item["colour"], label=item["label"]) for item in legend[:16]]
            ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    out = io.BytesIO()
    with svg_saving():
        fig.savefig(
            out, format=fmt, bbox_inches=None if small else "tight", metadata={"Date": None} if fmt == "svg" else None
        )
    if fmt == "svg":  # no CSS: the pages that inline it allow no inline style
        svg = out.getvalue().decode()
        start = svg.index("<svg")
        return (svg[:start] + without_style(svg[start:])).encode()
    return out.getvalue()
