"""The privacy matrix's probes (`tests/test_privacy_matrix.py`): for each route of the application, a
function that makes the concrete requests reading it, each with the markers it may show and the role
that may see them. `PROBES` maps (method, route template) to its function."""

import io
from functools import partial

from pypdf import PdfReader

from pic.queries.registry import saved_queries
from pic.viz.exports import MEDIA_TYPES
from pic.viz.networks import KINDS as MAP_KINDS
from tests.privacy_scenario import (
    BASE,
    GRAPH,
    GROUP,
    ORG,
    PUBLIC_STUDY,
    Probe,
    Scenario,
)

PIC = "https://w3id.org/pic-euralens/ontology#"
SPARQL_JSON = (("Accept", "application/sparql-results+json"),)


FORMATS = [("", ()), (".ttl", ()), (".jsonld", ()), (".nt", ()), (".rdf", ()), ("", (("format", "json"),))]


def hubs(s: Scenario) -> dict[str, tuple[str, ...]]:
    """Public pages that list what points at them (private data must not be among it), with what their
    page must list for those who may read it: the owner's actor its studies and cooperations, a user
    the changes they made."""
    admin = tuple(sorted(s.by_admin))
    return {
        "actor/aula": (PUBLIC_STUDY, "zqpubstudytx", "zqsecstudytx", "zqembargotx", "zqliftedtx", "zqcoopaix"),
        "user/ana": tuple(c for c in s.changes if c not in admin),
        "user/admin": admin,
        "territory/commune/62498": (),
        "theme/culture": (),
        "study-status/planned": (),
        f"group/{GROUP}": (),
        f"graph/private/{ORG}/main": (),
        f"graph/private/{ORG}/provenance": (),
        "graph/provenance": (),
    }


def absent_twin(path: str) -> tuple[str, str]:
    """The real path and one of the same kind that names nothing."""
    kind = path.split("/", 1)[0]
    return path, f"{kind}/zqabsentix"


def entity_pages(s: Scenario, route) -> list[Probe]:
    """Every entity of the scenario, its change records and a few public hubs, in every format, and the
    page as a signed-in browser gets it (with its edit and annotation forms). An entity shows its text in
    every format and its history on its HTML page; a hub lists what points at it on its page and JSON
    twin (its RDF is its own statements)."""
    listing = hubs(s)
    out = []
    for path, data, shown in [*s.entities, *((p, None, "") for p in listing)]:
        for suffix, params, session in [*((f, p, False) for f, p in FORMATS), ("", (), True)]:
            if path not in listing:
                shows = (shown,) if shown else ()
            elif not suffix:
                shows = listing[path]
            else:
                shows = ()
            if not suffix and not params:
                shows += tuple(s.history.get(path, ()))
            out.append(
                Probe(
                    "id-pages",
                    route,
                    f"/id/{path}{suffix}",
                    params,
                    shows=shows,
                    about=data,
                    session=session,
                    absent=absent_twin(path) if data else None,
                )
            )
    return out


def document_files(s: Scenario, route) -> list[Probe]:
    """The private document's file (its name is in Content-Disposition) and extracted text."""
    what = route[1].rsplit("/", 1)[-1]
    shows = {"file": "zqdocnametx", "text": "zqdoctexttx"}[what]
    return [
        Probe(
            "documents",
            route,
            f"/id/document/{s.document}/{what}",
            shows=(shows,),
            about="private-document",
            absent=(s.document, "0" * 16),
        )
    ]


def every_marker(s: Scenario, *variables: str) -> str:
    """A FILTER keeping the rows where one of `variables` holds a marker of the scenario."""
    pattern = "|".join(["zq", *s.id_markers()])
    return "FILTER (" + " || ".join(f'REGEX(STR(?{v}), "{pattern}")' for v in variables) + ")"


