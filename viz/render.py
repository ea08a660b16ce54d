"""Interactive maps: pyvis node and edge records, our own page template, vis-network from pyvis's package.

pyvis's own template loads vis-network and Bootstrap from CDNs even in its "local" mode, and its
`add_edge` checks every earlier edge (quadratic: minutes at 50,000 ties). We use its `Node`, `Edge` and
`Options` records and the vis-network build it ships, with a template of ours; the script is served from
the installed package by the service, or inlined in a standalone file, never fetched from the network.
"""

import json
from importlib import resources

import networkx as nx
from babel.numbers import format_decimal
from jinja2 import Environment, PackageLoader, select_autoescape
from pyvis.edge import Edge
from pyvis.network import Network
from pyvis.node import Node

from pic.viz.catalogues import strings
from pic.viz.filters import METRICS, Filters
from pic.viz.inline_policy import as_parsed, meta_policy
from pic.viz.networks import KINDS

VIS_VERSION = "vis-9.1.2"
TABLE_ROWS = 300  # the page's metrics table; the CSV export has every node
PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
    "#3182bd",
]
KIND_COLOURS = {"project": "#8fa8c8", "study": "#e6b85c", "territory": "#9ccf8f", "actor": "#c0c0c0"}
TEXT = strings("pic.viz", "render")  # {language: {key: words}}, from the gettext catalogues
ENV = Environment(loader=PackageLoader("pic.viz", "templates"), autoescape=select_autoescape(["html"]))


def decimal(value: float, lang: str) -> str:
    """A metric to four decimals as the page's language writes it (`0,7333` in French)."""
    return format_decimal(value, format="0.0000", locale=lang)


ENV.filters["decimal"] = decimal


def vis_network_js() -> bytes:
    """The vis-network build shipped inside the installed pyvis package."""
    return resources.files("pyvis").joinpath("lib", VIS_VERSION, "vis-network.min.js").read_bytes()


def vis_network_css() -> bytes:
    return resources.files("pyvis").joinpath("lib", VIS_VERSION, "vis-network.css").read_bytes()


def node_label(data: dict, lang: str) -> str:
    return data["label_en"] if lang == "en" else data["label"]


def colours(graph: nx.Graph, by: str, lang: str) -> tuple[dict, list[dict]]:
    """The colour of each node and the legend entries, by actor type or by community."""
    keys, names = groups(graph, by, lang)
    order = sorted(set(keys.values()), key=lambda k: (k[0] == "kind", str(names[k])))
    palette = {}
    for i, key in enumerate(order):
        palette[key] = KIND_COLOURS[key[1]] if key[0] == "kind" else PALETTE[i % len(PALETTE)]
    legend = [{"colour": palette[k], "label": names[k]} for k in order]
    return {n: palette[k] for n, k in keys.items()}, legend


def groups(graph: nx.Graph, by: str, lang: str) -> tuple[dict, dict]:
    """Each node's group (its community, or its actor type — other nodes by kind) and each group's name."""
    if by == "community":
        keys = {n: ("community", d.get("community", 0)) for n, d in graph.nodes(data=True)}
        names = {k: f"{TEXT[lang]['community_n']} {k[1] + 1}" for k in set(keys.values())}
    else:
        keys, names = {}, {}
        for n, d in graph.nodes(data=True):
            key = ("type", d["type"]) if d["kind"] == "actor" and d["type"] else ("kind", d["kind"])
            keys[n] = key
            if key[0] == "type":
                names[key] = (d["type_label_en"] if lang == "en" else d["type_label"]) or d["type"]
            else:
                names[key] = TEXT[lang]["territory_kind" if d["kind"] == "territory" else d["kind"]]
    return keys, names


def sizes(graph: nx.Graph, metric: str) -> dict:
    values = dict(graph.nodes(data=metric, default=0))
    top = max(values.values(), default=0) or 1
    return {n: round(8 + 32 * (v / top) ** 0.5, 1) for n, v in values.items()}


