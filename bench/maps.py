"""Map benchmark (issue 6).

1. A generated cooperation network of 5,000 actors and 50,000 ties (seeded; actors in 50 clusters, most
   projects inside one cluster, so communities exist): building the network from the store by SPARQL,
   its metrics and positions, and the map page — in-process on an in-memory pyoxigraph store (the
   engine in memory), and through `GET /maps/cooperation` on a real `pic serve` holding that data.
2. The demo's maps in headless Chromium: time from navigation to the first drawing of the settled map.

    python -m bench.maps            # prints a Markdown report; results in bench/results/
"""

import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from pyoxigraph import RdfFormat, Store

from bench.generate import PREFIXES
from bench.results import save
from pic.ontology import read_bytes
from pic.viz import maps, networks, render
from pic.viz.filters import Filters
from pic.viz.metrics import add_metrics_and_positions

HERE = Path(__file__).resolve().parent
ACTORS, TIES, CLUSTERS = 5000, 50_000, 50
KINDS = ["cooperation", "knowledge-flows", "actor-project", "citations", "actor-territory"]


def generate_network(path: Path, seed: int = 2012) -> int:
    """Projects of 2-5 actors, 85% of them inside one cluster, until TIES distinct pairs exist."""
    rng = random.Random(seed)
    size = ACTORS // CLUSTERS
    pairs: set[tuple[int, int]] = set()
    with path.open("w", encoding="utf-8") as f:
        f.write(PREFIXES)
        for k in range(ACTORS):
            f.write(
                f'a:n{k} a org:FormalOrganization ; rdfs:label "Acteur synthétique {k}"@fr ; '
                f"org:classification <https://w3id.org/pic-euralens/id/actor-type/association> ; "
                f"pic:illustrative true .\n"
            )
        project = 0
        while len(pairs) < TIES:
            cluster = rng.randrange(CLUSTERS)
            members = set()
            for _ in range(rng.randint(2, 5)):
                members.add(cluster * size + rng.randrange(size) if rng.random() < 0.85 else rng.randrange(ACTORS))
            if len(members) < 2:
                continue
            ordered = sorted(members)
            pairs.update((a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :])
            start = rng.randint(2010, 2025)
            assoc = " , ".join(f"as:n{project}-{m}" for m in ordered)
            f.write(
                f'p:n{project} a pic:Project ; dcterms:title "Projet {project}"@fr ; '
                f'prov:startedAtTime "{start}-01-01T00:00:00"^^xsd:dateTime ; '
                f"prov:qualifiedAssociation {assoc} ; pic:illustrative true .\n"
            )
            for m in ordered:
                f.write(f"as:n{project}-{m} prov:agent a:n{m} .\n")
            project += 1
    return len(pairs)


def in_process(data: Path) -> dict:
    store = Store()
    for name in ("pic.ttl", "schemes.ttl"):
        store.load(read_bytes(name), RdfFormat.TURTLE)
    store.bulk_load(path=str(data), format=RdfFormat.TURTLE)
    times = {"network": [], "metrics_positions": [], "page": [], "total": []}
    for _ in range(3):
        started = time.perf_counter()
        rows, info = networks.fetch(store, "cooperation", Filters())
        graph = networks.build_from(rows, info, "cooperation", Filters())
        built = time.perf_counter()
        add_metrics_and_positions(graph)
        measured = time.perf_counter()
        html = render.page(
            graph,
            "cooperation",
            Filters(),
            "fr",
            link=lambda iri: iri,
            standalone=False,
            context={
                "choices": maps.choices(store, graph, info, Filters(), None, "fr"),
                "export_query": "",
                "switch_query": "lang=en",
            },
        )
        done = time.perf_counter()
        for key, value in (
            ("network", built - started),
            ("metrics_positions", measured - built),
            ("page", done - measured),
            ("total", done - started),
        ):
            times[key].append(value)
    return {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "html_mb": round(len(html) / 1e6, 1),
        **{f"{k}_s": round(statistics.median(v), 2) for k, v in times.items()},
    }


def serve(data_dir: Path, port: int, load: Path | None = None) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PIC_DATA_DIR": str(data_dir), "PIC_QUERY_TIMEOUT": "120", "PIC_ADMIN_TOKEN": "bench"}
    pic = str(Path(sys.executable).with_name("pic"))
    if load is not None and not (data_dir / "ready").exists():
        subprocess.run([pic, "init"], env=env, check=True, capture_output=True)
        subprocess.run(
            [
                pic,
                "load",
                str(load),
                "--graph",
                "https://w3id.org/pic-euralens/id/graph/partner/bench",
                "--no-validate",
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        (data_dir / "ready").write_text("ok")
    process = subprocess.Popen(
        [pic, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(f"{url}/health", timeout=5).raise_for_status()
            httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=120).raise_for_status()
            break
        except httpx.HTTPError:
            time.sleep(0.2)
    return process, url


def over_http(url: str) -> dict:
    times = []
    with httpx.Client(timeout=120) as client:
        for _ in range(4):
            started = time.perf_counter()
            r = client.get(f"{url}/maps/cooperation")
            r.raise_for_status()
            times.append(time.perf_counter() - started)
    return {"http_page_s": round(statistics.median(times[1:]), 2), "http_page_mb": round(len(r.content) / 1e6, 1)}


def demo_in_browser(url: str) -> dict:
    from tests.browser import offline_page

    settle = {}
    with offline_page(url) as (page, blocked):
        for kind in KINDS:
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                page.goto(f"{url}/maps/{kind}")
                page.wait_for_function("window.picMap && window.picMap.ready")
                runs.append(time.perf_counter() - started)
            settle[kind] = round(statistics.median(runs), 2)
        assert not blocked, blocked
    return settle


def main() -> None:
    data = HERE / "data" / "network-5000.ttl"
    if not data.exists():
        generate_network(data)
    report = {"in_process": in_process(data)}
    process, url = serve(HERE / "data" / "stores" / "network", 8767, load=data)
    try:
        report["over_http"] = over_http(url)
    finally:
        process.terminate()
        process.wait(30)
    demo_dir = HERE / "data" / "stores" / "demo"
    process, url = serve(demo_dir, 8768)
    try:
        report["demo_settle_s"] = demo_in_browser(url)
    finally:
        process.terminate()
        process.wait(30)
    save("maps", report)
    p = report["in_process"]
    print("| network | nodes | ties | SPARQL → network (s) | metrics + positions (s) | page (s) | total (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(
        f"| cooperation, generated | {p['nodes']} | {p['edges']} | {p['network_s']} | "
        f"{p['metrics_positions_s']} | {p['page_s']} | **{p['total_s']}** |"
    )
    print(
        f"\nThrough HTTP (`GET /maps/cooperation`, page {report['over_http']['http_page_mb']} MB): "
        f"{report['over_http']['http_page_s']} s median"
    )
    print("\n| demo map | open and settle in Chromium (s) |\n|---|---:|")
    for kind, seconds in report["demo_settle_s"].items():
        print(f"| {kind} | {seconds} |")


if __name__ == "__main__":
    main()