def sparql(route, name: str, query: str, shows=(), params=(), headers=(), reveal=None) -> list[Probe]:
    """The query as the protocol's GET, POST form, or POST direct (whichever `route` is)."""
    common = {"shows": tuple(shows), "headers": tuple(headers), "echoes": False, "reveal": reveal, "note": name}
    if route[0] == "GET":
        return [Probe("sparql", route, "/sparql", (("query", query), *params), **common)]
    return [
        Probe("sparql", route, "/sparql", form=(("query", query), *params), **common),
        Probe(
            "sparql",
            route,
            "/sparql",
            tuple(params),
            content=query.encode(),
            **{**common, "headers": (*headers, ("Content-Type", "application/sparql-query"))},
        ),
    ]


def sparql_queries(s: Scenario, route) -> list[Probe]:
    """Every query form, the union default graph and GRAPH ?g, the derived graphs, result formats, every
    spelling of a dataset naming each graph of the scenario, and the protocol's dataset parameters."""
    every, spo, q = partial(every_marker, s), "?s ?p ?o", partial(sparql, route)
    shown = tuple(m for _, markers in s.graphs().values() for m in markers)
    select = f"SELECT {spo} WHERE {{ {spo} {every('s', 'o')} }}"
    construct = f"CONSTRUCT {{ {spo} }} WHERE {{ {spo} {every('s', 'o')} }}"
    derived = "pic:cooperatesWith pic:informs pic:informsTransitively pic:informsViaDerivation"
    out = [
        *q("select", select, shown),
        *q("select graph", f"SELECT ?g {spo} WHERE {{ GRAPH ?g {{ {spo} {every('s', 'o')} }} }}", shown),
        *q("construct", construct, shown),
        *q("construct graph", f"CONSTRUCT {{ {spo} }} WHERE {{ GRAPH ?g {{ {spo} {every('s', 'o')} }} }}"),
        *q("describe", f"DESCRIBE ?s WHERE {{ {spo} {every('s')} }}", ("zqsecstudytx", "zqpubstudytx")),
        *q(
            "derived",
            f"PREFIX pic: <{PIC}> SELECT ?a ?r ?b WHERE {{ ?a ?r ?b VALUES ?r {{ {derived} }} {every('a', 'b')} }}",
            ("zqcoopaix", "zqcoopbix"),
        ),
        *q(
            "derived graph",
            f"PREFIX pic: <{PIC}> SELECT ?g ?a ?b WHERE {{ GRAPH ?g {{ ?a pic:cooperatesWith ?b "
            f"}} {every('a', 'b')} }}",
            ("zqcoopaix",),
        ),
        *q(
            "provenance",
            f"PREFIX pic: <{PIC}> SELECT ?c ?p ?o WHERE {{ GRAPH ?g {{ ?c a pic:Change ; ?p ?o }} {every('c', 'o')} }}",
            tuple(s.changes),
        ),
    ]
    for data, markers in s.markers.items():  # a boolean answer: does the data exist?
        marker = markers[0]
        out += q(
            f"ask {data}",
            f"ASK {{ {{ {spo} }} UNION {{ GRAPH ?g {{ {spo} }} }} "
            f'FILTER (CONTAINS(STR(?s), "{marker}") || CONTAINS(STR(?o), "{marker}")) }}',
            (marker,),
            headers=SPARQL_JSON,
            reveal=partial(ask_reveals, marker),
        )
    if route[0] == "GET":
        out += [p for fmt in ("xml", "csv", "tsv") for p in q(f"select {fmt}", select, shown, (("format", fmt),))]
        out += [
            p
            for media in ("application/n-triples", "application/ld+json", "application/rdf+xml")
            for p in q(f"construct as {media}", construct, shown, headers=(("Accept", media),))
        ]
        out += [Probe("sparql", route, "/sparql", note="service description")]
    for graph, (_, markers) in s.graphs().items():
        if route[0] == "GET" or graph.endswith(f"private/{ORG}/main"):
            out += dataset_spellings(s, route, graph, markers)
    return out


def ask_reveals(marker: str, r) -> str:
    return marker if r.json().get("boolean") else ""


