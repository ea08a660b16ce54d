"""Limits that protect everyone, on a real server process: time limit, row limit, two clients at once."""

import threading
import time

import httpx

from tests.conftest import LIGHT

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_a_long_query_is_stopped_at_the_limit_while_others_are_served(live_server):
    heavy: dict = {}

    def run_heavy():
        started = time.monotonic()
        r = httpx.get(f"{live_server}/sparql", params={"query": HEAVY}, timeout=60)
        heavy.update(status=r.status_code, body=r.json(), seconds=time.monotonic() - started)

    thread = threading.Thread(target=run_heavy)
    thread.start()
    time.sleep(0.5)
    light_times = []
    for _ in range(5):
        started = time.monotonic()
        r = httpx.get(f"{live_server}/sparql", params={"query": LIGHT}, timeout=10)
        light_times.append(time.monotonic() - started)
        assert r.status_code == 200 and r.json()["boolean"] is True
    thread.join(30)
    assert heavy["status"] == 503, heavy
    assert "limit" in heavy["body"]["error"]["message"]
    assert heavy["seconds"] < 10
    assert max(light_times) < 1.0, light_times
    # the stopped worker was replaced: the server keeps answering
    assert httpx.get(f"{live_server}/sparql", params={"query": LIGHT}, timeout=30).status_code == 200


def test_results_past_the_row_limit_are_cut_with_a_notice(live_server):
    q = "SELECT ?o WHERE { ?o a <http://purl.org/linked-data/cube#Observation> }"
    r = httpx.get(f"{live_server}/sparql", params={"query": q}, timeout=30)
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == 50
    assert r.headers["X-PIC-Truncated"] == "true" and r.headers["X-PIC-Rows"] == "50"


def test_too_large_a_query_is_refused(live_server):
    r = httpx.post(
        f"{live_server}/sparql", content="#" * 200_000, timeout=30, headers={"Content-Type": "application/sparql-query"}
    )
    assert r.status_code == 413


def test_sparqlwrapper_gets_correct_results(live_server):
    from SPARQLWrapper import JSON, SPARQLWrapper

    sw = SPARQLWrapper(f"{live_server}/sparql")
    sw.setQuery(
        "SELECT ?code WHERE { <https://w3id.org/pic-euralens/id/territory/commune/62498> "
        "<http://rdf.insee.fr/def/geo#codeINSEE> ?code }"
    )
    sw.setReturnFormat(JSON)
    result = sw.queryAndConvert()
    assert result["results"]["bindings"][0]["code"]["value"] == "62498"


def test_rdflib_sparqlstore_gets_correct_results(live_server):
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(store=SPARQLStore(f"{live_server}/sparql", returnFormat="json"))
    rows = list(graph.query("SELECT (COUNT(?c) AS ?n) WHERE { ?c a <http://rdf.insee.fr/def/geo#Commune> }"))
    assert int(rows[0][0]) == 150
    graph.close()
