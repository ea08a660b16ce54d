"""Query benchmark: the saved-query mix through our HTTP endpoint vs in-process in-memory pyoxigraph.

Data: the demo plus the regional data set (~1M triples). Three measurements:
1. each saved query (defaults bound) run REPEAT times in-process on an in-memory pyoxigraph store and
   through `GET /api/queries/{name}` on a real `pic serve`; ratio of the geometric means of the medians.
   For reference, the same queries through the engine's own HTTP server (`oxigraph serve`, in memory,
   same client): what HTTP costs when nothing but the engine stands behind it;
2. the median latency of a point query while another client runs heavy queries;
3. the throughput of the mix with one client and with two clients at once.

    python -m bench.queries            # prints a Markdown report; results in bench/results/
"""

import math
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from pyoxigraph import RdfFormat, Store

from bench.generate import ensure
from bench.results import save
from pic.graph.store import bind
from pic.queries.registry import saved_queries

HERE = Path(__file__).resolve().parent
REPEAT = 5
POINT = "ASK { <https://w3id.org/pic-euralens/id/territory/commune/62498> ?p ?o }"
HEAVY = ["cooperation-pairs", "central-actors", "stale-indicators"]
ID = "https://w3id.org/pic-euralens/id/"
# The defaults point at demo entities (a few dozen triples each); these point the same queries at the
# regional data set, where a researcher of a regional PIC would point them.
REGIONAL = {
    "actor-projects-and-roles": {"actor": f"{ID}actor/x7"},
    "actors-of-territory": {"territory": f"{ID}territory/region/32"},
    "indicator-latest-values": {"indicator": f"{ID}indicator/x0"},
    "indicator-series-with-parents": {"indicator": f"{ID}indicator/x0", "territory": f"{ID}territory/commune/x00042"},
    "knowledge-flows-between": {"from": f"{ID}actor/x3"},
    "studies-by-theme-territory-status-year": {"territory": f"{ID}territory/departement/900"},
    "studies-matching-text": {"text": "synthétique"},
    "study-lineage": {"study": f"{ID}study/x599"},
    "territory-hierarchy": {"territory": f"{ID}territory/departement/900"},
}
PARAMETER_SETS = {"demo defaults": {}, "regional parameters": REGIONAL}


PRIVATE = f"""@prefix pic: <https://w3id.org/pic-euralens/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{ID}study/bench-private> a pic:Study ; pic:illustrative true ;
    rdfs:label "Étude confidentielle d'un partenaire (illustrative)"@fr ,
        "A partner's private study (illustrative)"@en .
"""


def prepare(data_dir: Path) -> None:
    """A store with the demo and the regional data, loaded once, and one private graph: as on a real
    platform, some data is private, so anonymous queries run on the readable graphs, not on all."""
    if (data_dir / "ready").exists():
        return
    env = {**os.environ, "PIC_DATA_DIR": str(data_dir)}
    pic = str(Path(sys.executable).with_name("pic"))
    subprocess.run([pic, "init", "--demo"], env=env, check=True, capture_output=True)
    regional = ensure("regional", HERE / "data")
    subprocess.run([pic, "load", str(regional), "--graph",
                    "https://w3id.org/pic-euralens/id/graph/partner/bench", "--no-validate"],
                   env=env, check=True, capture_output=True)
    private = data_dir / "private.ttl"
    private.write_text(PRIVATE, encoding="utf-8")
    subprocess.run([pic, "load", str(private), "--graph", f"{ID}graph/private/bench/main", "--no-validate"],
                   env=env, check=True, capture_output=True)
    (data_dir / "ready").write_text("ok")


def median_seconds(run, repeat: int = REPEAT) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def geometric_mean(values) -> float:
    values = list(values)
    return math.exp(sum(math.log(v) for v in values) / len(values))


def ratio_of_working(memory: dict, over_http: dict, floor: float = 0.005) -> float:
    """The ratio over the queries that do work (>= 5 ms in memory), where HTTP's fixed cost is not all."""
    names = [n for n, seconds in memory.items() if seconds >= floor]
    return geometric_mean(over_http[n] for n in names) / geometric_mean(memory[n] for n in names)


def dumped(data_dir: Path) -> Path:
    from pic.graph.embedded_store import EmbeddedStore

    disk = EmbeddedStore(data_dir)
    dump = data_dir / "bench-dump.nq"
    with dump.open("wb") as f:
        disk.dump(f, RdfFormat.N_QUADS)
    disk.close()
    return dump


def bound_queries(parameters: dict) -> dict[str, str]:
    return {name: bind(q.text, q.bindings(parameters.get(name, {}))) for name, q in saved_queries().items()}


def in_memory_medians(dump: Path) -> dict[str, dict[str, float]]:
    memory = Store()
    memory.bulk_load(path=str(dump), format=RdfFormat.N_QUADS)
    return {label: {name: median_seconds(lambda text=text: list(memory.query(text, use_default_graph_as_union=True)))
                    for name, text in bound_queries(parameters).items()}
            for label, parameters in PARAMETER_SETS.items()}


