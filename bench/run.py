"""Benchmark runner: load rate through the write path vs pyoxigraph's own bulk loader, and peak memory.

Each measurement runs in its own process on a fresh on-disk store, so peak RSS is that process's own.

    python -m bench.run euralens regional          # prints a Markdown table, saves bench/results/*.json
    python -m bench.run --measure raw FILE DIR     # one measurement (used by the runner itself)
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.generate import ensure

HERE = Path(__file__).resolve().parent
GRAPH = "https://w3id.org/pic-euralens/id/graph/partner/bench"
MODES = ("raw", "validated", "no-validate")


def measure(mode: str, file: Path, data_dir: Path) -> dict:
    """Load `file` into a fresh store in `data_dir`; time only the load itself."""
    from pyoxigraph import NamedNode, RdfFormat, Store

    graph = NamedNode(GRAPH)
    if mode == "raw":
        started = time.perf_counter()
        store = Store(str(data_dir / "store"))
        store.bulk_load(path=str(file), format=RdfFormat.TURTLE, to_graph=graph)
        store.flush()
        seconds, triples, steps = time.perf_counter() - started, len(store), {}
    else:
        from pic.graph.access import User
        from pic.graph.installation.bootstrap import initialise
        from pic.graph.names import Names
        from pic.graph.store.embedded import EmbeddedStore
        from pic.graph.writes.path import Writer

        writer = Writer(EmbeddedStore(data_dir), Names(), data_dir / "history")
        initialise(writer, demo=False)  # the ontology the data refers to; not timed
        started = time.perf_counter()
        result = writer.load_file(file, graph, User("bench", role="admin"), validate=mode == "validated")
        seconds = time.perf_counter() - started
        triples, steps = result.added, result.seconds
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "mode": mode,
        "triples": triples,
        "seconds": round(seconds, 2),
        "rate": round(triples / seconds),
        "peak_rss_mib": round(peak_mb),
        "steps": steps,
    }


def run_scale(scale: str, work: Path) -> list[dict]:
    file = ensure(scale, HERE / "data")
    rows = []
    for mode in MODES:
        data_dir = work / f"{scale}-{mode}"
        subprocess.run(["rm", "-rf", str(data_dir)], check=True)
        data_dir.mkdir(parents=True)
        out = subprocess.run(
            [sys.executable, "-m", "bench.run", "--measure", mode, str(file), str(data_dir)],
            check=True,
            capture_output=True,
            text=True,
            cwd=HERE.parent,
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        row["scale"] = scale
        rows.append(row)
        subprocess.run(["rm", "-rf", str(data_dir)], check=True)
        print(
            f"{scale:9} {mode:12} {row['triples']:>10} triples {row['seconds']:>8} s "
            f"{row['rate']:>8} t/s {row['peak_rss_mib']:>6} MiB {row['steps']}",
            file=sys.stderr,
        )
    raw = rows[0]["rate"]
    for row in rows:
        row["vs_raw"] = round(row["rate"] / raw, 3)
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| scale | mode | triples | seconds | triples/s | vs raw bulk_load | peak RSS (MiB) | steps (s) |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        steps = ", ".join(f"{k} {v}" for k, v in r["steps"].items())
        lines.append(
            f"| {r['scale']} | {r['mode']} | {r['triples']:,} | {r['seconds']} | "
            f"{r['rate']:,} | {r['vs_raw']:.0%} | {r['peak_rss_mib']} | {steps} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scales", nargs="*", default=["euralens", "regional"])
    parser.add_argument("--measure", nargs=3, metavar=("MODE", "FILE", "DIR"))
    parser.add_argument("--work", type=Path, default=HERE / "data" / "stores")
    args = parser.parse_args()
    if args.measure:
        mode, file, data_dir = args.measure
        print(json.dumps(measure(mode, Path(file), Path(data_dir))))
        return
    rows = [row for scale in args.scales for row in run_scale(scale, args.work)]
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    (results / f"load-{stamp}.json").write_text(json.dumps(rows, indent=1))
    print(table(rows))


if __name__ == "__main__":
    main()
