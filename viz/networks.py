"""Networks derived from the graph by SPARQL (the queries in `queries/`), never drawn by hand.

Every kind of map has one evidence query (one row per tie and piece of evidence: ?a ?b ?evidence
?relation ?start ?end). `ties.rq` wraps it: the engine applies the filters (bound as RDF terms) and
groups the evidence into one weighted tie per pair, with the evidence and the years behind it; Python
then makes the networkx graph, with node labels and types from one more query.

A tie rests on the facts of its projects and studies: what another organisation's graph says about them
(that Q's actor produced P's study, another year) is Q's claim (`graph/claims.py`), left out of the
evidence — the entity's page shows it, as Q's.
"""

import csv
import datetime
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from importlib import resources
from operator import itemgetter
from typing import cast

import networkx as nx
from pyoxigraph import Literal, NamedNode, QueryResultsFormat, Variable

from pic.graph import claims
from pic.graph.names import Names
from pic.graph.store.formats import NOT_IN_XML
from pic.graph.store.interface import bind, bind_rows
from pic.graph.writes import ownership
from pic.ontology.namespaces import IGEO, PIC, PREFIXES, expand, sparql_prefixes
from pic.viz.filters import Filters

FOAF = PREFIXES["foaf"]
# The csv module's default field limit (131,072 characters) is below what a write may hold: one study's
# 140,000-character title made every map and the annual report answer 500 (twelfth outside re-test, M1).
# The engine's answers are already bounded (8 MiB a term); the limit is one per process, so set once here.
csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))
PROV, DCTERMS = PREFIXES["prov"], PREFIXES["dcterms"]
# What the evidence queries and the filters read of an entity: the statements that may be claims.
EVIDENCE = [
    f"{PROV}wasAttributedTo",
    f"{PIC}producedBy",
    f"{PIC}commissionedBy",
    f"{PROV}qualifiedAssociation",
    f"{PROV}agent",
    f"{PROV}hadRole",
    f"{PROV}startedAtTime",
    f"{PROV}endedAtTime",
    f"{DCTERMS}issued",
    f"{PIC}expectedYear",
    f"{PROV}used",
    f"{PROV}wasDerivedFrom",
    f"{DCTERMS}subject",
    f"{DCTERMS}spatial",
    f"{PIC}territoryOfAction",
    f"{PIC}hasJurisdiction",
]
# What names a node (`nodes.rq`): a label another organisation gives an entity is its claim, as a tie is.
# What a node shows: its names and its actor type (a claimed type put the museum among "associations").
LABELS = [
    expand("rdfs:label"),
    f"{DCTERMS}title",
    expand("skos:prefLabel"),
    expand("org:classification"),
]
FIRST_YEAR = 2010  # the time axis starts before the museum opened (2012)


@dataclass(frozen=True)
class Kind:
    query: str
    directed: bool
    title: dict  # fr, en
    two_mode: bool = False


KINDS = {
    "cooperation": Kind("cooperation.rq", False, {"fr": "Coopérations", "en": "Cooperation"}),
    "knowledge-flows": Kind("knowledge-flows.rq", True, {"fr": "Flux de connaissance", "en": "Knowledge flows"}),
    "actor-project": Kind(
        "actor-project.rq", False, {"fr": "Acteurs et projets", "en": "Actors and projects"}, two_mode=True
    ),
    "citations": Kind("citations.rq", True, {"fr": "Filiation des études", "en": "Study citations"}),
    "actor-territory": Kind(
        "actor-territory.rq", False, {"fr": "Acteurs et territoires", "en": "Actors and territories"}, two_mode=True
    ),
}


class UnknownNode(ValueError):
    """An ego or path end that is not in the network."""


@cache
def query_text(name: str) -> str:
    return sparql_prefixes() + resources.files("pic.viz").joinpath("queries", name).read_text(encoding="utf-8")


def _int(value: str | None) -> int | None:
    return None if value is None else int(value)


def evidence_query(kind: str, wrapper: str) -> str:
    """A wrapper query (`ties.rq`, `span.rq`) around the evidence query of a map kind."""
    evidence = resources.files("pic.viz").joinpath("queries", KINDS[kind].query).read_text(encoding="utf-8")
    return query_text(wrapper).replace("{ EVIDENCE }", "{\n" + evidence + "\n}")


def claimed_statements(
    store, dataset: list[str] | None = None, names: Names | None = None, org: str | None = None
) -> list:
    """The statements the maps leave out: another organisation's claims about the evidence and the
    nodes' labels (`claimed`), as a reader of organisation `org` sees whose each entity is."""
    return claims.claimed(lambda text: run(store, text, dataset), names or Names(), EVIDENCE + LABELS, org)