def vis_data(graph: nx.Graph, filters: Filters, lang: str, link) -> dict:
    """Nodes, edges and options for vis-network, built with pyvis's records. Nodes are numbered (the IRI
    is in `iri`) and edge tooltips are written by the page's script: at 50,000 ties that halves the page."""
    t = TEXT[lang]
    colour, legend = colours(graph, filters.colour, lang)
    size = sizes(graph, filters.size)
    keys, names = groups(graph, filters.cluster or filters.colour, lang)
    number = {n: i for i, n in enumerate(graph)}
    nodes = []
    for n, d in graph.nodes(data=True):
        tip = [node_label(d, lang), d["type_label_en" if lang == "en" else "type_label"] or t.get(d["kind"], "")]
        tip += [f"{t[m]}: {format_metric(d.get(m, 0))}" for m in METRICS]
        nodes.append(
            Node(
                number[n],
                "dot",
                node_label(d, lang),
                title="\n".join(x for x in tip if x),
                color=colour[n],
                size=size[n],
                x=d.get("x", 0),
                y=d.get("y", 0),
                iri=n,
                url=link(n),
                physics=False,
                cluster="/".join(map(str, keys[n])),
                clusterName=names[keys[n]],
            ).options
        )
    directed = graph.is_directed()
    edges = [
        Edge(
            number[u],
            number[v],
            directed,
            value=d["weight"],
            years=d["years"],
            **({"saidBy": d["said_by"]} if d.get("said_by") else {}),
        ).options
        for u, v, d in graph.edges(data=True)
    ]
    net = Network(directed=directed, cdn_resources="in_line")
    net.toggle_physics(False)
    options = json.loads(net.get_network_data()[-1])
    options["interaction"] = {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": len(edges) > 5000}
    options["nodes"] = {"font": {"size": 14}, "borderWidth": 1, "scaling": {"label": {"drawThreshold": 9}}}
    options["edges"] = {"color": {"inherit": "both", "opacity": 0.55}, "scaling": {"min": 1, "max": 8}, "smooth": False}
    words = {"weight": t["weight"], "years": t["years"], "open": t["open_cluster"], "saidBy": t["said_by"]}
    return {
        "nodes": nodes,
        "edges": edges,
        "options": options,
        "legend": legend,
        "words": words,
        "clusterBy": filters.cluster,
    }


def format_metric(value) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def metrics_rows(graph: nx.Graph, lang: str, link) -> list[dict]:
    rows = [
        {
            "iri": n,
            "url": link(n),
            "label": node_label(d, lang),
            "degree": d.get("degree", 0),
            "weighted_degree": d.get("weighted_degree", 0),
            "betweenness": d.get("betweenness", 0.0),
            "pagerank": d.get("pagerank", 0.0),
            "community": d.get("community", 0) + 1,
        }
        for n, d in graph.nodes(data=True)
    ]
    return sorted(rows, key=lambda r: (-r["weighted_degree"], r["label"]))


def page(
    graph: nx.Graph, kind: str, filters: Filters, lang: str, *, link, standalone: bool, context: dict | None = None
) -> str:
    """The map page: the service's (filters form, exports) or a standalone file (script inlined)."""
    data = vis_data(graph, filters, lang, link)
    legend = data.pop("legend")
    rows = metrics_rows(graph, lang, link)
    inline = {}
    if standalone:  # one file that works offline: scripts and styles inlined, allowed by their hashes
        inline = {
            "vis_js": as_parsed(vis_network_js().decode()),
            "map_js": as_parsed(own_file("map.js")),
            "vis_css": as_parsed(vis_network_css().decode()),
            "map_css": as_parsed(own_file("map.css")),
        }
        inline["policy"] = meta_policy(
            scripts=[inline["vis_js"], inline["map_js"]], styles=[inline["vis_css"], inline["map_css"]]
        )
    return ENV.get_template("map.html").render(
        t=TEXT[lang],
        lang=lang,
        kind=kind,
        kinds=KINDS,
        title=KINDS[kind].title[lang],
        filters=filters,
        data=data,
        legend=legend,
        rows=rows[:TABLE_ROWS],
        hidden_rows=max(0, len(rows) - TABLE_ROWS),
        metrics=METRICS,
        standalone=standalone,
        estimated=graph.graph.get("betweenness_estimated", False),
        counts={"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()},
        **inline,
        **(context or {}),
    )


def own_file(name: str) -> str:
    return resources.files("pic.viz").joinpath("static", name).read_text(encoding="utf-8")
