"""The annual impact report ("état annuel des impacts du Louvre-Lens sur le territoire"), traced.

Every figure comes from the saved query `indicator-figures` (run once for the year, then grouped), and
carries what it needs to be checked: its observation, data set and publisher, and the link to the same
query with its indicator and territory bound, which gives the figure back to anyone. A missing value is
shown as missing and listed in the data-quality panel; figures marked illustrative in the data are marked
so in the report.
"""

import csv
import datetime
import io
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from pyoxigraph import Literal, NamedNode, Variable

from pic.graph.names import Names
from pic.graph.store.interface import bind, bind_rows
from pic.graph.web_links import page_of, web_link
from pic.graph.writes import ownership
from pic.ontology.namespaces import expand, sparql_prefixes, turtle_prefixes
from pic.queries.registry import saved_queries
from pic.viz import charts, exports, networks
from pic.viz.catalogues import strings
from pic.viz.filters import Filters
from pic.viz.inline_policy import as_parsed, meta_policy
from pic.viz.metrics import add_metrics_and_positions
from pic.viz.networks import query_text, run
from pic.viz.reference_series import reference_series

# The museum's commune, its agglomeration, the département and the région: the comparison the brief asks.
REPORT_TERRITORIES = [
    "territory/commune/62498",
    "territory/epci/246200364",
    "territory/departement/62",
    "territory/region/32",
]
# The knowledge-gap matrix: the Pôle métropolitain de l'Artois, its three agglomerations, and above.
GAP_TERRITORIES = [
    "territory/project/pole-metropolitain-artois",
    "territory/epci/246200364",
    "territory/epci/246200299",
    "territory/epci/200072460",
    "territory/departement/62",
    "territory/region/32",
]
BASELINE = 2012
DECIMAL = NamedNode(expand("xsd:decimal"))
PLANNED = ("study-status/planned", "study-status/ongoing")
GIVEN = "givenBy"  # a figure's key: the organisation that gave it, when not the series' own (`given_by`)
TEXT = strings("pic.viz", "report")  # {language: {key: words}}, from the gettext catalogues
ENV = Environment(loader=PackageLoader("pic.viz", "templates"), autoescape=select_autoescape(["html"]))


def number(value: str, lang: str, change_unit: str | None = None) -> str:
    """A figure as the reader reads it: French spacing and decimal comma; a change with its sign and unit."""
    x = float(value)
    text = f"{x:,.0f}" if x == int(x) and abs(x) >= 1000 else (f"{x:,.1f}" if x != int(x) else f"{int(x)}")
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    if change_unit:
        sign = "+" if x > 0 else ""
        text = f"{sign}{text}" + (" %" if change_unit == "%" else " pt")
    return text


ENV.filters["number"] = number


@pass_context
def href(context, iri: str | None) -> str:
    """Where an IRI leads from the report: an IRI of the instance to its page on the server that made the
    report (on the page, the same server: a local path), any other one only if it is http(s)."""
    report = context["r"]
    if iri and iri.startswith(report["base"]):
        return ("" if not context["standalone"] else report["base_url"]) + page_of(iri, report["base"])
    return web_link(iri)


ENV.filters["href"] = href


def figure_query(
    base_url: str, year: int, indicator: str | None = None, territory: str | None = None, workbench: bool = False
) -> str:
    """The link to the query behind a figure: the saved-query API, or the workbench that opens it."""
    params = {"year": str(year)}
    if indicator:
        params["indicator"] = indicator
    if territory:
        params["territory"] = territory
    if workbench:
        return f"{base_url}/workbench?" + urlencode({"saved": "indicator-figures", **params})
    return f"{base_url}/api/queries/indicator-figures?" + urlencode(params)


def figures(
    store,
    year: int,
    pairs: list[tuple[str, str]],
    dataset: list[str] | None = None,
    reference: dict[str, str] | None = None,
) -> dict[tuple[str, str], dict]:
    """The figures of the year for these (indicator, territory) series: one run of `indicator-figures`,
    the same query a figure's link runs with one pair bound; of an indicator's series, its `reference`
    one (`reference_series`)."""
    q = saved_queries()["indicator-figures"]
    if not pairs:
        return {}
    columns = [
        "indicator",
        "territory",
        "year",
        "value",
        "observation",
        "previousValue",
        "previousObservation",
        "baselineValue",
        "baselineObservation",
        "changeSincePrevious",
        "changeSinceBaseline",
        "changeUnit",
        "unit",
        "dataset",
        "publisher",
        "illustrative",
    ]
    year_term = q.bindings({"year": str(year)})[Variable("year")]
    text = bind_rows(
        q.text,
        [Variable("year"), Variable("indicator"), Variable("territory")],
        [[year_term, NamedNode(i), NamedNode(t)] for i, t in pairs],
    )
    return {
        (r[0], r[1]): dict(zip(columns, r, strict=True))
        for r in run(store, text, dataset)
        if r[13] == (reference or {}).get(r[0], r[13])
    }


