"""The networks behind the maps, on a small hand-checked graph (tests/fixtures/network.ttl): edges,
weights, directions, the evidence on each edge, filters, time, metrics and the exports."""

import io
import json
from datetime import date
from pathlib import Path

import networkx as nx
import pytest
from pyoxigraph import RdfFormat, Store

from pic.ontology import read_bytes
from pic.viz import exports, maps, networks
from pic.viz.filters import Filters
from pic.viz.networks import UnknownNode

T = "https://w3id.org/pic-euralens/id/test/"
A, B, C, D = (f"{T}{x}" for x in "abcd")
BASE = "https://w3id.org/pic-euralens/id/"


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store()
    for name in ("pic.ttl", "schemes.ttl"):
        s.load(read_bytes(name), RdfFormat.TURTLE)
    s.load((Path(__file__).parent / "fixtures" / "network.ttl").read_bytes(), RdfFormat.TURTLE)
    return s


def build(store, kind, **filters):
    return networks.build(store, kind, Filters.model_validate(filters).expanded(BASE))


def edges(graph) -> dict:
    return {(u, v): d for u, v, d in graph.edges(data=True)}


def undirected(graph) -> dict:
    return {tuple(sorted((u, v))): d for u, v, d in graph.edges(data=True)}


def test_cooperation_ties_weights_and_evidence(store):
    graph = build(store, "cooperation")
    ties = undirected(graph)
    assert set(ties) == {(A, B), (A, C), (B, C), (C, D)}
    assert ties[(A, B)]["weight"] == 2
    assert ties[(A, B)]["evidence"].split() == [f"{T}p1", f"{T}p2"]
    assert ties[(C, D)]["evidence"] == f"{T}s1" and ties[(C, D)]["relations"] == "study"
    assert ties[(A, C)]["years"] == "2013-2015" and ties[(C, D)]["years"] == "2014"
    assert ties[(A, B)]["years"] == f"2013-{date.today().year}"  # p2 runs on (no end)
    assert (ties[(A, B)]["first_year"], ties[(C, D)]["last_year"]) == (2013, 2014)
    assert f"{T}e" not in graph  # an actor without ties is not on the map
    assert graph.nodes[A]["label"] == "Acteur A" and graph.nodes[A]["label_en"] == "Actor A"
    assert graph.nodes[A]["type"] == f"{BASE}actor-type/association"


def test_knowledge_flows_are_directed_from_the_studys_authors(store):
    graph = build(store, "knowledge-flows")
    assert graph.is_directed()
    flows = edges(graph)
    # s1 (by C and D) is used by p2 (A, B), and s2 (by D) derives from s1: C→D; never D→D.
    assert set(flows) == {(C, A), (C, B), (D, A), (D, B), (C, D)}
    assert flows[(C, D)]["relations"] == "derivation" and flows[(C, D)]["evidence"] == f"{T}s1"
    assert flows[(D, A)]["relations"] == "usage" and flows[(D, A)]["years"].startswith("2018")


def test_the_other_networks(store):
    assert set(edges(build(store, "citations"))) == {(f"{T}s2", f"{T}s1")}
    two_mode = build(store, "actor-project")
    assert {tuple(sorted(e)) for e in two_mode.edges} == {
        (A, f"{T}p1"),
        (B, f"{T}p1"),
        (C, f"{T}p1"),
        (A, f"{T}p2"),
        (B, f"{T}p2"),
    }
    assert two_mode.nodes[f"{T}p1"]["kind"] == "project"
    assert undirected(two_mode)[(A, f"{T}p1")]["relations"] == "pilote"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"theme": "culture"}, {(A, B), (A, C), (B, C), (C, D)}),
        ({"theme": "tourisme"}, {(A, B)}),
        ({"territory": f"{T}epci"}, {(A, B), (A, C), (B, C)}),  # p1 is in a commune of that EPCI
        ({"from": 2016, "until": 2016}, set()),
        ({"from": 2019, "until": 2019}, {(A, B)}),
        ({"until": 2014}, {(A, B), (A, C), (B, C), (C, D)}),
        ({"relation": "study"}, {(C, D)}),
        ({"min_weight": 2}, {(A, B)}),
        ({"actor_type": "association"}, {(A, B)}),
        ({"ego": D}, {(C, D)}),
        ({"ego": D, "depth": 2}, {(A, B), (A, C), (B, C), (C, D)}),  # induced: ties among the neighbours too
        ({"path_from": A, "path_to": D}, {(A, C), (C, D)}),
    ],
)
def test_filters(store, filters, expected):
    assert set(undirected(build(store, "cooperation", **filters))) == expected


def test_theme_filter_weights_count_only_matching_evidence(store):
    assert undirected(build(store, "cooperation", theme="culture"))[(A, B)]["weight"] == 1