def ties(
    store,
    kind: str,
    filters: Filters,
    dataset: list[str] | None = None,
    period: tuple[int | None, int | None] | None = None,
    claimed: list | None = None,
    names: Names | None = None,
) -> list[tuple]:
    """(a, b, weight, evidence, relations, first year, last year, said by) for every tie that passes the
    filters; `claimed`: the statements left out (`claimed_statements`, asked here when not given); `said
    by`: whose word alone the tie rests on, when that is none of its ends' (`sayers`), else ""."""
    first, last = period if period is not None else (filters.year_from, filters.year_until)
    values = {
        "from": first,
        "until": last,
        "only": filters.relation,
        "theme": filters.theme,
        "territory": filters.territory,
    }
    terms = {
        Variable(k): (NamedNode(cast(str, v)) if k in ("theme", "territory") else Literal(v))
        for k, v in values.items()
        if v is not None
    }
    if claimed is None:
        claimed = claimed_statements(store, dataset)
    text = claims.excluding(evidence_query(kind, "ties.rq"), claimed)
    rows = run(store, bind(text, terms), dataset)
    said = sayers(store, rows, dataset, names or Names())
    return [
        (a, b, int(weight), evidence, relations, _int(start), _int(end), said.get((a, b), ""))
        for a, b, weight, evidence, relations, start, end, _ in rows
    ]


def sayers(store, rows: list[tuple], dataset: list[str] | None, names: Names) -> dict[tuple[str, str], str]:
    """{(a, b): the organisations whose word the tie rests on beside its ends'} for the ties one of whose
    entities is said by neither end (nor a curator): a tie between two organisations made of a third's
    study "produced by" the one and used by its project with the other (second outside re-test, finding
    8), or of a curators' study used by a third's project (ninth re-test, finding 1). An actor end speaks for itself
    (`actor/{org}`) — not through whoever made it up (fifth re-test, finding 6) —, another end (a project
    of a two-mode map) through its owner; the curators (`Names.curators`) and the platform speak for all.
    Such a tie stays on the map — each link is allowed — and says whose it is."""
    entities = sorted({e for row in rows for e in (*row[3].split(), *(row[7] or "").split(), row[0], row[1])})
    speakers: dict[str, set[str]] = {}
    for start in range(0, len(entities), 500):
        text = bind_rows(ownership.TYPED_IN, [Variable("s")], [[NamedNode(e)] for e in entities[start : start + 500]])
        for entity, graph in run(store, text, dataset):
            who = ownership.speaker(names, NamedNode(graph))
            if who:
                speakers.setdefault(entity, set()).add(who)
    trusted = names.curators | {ownership.PLATFORM}
    out = {}
    for a, b, _, evidence, _, _, _, vias in rows:
        ends = {ownership.own_actor(names, NamedNode(n)) for n in (a, b)}  # an actor speaks for itself alone
        ends |= {who for n in (a, b) if not ownership.own_actor(names, NamedNode(n)) for who in speakers.get(n, ())}
        # each entity it rests on: one none of whose speakers is an end or a curator is a third's word
        said = {
            who
            for e in (*evidence.split(), *(vias or "").split())
            if not speakers.get(e, set()) & (ends | trusted)
            for who in speakers.get(e, ())
        }
        if said:
            out[(a, b)] = " ".join(sorted(said))
    return out


def nodes(
    store, dataset: list[str] | None = None, only: list[str] | None = None, claimed: list | None = None
) -> dict[str, dict]:
    """Labels (fr, en), kind and actor type of every actor, project, study and territory (or of `only`
    these nodes: an entity page's small network needs a dozen, not the whole graph's), each label as the
    node's owner gives it: `claimed` (`claimed_statements`; asked here when not given, as a reader of no
    organisation sees whose each entity is) leaves out the titles other organisations give it — cd62's
    `rdfs:label` for the demo's study named no node of the citation map (issue 16, outside re-test #3)."""
    kinds = {
        f"{FOAF}Agent": "actor",
        f"{PIC}Project": "project",
        f"{PIC}Study": "study",
        f"{IGEO}PaysOuTerritoire": "territory",
    }
    keys = ("labelFr", "labelEn", "kind", "type", "typeFr", "typeEn")
    out: dict[str, dict] = {}
    if claimed is None:
        claimed = claims.claimed(lambda text: run(store, text, dataset), Names(), LABELS, None, only)
    text = claims.excluding(query_text("nodes.rq"), claimed)
    if only is not None:
        text = bind_rows(text, [Variable("node")], [[NamedNode(n)] for n in only])
    for node, *values in run(store, text, dataset):  # ?node ?labelFr ?labelEn ?class ?type …
        if node not in out:
            values[2] = kinds[values[2]]
            out[node] = {k: v for k, v in zip(keys, values, strict=True) if v is not None}
    return out


def run(store, text: str, dataset: list[str] | None) -> list[tuple]:
    """Rows of plain values (IRIs and lexical forms; None where unbound) of a query on the graphs in
    `dataset` (None: the union of all graphs).

    Why CSV: the maps only need values, and the engine writing CSV for Python's csv module to read is
    several times faster than reading 50,000 rows of term objects one attribute at a time.
    """
    result = store.query(text) if dataset is None else store.query(text, default_graph=[NamedNode(g) for g in dataset])
    lines = csv.reader(io.StringIO(result.serialize(format=QueryResultsFormat.CSV).decode()))
    next(lines)  # the header
    return [tuple(xml_safe(value) or None for value in row) for row in lines]