def oxigraph_server_medians(dump: Path, port: int = 7879) -> dict[str, dict[str, float]]:
    """The engine's own HTTP server, in memory, queried by the same client as ours."""
    server = subprocess.Popen([str(Path(sys.executable).with_name("oxigraph")), "serve", "--union-default-graph",
                               "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(timeout=600) as client:
            for _ in range(100):
                try:
                    client.get(f"{url}/query", params={"query": "ASK {}"})
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            with dump.open("rb") as f:
                client.post(f"{url}/store", content=f, headers={"Content-Type": "application/n-quads"}
                            ).raise_for_status()

            def run(text: str) -> None:
                client.post(f"{url}/query", content=text.encode(), headers={
                    "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}
                            ).raise_for_status()

            return {label: {name: median_seconds(lambda text=text: run(text))
                            for name, text in bound_queries(parameters).items()}
                    for label, parameters in PARAMETER_SETS.items()}
    finally:
        server.terminate()
        server.wait(30)


def http_medians(url: str, client: httpx.Client, parameters: dict) -> dict[str, float]:
    medians = {}
    for name in saved_queries():
        def run(name=name):
            r = client.get(f"{url}/api/queries/{name}", params=parameters.get(name, {}), timeout=120)
            r.raise_for_status()
        medians[name] = median_seconds(run)
    return medians


def point_under_load(url: str) -> dict:
    stop = threading.Event()

    def heavy():
        with httpx.Client() as c:
            while not stop.is_set():
                for name in HEAVY:
                    c.get(f"{url}/api/queries/{name}", timeout=120)

    thread = threading.Thread(target=heavy)
    thread.start()
    time.sleep(1)
    under_load = point_latencies(url)
    stop.set()
    thread.join()
    return {"point_ms_under_load": round(statistics.median(under_load) * 1000, 1),
            "point_ms_alone": round(statistics.median(point_latencies(url)) * 1000, 1)}


def point_latencies(url: str, count: int = 50) -> list[float]:
    times = []
    with httpx.Client() as c:
        for _ in range(count):
            started = time.perf_counter()
            c.get(f"{url}/sparql", params={"query": POINT}, timeout=30).raise_for_status()
            times.append(time.perf_counter() - started)
    return times


def throughput(url: str, clients: int, rounds: int = 2) -> float:
    """Saved queries answered per second with `clients` clients each running the mix `rounds` times."""
    names = list(saved_queries())

    def work():
        with httpx.Client() as c:
            for _ in range(rounds):
                for name in names:
                    c.get(f"{url}/api/queries/{name}", timeout=120).raise_for_status()

    threads = [threading.Thread(target=work) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return clients * rounds * len(names) / (time.perf_counter() - started)


def main() -> None:
    data_dir = HERE / "data" / "stores" / "queries"
    prepare(data_dir)
    dump = dumped(data_dir)
    memory = in_memory_medians(dump)
    engine_server = oxigraph_server_medians(dump)
    dump.unlink()
    port = 8765
    env = {**os.environ, "PIC_DATA_DIR": str(data_dir), "PIC_QUERY_TIMEOUT": "120"}
    log = (data_dir / "serve.log").open("wb")  # the server's own account, if a request fails
    server = subprocess.Popen([str(Path(sys.executable).with_name("pic")), "serve", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                httpx.get(f"{url}/sparql", params={"query": POINT}, timeout=120).raise_for_status()
                break
            except httpx.TransportError:
                time.sleep(0.2)
        with httpx.Client() as client:
            over_http = {label: http_medians(url, client, parameters)
                         for label, parameters in PARAMETER_SETS.items()}
        load = point_under_load(url)
        one, two = throughput(url, 1), throughput(url, 2)
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    ratios = {label: geometric_mean(over_http[label].values()) / geometric_mean(memory[label].values())
              for label in PARAMETER_SETS}
    working = {label: ratio_of_working(memory[label], over_http[label]) for label in PARAMETER_SETS}
    engine_ratios = {label: geometric_mean(engine_server[label].values()) / geometric_mean(memory[label].values())
                     for label in PARAMETER_SETS}
    report = {label: {"in_memory_ms": {k: round(v * 1000, 2) for k, v in memory[label].items()},
                      "http_ms": {k: round(v * 1000, 2) for k, v in over_http[label].items()},
                      "oxigraph_server_ms": {k: round(v * 1000, 2) for k, v in engine_server[label].items()},
                      "ratio_geomean": round(ratios[label], 2),
                      "ratio_geomean_queries_over_5ms": round(working[label], 2),
                      "oxigraph_server_ratio_geomean": round(engine_ratios[label], 2)} for label in PARAMETER_SETS}
    report.update({**load,
              "throughput_1_client": round(one, 2), "throughput_2_clients": round(two, 2),
              "speedup_2_clients": round(two / one, 2)})
    save("queries", report)
    labels = list(PARAMETER_SETS)
    print("| query | " + " | ".join(f"{label}: in memory | our HTTP | Oxigraph server" for label in labels) + " |")
    print("|---|" + "---:|---:|---:|" * len(labels))
    for name in saved_queries():
        cells = " | ".join(f"{memory[label][name] * 1000:.1f} | {over_http[label][name] * 1000:.1f} | "
                           f"{engine_server[label][name] * 1000:.1f}" for label in labels)
        print(f"| {name} | {cells} |")
    for label in labels:
        print(f"\nratio of geometric means (HTTP / in-memory), {label}: {ratios[label]:.2f}; "
              f"over the queries taking 5 ms or more in memory: {working[label]:.2f}; "
              f"Oxigraph's own server: {engine_ratios[label]:.2f}")
    print(f"point query median: {load['point_ms_under_load']} ms under load, {load['point_ms_alone']} ms alone")
    print(f"throughput: {one:.1f} q/s with one client, {two:.1f} q/s with two ({two / one:.2f}x)")


if __name__ == "__main__":
    main()
