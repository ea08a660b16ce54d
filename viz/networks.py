"""Networks derived from the graph by SPARQL (the queries in `queries/`), never drawn by hand.

Every kind of map has one query returning one row per tie and piece of evidence (?a ?b ?evidence
?relation ?start ?end). The rows are filtered, grouped into weighted edges that carry their evidence and
years, and made into a networkx graph; node labels and types come from one more query.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

import networkx as nx
from pyoxigraph import NamedNode, Variable

from pic.graph.store import bind
from pic.ontology.namespaces import sparql_prefixes
from pic.viz.filters import Filters

FIRST_YEAR = 2010  # the time axis starts before the museum opened (2012)
POINT_RELATIONS = {"study", "usage", "derivation"}  # evidence dated by one year, not a span


@dataclass(frozen=True)
class Kind:
    query: str
    directed: bool
    title: dict  # fr, en
    two_mode: bool = False


KINDS = {
    "cooperation": Kind("cooperation.rq", False, {"fr": "Coopérations", "en": "Cooperation"}),
    "knowledge-flows": Kind("knowledge-flows.rq", True,
                            {"fr": "Flux de connaissance", "en": "Knowledge flows"}),
    "actor-project": Kind("actor-project.rq", False, {"fr": "Acteurs et projets", "en": "Actors and projects"},
                          two_mode=True),
    "citations": Kind("citations.rq", True, {"fr": "Filiation des études", "en": "Study citations"}),
    "actor-territory": Kind("actor-territory.rq", False,
                            {"fr": "Acteurs et territoires", "en": "Actors and territories"}, two_mode=True),
}


class UnknownNode(ValueError):
    """An ego or path end that is not in the network."""


@dataclass(frozen=True)
class Tie:
    a: str
    b: str
    evidence: str
    relation: str
    start: int | None
    end: int | None

    def years(self) -> range:
        """The years the evidence is active: a study in its year, a project from its start to its end
        (to this year while it has no end). Undated evidence has none."""
        if self.start is None:
            return range(0)
        if self.end is not None:
            return range(self.start, max(self.start, self.end) + 1)
        ongoing = self.relation not in POINT_RELATIONS
        return range(self.start, (max(self.start, datetime.date.today().year) if ongoing else self.start) + 1)

    def active(self, first: int | None, last: int | None) -> bool:
        """Whether the evidence is active in [first, last]; undated evidence only passes no period."""
        if first is None and last is None:
            return True
        years = self.years()
        if not years:
            return False
        return (last is None or years[0] <= last) and (first is None or years[-1] >= first)


@cache
def query_text(name: str) -> str:
    return sparql_prefixes() + resources.files("pic.viz").joinpath("queries", name).read_text(encoding="utf-8")


def _int(term) -> int | None:
    return None if term is None else int(term.value)


def ties(store, kind: str, dataset: list[str] | None = None) -> list[Tie]:
    """Every tie of a kind with its evidence, from the graphs in `dataset` (None: all graphs)."""
    rows = run(store, query_text(KINDS[kind].query), dataset)
    return [Tie(r["a"].value, r["b"].value, r["evidence"].value, r["relation"].value,
                _int(r["start"]), _int(r["end"])) for r in rows]


def in_scope(store, filters: Filters, dataset: list[str] | None = None) -> set[str] | None:
    """The projects and studies matching the theme and territory filters; None when neither is set."""
    if not (filters.theme or filters.territory):
        return None
    bindings = {}
    if filters.theme:
        bindings["theme"] = NamedNode(filters.theme)
    if filters.territory:
        bindings["territory"] = NamedNode(filters.territory)
    text = bind(query_text("in-scope.rq"), {Variable(k): v for k, v in bindings.items()})
    return {r["evidence"].value for r in run(store, text, dataset)}


def nodes(store, dataset: list[str] | None = None) -> dict[str, dict]:
    """Labels (fr, en), kind and actor type of every actor, project, study and territory."""
    kinds = {"Agent": "actor", "Project": "project", "Study": "study", "PaysOuTerritoire": "territory"}
    out: dict[str, dict] = {}
    for r in run(store, query_text("nodes.rq"), dataset):
        node = r["node"].value
        info = out.setdefault(node, {"kind": kinds[r["class"].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]]})
        for key in ("labelFr", "labelEn", "type", "typeFr", "typeEn"):
            if r[key] is not None and key not in info:
                info[key] = r[key].value
    return out


def run(store, text: str, dataset: list[str] | None):
    """Run a query on the graphs in `dataset` (None: the union of all graphs)."""
    if dataset is None:
        return store.query(text)
    return store.query(text, default_graph=[NamedNode(g) for g in dataset])


def build(store, kind: str, filters: Filters, dataset: list[str] | None = None,
          period: tuple[int | None, int | None] | None = None) -> nx.Graph:
    """The network of one kind, filtered; `period` overrides the filters' years (the time axis)."""
    spec = KINDS[kind]
    scope = in_scope(store, filters, dataset)
    first, last = period if period is not None else (filters.year_from, filters.year_until)
    kept = [t for t in ties(store, kind, dataset)
            if (scope is None or t.evidence in scope) and t.active(first, last)
            and (not filters.relation or t.relation == filters.relation)]
    info = nodes(store, dataset)
    graph = aggregate(kept, info, spec.directed)
    graph.graph.update({"kind": kind, "directed": spec.directed})
    graph.remove_edges_from([(u, v) for u, v, w in graph.edges(data="weight") if w < filters.min_weight])
    if filters.min_weight > 1:
        graph.remove_nodes_from([n for n in list(graph) if graph.degree(n) == 0])
    if filters.actor_type:
        graph.remove_nodes_from([n for n, d in list(graph.nodes(data=True))
                                 if d["kind"] == "actor" and d.get("type") != filters.actor_type])
    if filters.ego:
        graph = ego_network(graph, filters.ego, filters.depth)
    if filters.path_from and filters.path_to:
        graph = path_network(graph, filters.path_from, filters.path_to)
    return graph


