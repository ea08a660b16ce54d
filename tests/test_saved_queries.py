"""The saved-query library: headers, parameters bound as terms, every query runs on the demo."""

import pytest
from pyoxigraph import NamedNode

from pic.queries.registry import ParameterError, saved_queries

EMPTY_ON_THE_DEMO: set[str] = set()  # every saved query has an answer on the demo


def run(writer, name: str, params: dict | None = None) -> list:
    """The rows of a saved query on a store, its parameters bound as terms."""
    query = saved_queries()[name]
    return list(writer.store.query(query.text, substitutions=query.bindings(params or {})))


def test_the_library_has_at_least_twenty_documented_queries():
    queries = saved_queries()
    assert len(queries) >= 20
    for q in queries.values():
        assert q.title["fr"] and q.title["en"] and q.description["fr"] and q.description["en"], q.name


@pytest.mark.parametrize("name", sorted(saved_queries()))
def test_each_query_runs_on_the_demo_with_its_defaults(demo_writer, name):
    rows = run(demo_writer, name)
    if name in EMPTY_ON_THE_DEMO:
        assert rows == []
    else:
        assert rows, f"{name} returned nothing on the demo"


def test_a_parameter_changes_the_answer(demo_writer):
    everywhere = run(demo_writer, "actors-of-territory")
    lens = run(
        demo_writer, "actors-of-territory", {"territory": "https://w3id.org/pic-euralens/id/territory/commune/62498"}
    )
    assert 0 < len(lens) < len(everywhere)
    assert all(r["where"] == NamedNode("https://w3id.org/pic-euralens/id/territory/commune/62498") for r in lens)


def test_an_optional_theme_narrows_the_cooperation_pairs(demo_writer):
    every = run(demo_writer, "cooperation-pairs")
    culture = run(demo_writer, "cooperation-pairs", {"theme": "https://w3id.org/pic-euralens/id/theme/culture"})
    assert 0 < len(culture) < len(every)


@pytest.mark.parametrize(
    "name,params",
    [
        ("actors-of-territory", {"territory": "x> } ; DROP ALL ; SELECT * WHERE { ?s ?p <y"}),
        ("actors-of-territory", {"territory": "not an iri"}),
        ("stale-indicators", {"since": "2025) || true || (1"}),
        ("stale-indicators", {"since": "1850"}),
        ("studies-by-theme-territory-status-year", {"status": "https://example.org/other"}),
        ("planned-studies", {"unknown": "1"}),
    ],
)
def test_bad_parameters_are_refused_by_name(name, params):
    with pytest.raises(ParameterError) as e:
        saved_queries()[name].bindings(params)
    assert e.value.name in params


def test_an_injection_in_a_string_parameter_is_only_a_string(demo_writer):
    assert run(demo_writer, "studies-matching-text", {"text": '") || true || CONTAINS("'}) == []
    rows = run(demo_writer, "studies-matching-text", {"text": "INSEE"})
    assert rows == [] or all("insee" in r["title"].value.lower() for r in rows)
    louvre = run(demo_writer, "studies-matching-text")
    assert louvre and all("louvre" in r["title"].value.lower() for r in louvre)


def test_a_series_comes_with_its_parent_territories(demo_writer):
    rows = run(demo_writer, "indicator-series-with-parents")
    areas = {r["area"].value.rsplit("/", 2)[-2] for r in rows}
    assert areas == {"commune", "epci", "arrondissement", "departement", "region"}, areas
    years = {r["year"].value for r in rows}
    assert years == {str(y) for y in range(2010, 2026)}