def dataset_spellings(s: Scenario, route, graph: str, markers) -> list[Probe]:
    """FROM, FROM NAMED, GRAPH <…> and the protocol's parameters naming one graph; for the owner's main
    private graph every other way the grammar spells an IRI (prefixed names, BASE, escapes, comments)."""
    spo, every, q = "?s ?p ?o", every_marker(s, "s", "o"), partial(sparql, route)
    select = f"SELECT {spo} WHERE {{ {spo} {every} }}"
    named = f"SELECT ?g {spo} WHERE {{ GRAPH ?g {{ {spo} {every} }} }}"
    out = [
        *q("from", f"SELECT {spo} FROM <{graph}> WHERE {{ {spo} {every} }}", markers),
        *q("from named", f"SELECT ?g {spo} FROM NAMED <{graph}> WHERE {{ GRAPH ?g {{ {spo} {every} }} }}", markers),
        *q("graph iri", f"SELECT {spo} WHERE {{ GRAPH <{graph}> {{ {spo} {every} }} }}", markers),
        *q("default-graph-uri", select, markers, (("default-graph-uri", graph),)),
        *q("named-graph-uri", named, markers, (("named-graph-uri", graph),)),
    ]
    if not graph.endswith(f"private/{ORG}/main") or route[0] != "GET":
        return out
    folder, escaped = graph.rsplit("/", 1)[0] + "/", graph[len(GRAPH) :].replace("/", "\\/")
    spellings = {
        "prefixed from": f"PREFIX p: <{folder}> SELECT {spo} FROM p:main WHERE {{ {spo} {every} }}",
        "escaped prefixed from": f"PREFIX g: <{GRAPH}> SELECT {spo} FROM g:{escaped} WHERE {{ {spo} {every} }}",
        "base-relative from": f"BASE <{folder}> SELECT {spo} FROM <main> WHERE {{ {spo} {every} }}",
        "lowercase from": f"select {spo} from <{graph}> where {{ {spo} {every} }}",
        "from without spaces": f"SELECT {spo} FROM<{graph}>WHERE{{ {spo} {every} }}",
        "comment in from": f"SELECT {spo} FROM#<urn:x>\n<{graph}> WHERE {{ {spo} {every} }}",
        "from after an IRI with #": f"SELECT {spo} FROM <urn:x#> FROM <{graph}> WHERE {{ {spo} {every} }}",
        "unicode escape in from": f"SELECT {spo} FROM <\\u0068{graph[1:]}> WHERE {{ {spo} {every} }}",
        "prefixed from named": f"PREFIX p: <{folder}> SELECT ?g {spo} FROM NAMED p:main WHERE "
        f"{{ GRAPH ?g {{ {spo} {every} }} }}",
        "prefixed graph": f"PREFIX p: <{folder}> SELECT {spo} WHERE {{ GRAPH p:main {{ {spo} {every} }} }}",
        "values graph": f"SELECT ?g {spo} WHERE {{ VALUES ?g {{ <{graph}> }} GRAPH ?g {{ {spo} {every} }} }}",
    }
    return out + [p for name, text in spellings.items() for p in q(name, text, markers)]


def graph_store(s: Scenario, route) -> list[Probe]:
    """Each graph of the scenario in the Graph Store Protocol (HEAD has no body: only its status counts)."""
    out = []
    for graph, (data, markers) in s.graphs().items():
        media = (("Accept", "application/n-triples"),) if graph.endswith("main") else ()
        out.append(
            Probe(
                "graph-store",
                route,
                "/rdf-graphs",
                (("graph", graph),),
                media,
                shows=markers if route[0] == "GET" else (),
                about=data,
                absent=(graph, f"{GRAPH}private/zqabsentix/main") if data else None,
            )
        )
    return out


def graph_store_direct(s: Scenario, route) -> list[Probe]:
    """Each graph's path under /rdf-graphs/ (the protocol's direct identification names the graph by the
    request's own URL, so no private graph is ever reached that way: each answers as a missing one)."""
    return [
        Probe(
            "graph-store",
            route,
            "/rdf-graphs/" + graph.split("/graph/", 1)[-1],
            note="the graph's path as a direct Graph Store URL (another graph: none of its markers)",
        )
        for graph in s.graphs()
    ]