def build(
    store,
    year: int,
    base: str,
    base_url: str,
    lang: str = "fr",
    dataset: list[str] | None = None,
    org: str | None = None,
) -> dict:
    """Everything the report shows for one year, as plain data (rendered to HTML, CSV and RDF); `org`, the
    reader's organisation, is whose a study two organisations type is to them (`ownership.first_typed`)."""
    with ThreadPoolExecutor(max_workers=1) as pool:  # the one scan of every observation runs meanwhile
        scan = pool.submit(quality_rows, store, year, dataset)
        return _build(store, year, base, base_url, lang, dataset, scan, org)


def _build(store, year: int, base: str, base_url: str, lang: str, dataset, scan, org: str | None = None) -> dict:
    t = TEXT[lang]
    report_territories = [base + t_ for t_ in REPORT_TERRITORIES]
    info = networks.nodes(store, dataset)

    def label(iri: str) -> str:
        d = info.get(iri, {})
        return (d.get("labelEn") if lang == "en" else None) or d.get("labelFr") or iri.rsplit("/", 1)[-1]

    rows = run(store, query_text("report-indicators.rq"), dataset)
    measured = defaultdict(set)
    for r in rows:
        measured[r[0]].add(r[6])
    reference = reference_series(lambda text: run(store, text, dataset), Names(base), measured, org)
    indicators = {
        r[0]: dict(
            zip(
                [
                    "indicator",
                    "labelFr",
                    "labelEn",
                    "definitionFr",
                    "definitionEn",
                    "unit",
                    "dataset",
                    "publisher",
                    "publisherFr",
                    "illustrative",
                    "datasetFr",
                    "datasetEn",
                ],
                r,
                strict=True,
            )
        )
        for r in rows
        if r[6] == reference[r[0]]
    }
    studies = {
        r[0]: dict(zip(["study", "titleFr", "titleEn", "status", "year", "producerFr", "illustrative"], r, strict=True))
        for r in owners_words(store, run(store, query_text("report-studies.rq"), dataset), base, dataset, org)
    }
    questions: dict[str, dict] = {}
    for question, notation, fr, en, indicator, study in run(store, query_text("report-questions.rq"), dataset):
        q = questions.setdefault(
            question,
            {
                "iri": question,
                "notation": notation or "",
                "wording": (en if lang == "en" and en else fr),
                "indicators": [],
                "studies": [],
            },
        )
        if indicator and indicator not in q["indicators"]:
            q["indicators"].append(indicator)
        if study and study in studies and study not in [s["study"] for s in q["studies"]]:
            q["studies"].append(studies[study])
    used = sorted({i for q in questions.values() for i in q["indicators"]})
    documented = defaultdict(list)
    for indicator, study in run(store, query_text("report-indicator-studies.rq"), dataset):
        if study in studies:
            documented[indicator].append(studies[study])
    by_series = figures(store, year, [(i, x) for i in used for x in report_territories], dataset, reference)
    given_by(store, by_series, base, dataset)
    series: defaultdict[str, defaultdict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    if used:
        text = bind_rows(
            bind_rows(query_text("report-series.rq"), [Variable("indicator")], [[NamedNode(i)] for i in used]),
            [Variable("territory")],
            [[NamedNode(x)] for x in report_territories],
        )
        for indicator, territory, y, value, measured_by in run(store, text, dataset):
            if int(y) <= year and measured_by == reference.get(indicator, measured_by):
                series[indicator][territory][int(y)] = float(value)
    for q in questions.values():
        q["indicators"] = [
            {
                **indicator_section(
                    i, indicators.get(i, {}), by_series, series[i], report_territories, year, lang, label, base_url
                ),
                "studies": documented[i],
            }
            for i in q["indicators"]
        ]
    return {
        "year": year,
        "lang": lang,
        "t": t,
        "generated": datetime.date.today().isoformat(),
        "questions": sorted(questions.values(), key=lambda q: (q["notation"], q["wording"])),
        "cooperation": cooperation(
            store, year, lang, studies, info, dataset, networks.claimed_statements(store, dataset, Names(base), org)
        ),
        "annotations": annotations(store, year, dataset),
        "gaps": gaps(store, base, label, dataset),
        "quality": quality(scan.result(), year, by_series, report_territories, indicators, label, lang),
        "base_url": base_url,
        "base": base,
    }


# The graph each observation is said in, the graph that states its data set, and whether the observation
# itself is marked illustrative.
SAID_IN = (
    sparql_prefixes("qb", "pic")
    + """
SELECT ?o ?g ?h ?illustrative WHERE { GRAPH ?g { ?o qb:dataSet ?d } OPTIONAL { GRAPH ?h { ?d a qb:DataSet } }
  OPTIONAL { ?o pic:illustrative ?illustrative } }"""
)


def given_by(store, by_series: dict, base: str, dataset) -> None:
    """Name, on each figure, the organisation that gave its observation when it is not the one whose data
    set it joins (`givenBy`): a partner may add figures to a shared series, and the report says whose
    figure it shows rather than lending it the series' publisher. Such a figure is illustrative only if
    its own observation says so: the series' mark (the demo's invented series) is not the partner's word."""
    observations = sorted({f["observation"] for f in by_series.values() if f.get("observation")})
    said, marked = givers(store, observations, base, dataset)
    for f in by_series.values():
        f["givenBy"] = said.get(f.get("observation") or "")
        if f["givenBy"]:
            f["illustrative"] = "true" if f["observation"] in marked else None


def givers(store, observations: list[str], base: str, dataset) -> tuple[dict[str, str], set[str]]:
    """({observation: the organisation that gave it}, for those another organisation gave than the one
    whose data set they join; and the observations marked illustrative themselves)."""
    names = Names(base)
    said: dict[str, str] = {}
    marked: set[str] = set()
    for start in range(0, len(observations), 500):
        text = bind_rows(SAID_IN, [Variable("o")], [[NamedNode(o)] for o in observations[start : start + 500]])
        for o, g, h, illustrative in run(store, text, dataset):
            who = ownership.speaker(names, NamedNode(g))
            if who and who != (ownership.speaker(names, NamedNode(h)) if h else None):
                said[o] = who
            if illustrative == "true":
                marked.add(o)
    return said, marked


def owners_words(store, rows: list[tuple], base: str, dataset, org: str | None = None) -> list[tuple]:
    """The rows (entity first, graph last) said in the entity's owner's graphs, without the graph: when two
    organisations' graphs type it, the one `ownership.first_typed` names to a reader of organisation `org`
    (its own, else the first public typing, else the first); the other's are claims."""
    names = Names(base)
    by_entity: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        by_entity[row[0]].append(row)
    kept: list[tuple] = []
    for entity, said in by_entity.items():
        graphs = {NamedNode(r[-1]) for r in said}
        if len({ownership.speaker(names, g) for g in graphs}) > 1:
            earliest = ownership.earliest_typing(lambda text: run(store, text, dataset))
            owners = ownership.owners_from([(g, True) for g in graphs], names, NamedNode(entity), earliest, org)
            said = [r for r in said if ownership.speaker(names, NamedNode(r[-1])) in owners]
        kept.extend(r[:-1] for r in said)
    return kept


def indicator_section(
    iri: str, d: dict, by_series: dict, series: dict, territories: list[str], year: int, lang: str, label, base_url: str
) -> dict:
    t = TEXT[lang]
    rows = []
    for territory in territories:
        f = by_series.get((iri, territory))
        if f is None:
            continue  # no series for this territory: nothing to compare
        rows.append(
            {
                **f,
                "territory_label": label(territory),
                "year": year,
                "api": figure_query(base_url, year, iri, territory),
                "workbench": figure_query(base_url, year, iri, territory, workbench=True),
            }
        )
    chart = None
    if series:
        chart = charts.series_svg(
            {label(x): series[x] for x in territories if x in series}, d.get("unit") or "", year, t["index"]
        )
    return {
        "iri": iri,
        "label": (d.get("labelEn") if lang == "en" else None) or d.get("labelFr") or iri,
        "definition": (d.get("definitionEn") if lang == "en" else None) or d.get("definitionFr") or "",
        "unit": d.get("unit") or "",
        "dataset": d.get("dataset"),
        "publisher": d.get("publisher"),
        "publisher_label": d.get("publisherFr") or "",
        "dataset_label": (d.get("datasetEn") if lang == "en" else None) or d.get("datasetFr") or "",
        "illustrative": d.get("illustrative") == "true",
        "rows": rows,
        "chart": chart,
    }


def cooperation(store, year: int, lang: str, studies: dict, info: dict, dataset, claimed: list | None = None) -> dict:
    """The year's projects and studies, and its cooperation network as the map draws it (`claimed`: the
    other organisations' claims it leaves out, `networks.claimed_statements`)."""

    def title(d, fr="titleFr", en="titleEn"):
        return (d.get(en) if lang == "en" else None) or d.get(fr)

    projects = [
        {"iri": r[0], "title": r[2] if lang == "en" and r[2] else r[1], "illustrative": r[4] == "true"}
        for r in run(store, query_text("report-projects.rq"), dataset)
        if r[3] and int(r[3]) == year
    ]
    published = [
        {"iri": s["study"], "title": title(s), "illustrative": s["illustrative"] == "true"}
        for s in studies.values()
        if s["year"] and int(s["year"]) == year and not (s["status"] or "").endswith(PLANNED)
    ]
    planned = [
        {"iri": s["study"], "title": title(s), "year": s["year"], "illustrative": s["illustrative"] == "true"}
        for s in studies.values()
        if (s["status"] or "").endswith(PLANNED)
    ]

    def network(y):
        rows = networks.ties(store, "cooperation", Filters(), dataset, period=(y, y), claimed=claimed)
        return networks.build_from(rows, info, "cooperation", Filters())

    before, now = network(year - 1), network(year)
    add_metrics_and_positions(now)
    diff = networks.changes(before, now)
    labels = {**dict(before.nodes(data="label")), **dict(now.nodes(data="label"))}
    svg = exports.drawing(now, "svg", lang=lang, title="").decode() if now.number_of_nodes() else None
    return {
        "projects": sorted(projects, key=lambda p: p["title"]),
        "published": sorted(published, key=lambda p: p["title"]),
        "planned": sorted(planned, key=lambda p: (p["year"] or "", p["title"])),
        "network_svg": svg[svg.index("<svg") :] if svg else None,
        "nodes": now.number_of_nodes(),
        "ties": now.number_of_edges(),
        "new_ties": [(labels[a], labels[b]) for a, b in diff["new_ties"]],
        "lost_ties": len(diff["lost_ties"]),
        "newcomers": [labels[n] for n in diff["newcomers"]],
    }


def annotations(store, year: int, dataset) -> list[dict]:
    text = bind(query_text("report-annotations.rq"), {Variable("year"): Literal(year)})
    return [{"motivation": m.rsplit("#", 1)[-1], "count": int(n)} for m, n in run(store, text, dataset)]


def gaps(store, base: str, label, dataset) -> dict:
    territories = [base + x for x in GAP_TERRITORIES]
    text = bind_rows(query_text("report-coverage.rq"), [Variable("territory")], [[NamedNode(x)] for x in territories])
    cells = {(theme, territory): (int(s), int(i)) for theme, territory, s, i in run(store, text, dataset)}
    themes = sorted({iri for iri, d in networks_themes(store, dataset).items()}, key=lambda x: label(x))
    return {
        "themes": [{"iri": th, "label": label(th)} for th in themes],
        "territories": [{"iri": x, "label": label(x)} for x in territories],
        "cells": {f"{th} {x}": cells.get((th, x), (0, 0)) for th in themes for x in territories},
    }


def networks_themes(store, dataset) -> dict:
    return {
        concept: fr for scheme, concept, fr, _ in run(store, query_text("choices.rq"), dataset) if scheme == "theme"
    }


def quality_rows(store, year: int, dataset) -> list[tuple]:
    """The `data-quality` saved query for the year, over every indicator of the graph."""
    q = saved_queries()["data-quality"]
    return run(store, bind(q.text, q.bindings({"year": str(year)})), dataset)


def quality(
    rows: list[tuple], year: int, by_series: dict, territories: list[str], indicators: dict, label, lang: str
) -> dict:
    missing = [
        {"indicator": r[0], "label": r[1], "territory": r[2], "territory_label": r[3]}
        for r in rows
        if r[4] == "missing"
    ]
    stale = [
        {"indicator": r[0], "label": r[1], "territory": r[2], "territory_label": r[3], "last": r[5]}
        for r in rows
        if r[4] == "stopped"
    ]
    # Report territories whose series exist but have no value this year are missing too.
    shown = {(m["indicator"], m["territory"]) for m in missing}
    for (indicator, territory), f in sorted(by_series.items()):
        if territory in territories and f["value"] is None and (indicator, territory) not in shown:
            name = indicators.get(indicator, {}).get("labelFr") or indicator
            missing.append(
                {"indicator": indicator, "label": name, "territory": territory, "territory_label": label(territory)}
            )
    return {"missing": missing, "stale": stale}


def years_with_data(store, dataset=None) -> list[int]:
    """The years the report can be made for: those with observations of the evaluation questions' indicators."""
    text = (
        sparql_prefixes("pic", "qb")
        + "SELECT DISTINCT ?year WHERE { ?q pic:answeredWithIndicator ?i . ?d pic:measuresIndicator ?i . "
        "?o qb:dataSet ?d ; pic:refYear ?year } ORDER BY ?year"
    )
    return [int(y[:4]) for (y,) in run(store, text, dataset)]


def html(report: dict, standalone: bool = True) -> str:
    """The report's page (its stylesheet at /maps/static/report.css) or a standalone file: the style
    inlined and allowed by its hash, no script at all (see `pic.viz.inline_policy`)."""
    inline = {}
    if standalone:
        css = as_parsed(resources.files("pic.viz").joinpath("static", "report.css").read_text(encoding="utf-8"))
        inline = {"css": css, "policy": meta_policy(scripts=[], styles=[css])}
    return ENV.get_template("report.html").render(
        r=report, t=report["t"], lang=report["lang"], standalone=standalone, **inline
    )


def figures_csv(report: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "question",
            "indicator",
            "territory",
            "year",
            "value",
            "unit",
            "previous_value",
            "change_since_previous",
            "baseline_value",
            "change_since_baseline",
            "change_unit",
            "illustrative",
            "observation",
            "dataset",
            "publisher",
            "query",
            "given_by",
        ]
    )
    for q in report["questions"]:
        for ind in q["indicators"]:
            for f in ind["rows"]:
                writer.writerow(
                    [
                        q["notation"],
                        ind["iri"],
                        f["territory"],
                        report["year"],
                        f["value"] or "",
                        ind["unit"],
                        f["previousValue"] or "",
                        f["changeSincePrevious"] or "",
                        f["baselineValue"] or "",
                        f["changeSinceBaseline"] or "",
                        f["changeUnit"] or "",
                        f["illustrative"] or "false",
                        f["observation"] or "",
                        f["dataset"] or "",
                        f["publisher"] or "",
                        f["api"],
                        f.get("givenBy") or "",
                    ]
                )
    return out.getvalue().encode()


