"""What reading a SPARQL text with the parser costs (issue 15): each saved query and a few 100 KB texts,
parsed in this process (the parser's own time) and through the service's parser processes (what a
request to /sparql pays the first time a text is seen: the parse plus the trip to a worker; a text seen
again is answered from memory).

    python -m bench.parser          # prints a Markdown table; results in bench/results/
"""

import statistics
import sys
import threading
import time
from importlib import resources

from bench.results import save
from pic.service.parser_pool import RECURSION_LIMIT, STACK_BYTES, ParserPool
from pic.service.sparql_guard import Unreadable, read

REPEAT = 5


def big_texts() -> dict[str, str]:
    """Three shapes of a ~100 KB query (the size limit): many triple patterns, a long IN list, VALUES."""
    return {
        "100 KB: 1,800 triple patterns": "SELECT * WHERE { "
        + " ".join(f'?s{i} <http://example.org/p{i}> "value number {i}" .' for i in range(1800))
        + " }",
        "100 KB: FILTER IN of 5,000 strings": "SELECT * WHERE { ?s ?p ?o FILTER(?o IN ("
        + ",".join(f'"value number {i}"' for i in range(5000))
        + ")) }",
        "100 KB: VALUES of 3,000 IRIs": "SELECT * WHERE { VALUES ?x {"
        + " ".join(f"<http://example.org/thing/{i}>" for i in range(3000))
        + "} }",
    }


def saved_texts() -> dict[str, str]:
    folder = resources.files("pic.queries")
    texts = {f.name: f.read_text(encoding="utf-8") for f in folder.iterdir() if f.name.endswith(".rq")}
    if not texts:
        raise FileNotFoundError("no saved queries found")
    return dict(sorted(texts.items()))


def in_process_ms(text: str) -> float | str:
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        try:
            read(text)
        except Unreadable as e:
            return f"refused: {e.message}"
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def pooled_ms(pool: ParserPool, text: str, salt: int) -> float | str:
    """First sight of a text (a comment line makes each run a new text, so memory does not answer)."""
    times = []
    for run in range(REPEAT):
        started = time.perf_counter()
        try:
            pool.read(f"# run {salt}-{run}\n{text}")
        except Unreadable as e:
            return f"refused: {e.message}"
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    sys.setrecursionlimit(RECURSION_LIMIT)
    threading.stack_size(STACK_BYTES)
    rows: list[dict] = []

    def measure() -> None:
        pool = ParserPool(processes=1, timeout=30)
        try:
            pool.read("ASK {}")  # the worker started
            for i, (name, text) in enumerate({**saved_texts(), **big_texts()}.items()):
                rows.append(
                    {
                        "query": name,
                        "bytes": len(text.encode()),
                        "parse_ms": in_process_ms(text),
                        "pooled_ms": pooled_ms(pool, text, i),
                    }
                )
            started = time.perf_counter()
            for _ in range(100):
                pool.read("ASK {}")
            rows.append(
                {
                    "query": "a text seen before (memory)",
                    "bytes": 6,
                    "parse_ms": "",
                    "pooled_ms": (time.perf_counter() - started) * 10,
                }
            )
        finally:
            pool.close()

    worker = threading.Thread(target=measure)  # the deep stack the parser processes have
    worker.start()
    worker.join()
    saved = [r["parse_ms"] for r in rows if r["query"].endswith(".rq")]
    print("| query | bytes | parse (ms, median) | through a parser process (ms, median) |")
    print("|---|---:|---:|---:|")
    for r in rows:
        fmt = lambda v: f"{v:.1f}" if isinstance(v, float) else str(v)  # noqa: E731
        print(f"| {r['query']} | {r['bytes']:,} | {fmt(r['parse_ms'])} | {fmt(r['pooled_ms'])} |")
    print(f"\nsaved queries: median {statistics.median(saved):.1f} ms, max {max(saved):.1f} ms ({len(saved)} queries)")
    print("results:", save("parser", {"rows": rows}))


if __name__ == "__main__":
    main()