def searched(s: Scenario) -> dict[str, str]:
    """Each text marker, and the id of the entity a search for it finds (a document's text is searched
    with its study; suggestions show the entity, not the text)."""
    return {
        "zqpubstudytx": PUBLIC_STUDY,
        "zqsecstudytx": "zqsecstudyix",
        "zqcoopatx": "zqcoopaix",
        "zqembargotx": "zqembargoix",
        "zqliftedtx": "zqliftedix",
        "zqpubnotetx": s.annotations["public"],
        "zqsecnotetx": s.annotations["private-annotation"],
        "zqgroupnotetx": s.annotations["group-annotation"],
        "zqdocnametx": s.document,
        "zqdoctexttx": "zqsecstudyix",
    }


def search(s: Scenario, route) -> list[Probe]:
    """Each text marker searched for, and all of them at once (with facets)."""
    suggest = route[1] == "/api/suggest"
    out = [
        Probe("search", route, route[1], (("q", text),), shows=(hit,) if suggest else (text, hit))
        for text, hit in searched(s).items()
    ]  # the page repeats what was asked: the hit must not show
    return out + [
        Probe("search", route, route[1], (("q", "zq"), *facet))
        for facet in ((), (("type", "study"),), (("territory", f"{BASE}territory/commune/62498"),))
        if not suggest or not facet
    ]


def labels(s: Scenario, route) -> list[Probe]:
    """Every entity of the scenario named at once (the workbench's names for its results' IRIs)."""
    return [Probe("search", route, route[1], tuple(("iri", f"{BASE}{path}") for path, _data, _shown in s.entities))]


def annotation_container(s: Scenario, route) -> list[Probe]:
    """The container and its pages, with each filter and Prefer form; filtered to the owner's notes (or
    the public study's), the first page holds all three, which its readers must find."""
    mine = (("creator", f"{BASE}user/ana"),)
    texts = ("zqpubnotetx", "zqsecnotetx", "zqgroupnotetx")
    if route[0] != "GET":
        return [Probe("annotations", route, "/annotations/", mine)]
    prefer = 'return=representation;include="http://www.w3.org/ns/{}"'
    return [
        Probe("annotations", route, "/annotations/", params, headers, shows=shows)
        for params, headers, shows in (
            ((), (), ()),
            ((("page", "0"),), (), ()),
            ((("page", "0"), ("iris", "1")), (), ()),
            (mine, (), texts),
            ((*mine, ("page", "0")), (), texts),
            ((("target", f"{BASE}study/{PUBLIC_STUDY}"),), (), texts),
            ((("org", ORG),), (), texts),
            ((("motivation", "commenting"),), (), ()),
            ((("hidden", "true"),), (), ()),
            (mine, (("Prefer", prefer.format("ldp#PreferMinimalContainer")),), ()),
            (mine, (("Prefer", prefer.format("oa#PreferContainedIRIs")),), tuple(s.annotations.values())),
            (mine, (("Prefer", prefer.format("oa#PreferContainedDescriptions")),), texts),
        )
    ]


def annotation_items(s: Scenario, route) -> list[Probe]:
    """Each annotation in JSON-LD and Turtle (HEAD: the status only; OPTIONS: static headers)."""
    out = []
    for data, key in s.annotations.items():
        text = next(m for m in s.markers[data] if m.endswith("notetx"))
        for headers in ((), (("Accept", "text/turtle"),)) if route[0] == "GET" else ((),):
            out.append(
                Probe(
                    "annotations",
                    route,
                    f"/annotations/{key}",
                    (),
                    headers,
                    shows=(text,) if route[0] == "GET" else (),
                    about=data if route[0] != "OPTIONS" else None,
                    absent=(key, "0" * 16),
                )
            )
    return out


MAP_SHOWS = {
    "cooperation": ("zqcoopaix", "zqcoopbix"),
    "knowledge-flows": ("zqcoopaix", "zqcoopbix"),
    "actor-project": ("zqcoopaix", "zqsecprojix"),
    "citations": ("zqbasestudyix", "zqderivstudyix"),
    "actor-territory": ("zqcoopaix",),
}
CHANGES_SHOW = {**MAP_SHOWS, "actor-territory": ()}  # actors' territories have no years: no change to show


