"""Page and search benchmark (issue 4): entity pages and searches on the regional data set (the store
`bench.queries` prepares: the demo plus ~1M generated triples), through a real `pic serve`.

    python -m bench.pages           # prints a Markdown report; results in bench/results/
"""

import statistics
import time
from pathlib import Path

import httpx

from bench.maps import serve
from bench.queries import prepare
from bench.results import save

HERE = Path(__file__).resolve().parent
PAGES = [
    "actor/louvre-lens",
    "actor/x7",
    "study/etat-impacts-2021",
    "study/x599",
    "indicator/taux-chomage",
    "indicator/x0",
    "territory/commune/62498",
    "territory/departement/900",
    "territory/region/32",
    "project/x12",
]
SEARCHES = ["louvre lens", "lievin", "commune synthetique 1234", "etude synthetique", "chomage", "acteur"]
REPEAT = 7


def median_ms(client: httpx.Client, url: str, **params) -> float:
    client.get(url, params=params).raise_for_status()
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        client.get(url, params=params).raise_for_status()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 1)


def write_then_read(client: httpx.Client, url: str) -> dict:
    """A partner's save (one study through the JSON API) and the page that shows it right after: the
    write path, the replicas following the write, the search index, then a page from the replicas."""
    saves, pages = [], []
    admin = {"Authorization": "Bearer bench"}
    for i in range(REPEAT):
        key = f"bench-write-{time.time_ns()}-{i}"
        started = time.perf_counter()
        client.post(
            f"{url}/api/contribute/study",
            headers=admin,
            json={
                "id": key,
                "title_fr": f"Étude essai {i}",
                "status": "planned",
                "year": "2027",
                "org": "bench",
                "themes": "culture",
                "territories": "commune/62498",
            },
        ).raise_for_status()
        saves.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert f"Étude essai {i}" in client.get(f"{url}/id/study/{key}").text
        pages.append(time.perf_counter() - started)
        client.delete(f"{url}/api/contribute/study/{key}", headers=admin).raise_for_status()
    return {"save": round(statistics.median(saves) * 1000, 1), "page_after": round(statistics.median(pages) * 1000, 1)}


def main() -> None:
    data_dir = HERE / "data" / "stores" / "queries"
    prepare(data_dir)
    started = time.perf_counter()
    process, url = serve(data_dir, 8771)
    report = {"server_ready_s": round(time.perf_counter() - started, 1)}
    try:
        with httpx.Client(timeout=120, headers={"Accept": "text/html"}) as client:
            report["pages_ms"] = {p: median_ms(client, f"{url}/id/{p}") for p in PAGES}
            report["search_ms"] = {q: median_ms(client, f"{url}/api/search", q=q) for q in SEARCHES}
            report["write_then_read_ms"] = write_then_read(client, url)
    finally:
        process.terminate()
        process.wait(30)
    report["page_median_ms"] = statistics.median(report["pages_ms"].values())
    report["search_median_ms"] = statistics.median(report["search_ms"].values())
    save("pages", report)
    print("| entity page | median (ms) |\n|---|---:|")
    for p, ms in report["pages_ms"].items():
        print(f"| `/id/{p}` | {ms} |")
    print("\n| search | median (ms) |\n|---|---:|")
    for q, ms in report["search_ms"].items():
        print(f"| `{q}` | {ms} |")
    print(
        f"\na study saved through the API: {report['write_then_read_ms']['save']} ms; its page right after: "
        f"{report['write_then_read_ms']['page_after']} ms (medians of {REPEAT})"
    )
    print(
        f"\nmedian over pages: {report['page_median_ms']} ms; over searches: {report['search_median_ms']} ms; "
        f"server ready in {report['server_ready_s']} s"
    )


if __name__ == "__main__":
    main()