def test_an_unknown_ego_is_an_error(store):
    with pytest.raises(UnknownNode, match="ego"):
        build(store, "cooperation", ego=f"{T}e")


def test_bad_filters_are_refused_with_their_field():
    with pytest.raises(ValueError, match="theme"):
        Filters.model_validate({"theme": "not an iri"}).expanded(BASE)
    with pytest.raises(ValueError, match="until"):
        Filters.model_validate({"from": 2020, "until": 2010})
    with pytest.raises(ValueError, match="colour"):
        Filters.model_validate({"colour": "rainbow"})


def test_what_changed_between_two_years(store):
    f = Filters()
    before = networks.build(store, "cooperation", f, period=(2014, 2014))
    after = networks.build(store, "cooperation", f, period=(2019, 2019))
    diff = networks.changes(before, after)
    assert diff["new_ties"] == [] and diff["kept_ties"] == 1
    assert diff["lost_ties"] == sorted([(A, C), (B, C), (C, D)])
    assert diff["left"] == sorted([C, D]) and diff["newcomers"] == []
    assert networks.time_axis()[0] == 2010 and networks.time_axis()[-1] == date.today().year


def test_metrics_match_hand_computed_values_and_networkx(store):
    graph = maps.network(store, "cooperation", Filters())
    n = graph.nodes
    assert [n[x]["degree"] for x in (A, B, C, D)] == [2, 2, 3, 1]
    assert [n[x]["weighted_degree"] for x in (A, B, C, D)] == [3, 3, 3, 1]
    # C is on the only shortest paths A–D and B–D: 2 of the 3 pairs that do not involve C.
    assert n[C]["betweenness"] == pytest.approx(2 / 3) and n[A]["betweenness"] == 0
    assert {x: n[x]["betweenness"] for x in graph} == pytest.approx(nx.betweenness_centrality(graph))
    assert {x: n[x]["pagerank"] for x in graph} == pytest.approx(nx.pagerank(graph, weight="weight"), abs=1e-4)
    assert n[A]["community"] == n[B]["community"]
    again = maps.network(store, "cooperation", Filters())
    assert dict(again.nodes(data="community")) == dict(graph.nodes(data="community"))  # seeded
    assert dict(again.nodes(data="x")) == dict(graph.nodes(data="x"))


def test_directed_betweenness_matches_networkx(store):
    graph = maps.network(store, "knowledge-flows", Filters())
    assert {x: graph.nodes[x]["betweenness"] for x in graph} == pytest.approx(nx.betweenness_centrality(graph))


@pytest.mark.parametrize("read", [nx.read_gexf, nx.read_graphml])
def test_gexf_and_graphml_load_back_with_the_same_nodes_edges_and_attributes(store, read):
    graph = maps.network(store, "cooperation", Filters())
    data = exports.gexf(graph) if read is nx.read_gexf else exports.graphml(graph)
    back = read(io.BytesIO(data))
    assert set(back) == set(graph)
    assert set(undirected(back)) == set(undirected(graph))
    for u, v, d in graph.edges(data=True):
        e = back.edges[u, v]
        assert (int(e["weight"]), e["evidence"], e["years"]) == (d["weight"], d["evidence"], d["years"])
    for node, d in graph.nodes(data=True):
        got = back.nodes[node]
        assert got["label"] == d["label"] and int(got["degree"]) == d["degree"]
        assert float(got["betweenness"]) == pytest.approx(d["betweenness"])


def test_node_link_json_and_csv(store):
    graph = maps.network(store, "cooperation", Filters())
    data = json.loads(exports.node_link(graph))
    assert {n["id"] for n in data["nodes"]} == set(graph) and len(data["edges"]) == 4
    rows = exports.metrics_csv(graph).decode().splitlines()
    assert rows[0].startswith("iri,label,label_en,kind,type,degree,weighted_degree,betweenness")
    assert len(rows) == 5


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_static_drawings(store, fmt):
    body = exports.drawing(maps.network(store, "cooperation", Filters()), fmt, title="Coopérations")
    assert body.startswith(b"\x89PNG") if fmt == "png" else b"<svg" in body[:400] and b"Acteur" in body


@pytest.mark.parametrize("directed", [False, True])
def test_betweenness_on_large_networks_is_a_faithful_estimate(directed):
    import igraph

    from pic.viz import metrics

    with metrics.seeded():
        g = igraph.Graph.Barabasi(2000, 3, directed=directed)
    g.es["weight"] = 1
    pairs = (2000 - 1) * (2000 - 2) / (1 if directed else 2)
    exact = [b / pairs for b in g.betweenness(directed=directed)]
    estimate = metrics.betweenness(g)
    top = sorted(range(2000), key=lambda v: -exact[v])[:10]
    assert len(set(top) & set(sorted(range(2000), key=lambda v: -estimate[v])[:10])) >= 5  # the main brokers
    assert sum(estimate) == pytest.approx(sum(exact), rel=0.15)