def maps(s: Scenario, route) -> list[Probe]:
    """Every map and export (PNG is left out: its labels are pixels; the SVG draws the same), and a
    private actor's ego network, which must be as unknown as an actor that does not exist."""
    if route[1] == "/maps":
        return [Probe("maps", route, "/maps")]
    if route[1] == "/maps/{kind}/changes":
        return [
            Probe("maps", route, f"/maps/{kind}/changes", fmt, shows=CHANGES_SHOW[kind] if fmt else ())
            for kind in MAP_KINDS
            for fmt in ((), (("format", "json"),))
        ]
    out = [
        Probe("maps", route, f"/maps/{kind}{'.' + fmt if fmt else ''}", shows=MAP_SHOWS[kind] if fmt == "json" else ())
        for kind in MAP_KINDS
        for fmt in ("", *(f for f in MEDIA_TYPES if f != "png"))
    ]
    private = [(("ego", "actor/zqcoopaix"),), (("path_from", "actor/zqcoopaix"), ("path_to", "actor/aula"))]
    return out + [
        Probe(
            "maps",
            route,
            f"/maps/cooperation{fmt}",
            params,
            about="derived-private",
            absent=("zqcoopaix", "zqabsentix"),
        )
        for fmt in ("", ".json")
        for params in private
    ]


def pdf_text(r) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(r.content)).pages)


def reports(s: Scenario, route) -> list[Probe]:
    """The list, and the year of the private figure in every format (the PDF read as text)."""
    if route[1] == "/reports":
        return [Probe("reports", route, "/reports")]
    year, observation = s.figure["year"], s.figure["observation"]
    planned = ("zqpubstudytx", "zqsecstudytx", "zqembargotx", "zqliftedtx")
    return [
        Probe("reports", route, f"/reports/{year}{fmt}", shows=shows, reveal=pdf_text if fmt == ".pdf" else None)
        for fmt, shows in (
            ("", (*planned, observation)),
            (".html", (*planned, observation)),
            (".csv", (observation,)),
            (".ttl", (observation,)),
            (".pdf", planned),
        )
    ]


def saved_query_runs(s: Scenario, route) -> list[Probe]:
    """Every saved query with its defaults, then with its parameters naming the scenario's entities."""
    if route[1] == "/api/queries":
        return [Probe("saved-queries", route, "/api/queries")]
    alpha, beta = f"{BASE}actor/zqcoopaix", f"{BASE}actor/zqcoopbix"
    figure = s.figure
    named = {
        "planned-studies": ((), ("zqpubstudytx", "zqsecstudytx", "zqembargotx", "zqliftedtx")),
        "studies-matching-text": ((("text", "zq"),), ("zqpubstudytx", "zqsecstudytx", "zqliftedtx")),
        "actor-projects-and-roles": ((("actor", alpha),), ("zqsecprojix",)),
        "study-lineage": ((("study", f"{BASE}study/zqderivstudyix"),), ("zqbasestudyix",)),
        "knowledge-flows-between": ((("from", alpha), ("to", beta)), ("zqbasestudyix",)),
        "cooperation-pairs": ((("theme", f"{BASE}theme/culture"),), ("zqcoopaix",)),
        "actors-of-territory": ((("territory", f"{BASE}territory/commune/62498"),), ("zqcoopaix",)),
        "studies-by-theme-territory-status-year": ((("theme", f"{BASE}theme/culture"),), ("zqsecstudyix",)),
        "indicator-figures": (
            (("year", figure["year"]), ("indicator", figure["indicator"]), ("territory", figure["territory"])),
            (figure["observation"],),
        ),
    }
    out = [Probe("saved-queries", route, f"/api/queries/{name}", headers=SPARQL_JSON) for name in saved_queries()]
    return out + [
        Probe("saved-queries", route, f"/api/queries/{name}", params, SPARQL_JSON, shows=shows, echoes=False)
        for name, (params, shows) in named.items()
    ]


CONTRIBUTED = ("study", "project", "actor", "observation")