def data_cube_slices(report: dict, base: str) -> bytes:
    """The report's figures as Data Cube slices (one per data set, the year fixed): Turtle."""
    year = report["year"]
    lines = [
        *turtle_prefixes("qb", "pic", "rdfs", "dcterms", "prov", "xsd").splitlines(),
        "",
    ]
    report_iri = NamedNode(f"{base}report/{year}")
    lines.append(
        f"{report_iri} rdfs:label {Literal(TEXT['fr']['title'] + f' {year}', language='fr')} , "
        f"{Literal(TEXT['en']['title'] + f' {year}', language='en')} ; dcterms:issued "
        f'"{report["generated"]}"^^xsd:date .'
    )
    slices = defaultdict(list)
    for q in report["questions"]:
        for ind in q["indicators"]:
            for f in ind["rows"]:
                if f["observation"] and f["dataset"]:
                    slices[f["dataset"]].append(f)
    for ds, rows in sorted(slices.items()):
        slice_iri = NamedNode(f"{base}report/{year}/slice/{ds.rsplit('/', 1)[-1]}")
        observations = " , ".join(str(NamedNode(f["observation"])) for f in rows)
        lines.append(f"{report_iri} dcterms:hasPart {slice_iri} .")
        lines.append(f"{NamedNode(ds)} qb:slice {slice_iri} .")
        lines.append(
            f"{slice_iri} a qb:Slice ; qb:sliceStructure pic:YearSlice ; "
            f'pic:refYear "{year}"^^xsd:gYear ; qb:observation {observations} .'
        )
        for f in rows:
            obs, area = NamedNode(f["observation"]), NamedNode(f["territory"])
            value = Literal(f["value"], datatype=DECIMAL)
            ill = " ; pic:illustrative true" if f["illustrative"] == "true" else ""
            # a partner's figure in another's series: who gave it (`given_by`), as the HTML and CSV say
            given = (
                f" ; prov:wasAttributedTo {NamedNode(f'{base}actor/{f[GIVEN]}')}"
                if f.get(GIVEN) not in (None, ownership.PLATFORM)
                else ""
            )
            lines.append(
                f"{obs} a qb:Observation ; qb:dataSet {NamedNode(ds)} ; pic:refArea {area} ; "
                f'pic:refYear "{year}"^^xsd:gYear ; pic:value {value}{ill}{given} .'
            )
    return ("\n".join(lines) + "\n").encode()