def aggregate(kept: list[Tie], info: dict[str, dict], directed: bool) -> nx.Graph:
    """One weighted edge per pair: weight = distinct evidence, with the evidence, relations and years."""
    evidence, relations, years = defaultdict(set), defaultdict(set), defaultdict(set)
    for t in kept:
        pair = (t.a, t.b)
        evidence[pair].add(t.evidence)
        relations[pair].add(t.relation)
        years[pair].update(t.years())
    graph = nx.DiGraph() if directed else nx.Graph()
    for node in sorted({n for pair in evidence for n in pair}):
        d = info.get(node, {"kind": "actor"})
        graph.add_node(node, label=d.get("labelFr") or d.get("labelEn") or node.rsplit("/", 1)[-1],
                       label_en=d.get("labelEn") or d.get("labelFr") or node.rsplit("/", 1)[-1],
                       kind=d["kind"], type=d.get("type", ""), type_label=d.get("typeFr", ""),
                       type_label_en=d.get("typeEn", d.get("typeFr", "")))
    for (a, b), ev in sorted(evidence.items()):
        graph.add_edge(a, b, weight=len(ev), evidence=" ".join(sorted(ev)),
                       relations=" ".join(sorted(relations[(a, b)])),
                       years=" ".join(str(y) for y in sorted(years[(a, b)])))
    return graph


def ego_network(graph: nx.Graph, ego: str, depth: int) -> nx.Graph:
    if ego not in graph:
        raise UnknownNode(f"ego: {ego} has no tie in this map")
    return nx.ego_graph(graph, ego, radius=depth, undirected=True).copy()


def path_network(graph: nx.Graph, source: str, target: str) -> nx.Graph:
    """The shortest path between two nodes (ties taken both ways), as a network of its own."""
    for end in (source, target):
        if end not in graph:
            raise UnknownNode(f"path: {end} has no tie in this map")
    try:
        path = nx.shortest_path(graph.to_undirected(as_view=True), source, target)
    except nx.NetworkXNoPath:
        return graph.subgraph([source, target]).copy()
    sub = graph.subgraph(path).copy()
    sub.remove_edges_from([(u, v) for u, v in list(sub.edges) if abs(path.index(u) - path.index(v)) != 1])
    return sub


def years_with_ties(store, kind: str, dataset: list[str] | None = None) -> list[int]:
    """The years of the time axis: from 2010 to the last year with dated evidence."""
    years = {y for t in ties(store, kind, dataset) for y in t.years()}
    if not years:
        return []
    return list(range(FIRST_YEAR, min(max(years), datetime.date.today().year) + 1))


def changes(before: nx.Graph, after: nx.Graph) -> dict:
    """What changed between two networks: new and lost ties, newcomers and those who left."""
    def pairs(g):
        return {tuple(e) if g.is_directed() else tuple(sorted(e)) for e in g.edges}

    old, new = pairs(before), pairs(after)
    return {"new_ties": sorted(new - old), "lost_ties": sorted(old - new),
            "newcomers": sorted(set(after) - set(before)), "left": sorted(set(before) - set(after)),
            "kept_ties": len(old & new)}