def contributions(s: Scenario, route) -> list[Probe]:
    """The contribution API's and forms' reads: fields, and each entity of the scenario's values (the
    forms as a signed-in browser gets them: without a session they only say to sign in)."""
    path, form = route[1], not route[1].startswith("/api/")
    if path in ("/api/contribute/{kind}", "/contribute/{kind}"):
        return [
            Probe("contributions", route, path.replace("{kind}", k), session=form)
            for k in ("actor", "project", "study", "membership", "observation")
        ]
    if path == "/contribute":
        return [Probe("contributions", route, path, session=session) for session in (False, True)]
    out = []
    for entity, data, shown in s.entities:
        kind, key = entity.split("/", 1)
        if kind in CONTRIBUTED and data != "embargoed-day-of":  # the admin's graph write is no contribution
            out.append(
                Probe(
                    "contributions",
                    route,
                    path.replace("{kind}", kind).replace("{key:path}", key),
                    shows=(shown,) if kind != "observation" and not form else (),
                    about=data,
                    absent=(key, "zqabsentix"),
                    session=form,
                )
            )
    return out


SIGNED_IN = ("/account", "/moderation", "/import")  # pages that show more to a browser session


def pages(s: Scenario, route) -> list[Probe]:
    """Pages that hold no entity of their own: they must not hold a private one either."""
    path = route[1]
    variants = {"/": [(), (("format", "json"),)]}.get(path, [()])
    concrete = path.replace("{suffix}", "ttl")
    return [
        Probe("pages", route, concrete, params, session=session)
        for params in variants
        for session in ((False, True) if path in SIGNED_IN else (False,))
    ]


FAMILIES = (
    "id-pages",
    "documents",
    "sparql",
    "graph-store",
    "search",
    "annotations",
    "maps",
    "reports",
    "saved-queries",
    "contributions",
    "pages",
)
PROBES = {
    ("GET", "/id/{path:path}"): entity_pages,
    ("GET", "/id/document/{document_id}/file"): document_files,
    ("GET", "/id/document/{document_id}/text"): document_files,
    ("GET", "/sparql"): sparql_queries,
    ("POST", "/sparql"): sparql_queries,
    ("GET", "/rdf-graphs"): graph_store,
    ("HEAD", "/rdf-graphs"): graph_store,
    ("GET", "/rdf-graphs/{path:path}"): graph_store_direct,
    ("HEAD", "/rdf-graphs/{path:path}"): graph_store_direct,
    ("GET", "/api/search"): search,
    ("GET", "/api/suggest"): search,
    ("GET", "/api/labels"): labels,
    ("GET", "/search"): search,
    ("GET", "/annotations/"): annotation_container,
    ("HEAD", "/annotations/"): annotation_container,
    ("OPTIONS", "/annotations/"): annotation_container,
    ("GET", "/annotations/{key}"): annotation_items,
    ("HEAD", "/annotations/{key}"): annotation_items,
    ("OPTIONS", "/annotations/{key}"): annotation_items,
    ("GET", "/maps"): maps,
    ("GET", "/maps/{name}"): maps,
    ("GET", "/maps/{kind}/changes"): maps,
    ("GET", "/reports"): reports,
    ("GET", "/reports/{name}"): reports,
    ("GET", "/api/queries"): saved_query_runs,
    ("GET", "/api/queries/{name}"): saved_query_runs,
    ("GET", "/api/contribute/{kind}"): contributions,
    ("GET", "/api/contribute/{kind}/{key:path}"): contributions,
    ("GET", "/contribute"): contributions,
    ("GET", "/contribute/{kind}"): contributions,
    ("GET", "/contribute/{kind}/{key:path}"): contributions,
    **{
        ("GET", p): pages
        for p in (
            "/",
            "/health",
            "/favicon.ico",
            "/workbench",
            "/ontology",
            "/ontology.{suffix}",
            "/login",
            "/account",
            "/api/me",
            "/import",
            "/moderation",
            "/openapi.json",
            "/docs",
            "/metrics",
            "/api/read-log",  # the reader's organisation's own log
            "/read-log",
            "/api/export",  # the reader's organisation's own data (a gzip: its markers are checked in test_audiences)
        )
    },
}