def xml_safe(value: str) -> str:
    """A value as the maps and the report may draw it: what XML 1.0 cannot carry becomes U+FFFD, the
    replacement character. Every map and report is SVG, GraphML, GEXF or HTML, and a partner's actor
    labelled "Aula" and U+FFFE made the annual report and the map exports answer 500 for everyone, or
    GEXF that no parser reads (sixteenth outside re-test). The data keeps the character: its own formats
    escape it."""
    return NOT_IN_XML.sub("\ufffd", value)


def build(
    store,
    kind: str,
    filters: Filters,
    dataset: list[str] | None = None,
    period: tuple[int | None, int | None] | None = None,
    claimed: list | None = None,
    names: Names | None = None,
) -> nx.Graph:
    """The network of one kind, filtered; `period` overrides the filters' years (the time axis)."""
    return build_from(*fetch(store, kind, filters, dataset, period, claimed, names), kind, filters)


def fetch(
    store,
    kind: str,
    filters: Filters,
    dataset: list[str] | None = None,
    period: tuple[int | None, int | None] | None = None,
    claimed: list | None = None,
    names: Names | None = None,
) -> tuple[list[tuple], dict[str, dict]]:
    """The ties and the node descriptions, queried at once (two cores: the engine answers both), leaving
    out the same claims (asked once here when not given); `names`: the deployment's (its curators)."""
    if claimed is None:
        claimed = claimed_statements(store, dataset, names)
    with ThreadPoolExecutor(max_workers=1) as pool:
        described = pool.submit(nodes, store, dataset, None, claimed)
        rows = ties(store, kind, filters, dataset, period, claimed, names)
        return rows, described.result()


def build_from(rows: list[tuple], info: dict[str, dict], kind: str, filters: Filters) -> nx.Graph:
    """The network from fetched ties, with the filters the engine does not apply."""
    spec = KINDS[kind]
    graph = aggregate([row for row in rows if row[2] >= filters.min_weight], info, spec.directed)
    graph.graph.update({"kind": kind, "directed": spec.directed})
    if filters.actor_type:
        graph.remove_nodes_from(
            [n for n, d in list(graph.nodes(data=True)) if d["kind"] == "actor" and d.get("type") != filters.actor_type]
        )
    if filters.ego:
        graph = ego_network(graph, filters.ego, filters.depth)
    if filters.path_from and filters.path_to:
        graph = path_network(graph, filters.path_from, filters.path_to)
    return graph


def aggregate(rows: list[tuple], info: dict[str, dict], directed: bool) -> nx.Graph:
    """The graph of the engine's ties, nodes labelled and typed, in a stable order (same map each time)."""
    graph = nx.DiGraph() if directed else nx.Graph()
    graph.add_nodes_from(
        (node, node_attributes(node, info.get(node))) for node in sorted({n for row in rows for n in row[:2]})
    )
    graph.add_edges_from(
        (
            a,
            b,
            {
                "weight": weight,
                "evidence": " ".join(sorted(set(evidence.split()))),
                "relations": " ".join(sorted(set(relations.split()))),
                "years": years(first, last),
                "first_year": first or 0,
                "last_year": last or 0,
                "said_by": said,
            },
        )
        for a, b, weight, evidence, relations, first, last, said in sorted(rows, key=itemgetter(0, 1))
    )
    return graph


def years(first: int | None, last: int | None) -> str:
    if first is None:
        return ""
    return str(first) if last is None or last == first else f"{first}-{last}"


def node_attributes(node: str, d: dict | None) -> dict:
    d = d or {"kind": "actor"}
    fallback = node.rsplit("/", 1)[-1]
    return {
        "label": d.get("labelFr") or d.get("labelEn") or fallback,
        "label_en": d.get("labelEn") or d.get("labelFr") or fallback,
        "kind": d["kind"],
        "type": d.get("type", ""),
        "type_label": d.get("typeFr", ""),
        "type_label_en": d.get("typeEn", d.get("typeFr", "")),
    }


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


def time_axis() -> list[int]:
    """The years of the slider: from 2010, before the museum opened, to this year."""
    return list(range(FIRST_YEAR, datetime.date.today().year + 1))


def changes(before: nx.Graph, after: nx.Graph) -> dict:
    """What changed between two networks: new and lost ties, newcomers and those who left."""

    def pairs(g):
        return {tuple(e) if g.is_directed() else tuple(sorted(e)) for e in g.edges}

    old, new = pairs(before), pairs(after)
    return {
        "new_ties": sorted(new - old),
        "lost_ties": sorted(old - new),
        "newcomers": sorted(set(after) - set(before)),
        "left": sorted(set(before) - set(after)),
        "kept_ties": len(old & new),
    }
