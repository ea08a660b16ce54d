"""Report benchmark (issue 7): the annual report for one year on the regional data set (the demo plus
~1M generated triples, the store `bench.queries` prepares), three ways:

1. `pic report 2024` as a process on the on-disk store (HTML and PDF, the PDF printed by Chromium);
2. `GET /reports/2024` on a real `pic serve` (a local engine over an in-memory copy);
3. `GET /reports/2024.pdf` on the same server.

    python -m bench.report          # prints a Markdown report; results in bench/results/
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.maps import serve
from bench.queries import prepare
from bench.results import save

HERE = Path(__file__).resolve().parent
YEAR = 2024


def cli_seconds(data_dir: Path) -> float:
    env = {**os.environ, "PIC_DATA_DIR": str(data_dir)}
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        subprocess.run(
            [str(Path(sys.executable).with_name("pic")), "report", str(YEAR), "--out-dir", out],
            env=env,
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - started


def http_seconds(url: str, suffix: str = "", runs: int = 3) -> float:
    times = []
    with httpx.Client(timeout=300) as client:
        for _ in range(runs):
            started = time.perf_counter()
            client.get(f"{url}/reports/{YEAR}{suffix}").raise_for_status()
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    data_dir = HERE / "data" / "stores" / "queries"
    prepare(data_dir)
    report = {"cli_html_and_pdf_s": round(cli_seconds(data_dir), 2)}
    process, url = serve(data_dir, 8769)
    try:
        report["http_page_s"] = round(http_seconds(url), 2)
        report["http_pdf_s"] = round(http_seconds(url, ".pdf"), 2)
    finally:
        process.terminate()
        process.wait(30)
    save("report", report)
    print("| how | seconds |\n|---|---:|")
    print(
        f"| `pic report {YEAR}` (HTML + PDF, on-disk store, process start included) | {report['cli_html_and_pdf_s']} |"
    )
    print(f"| `GET /reports/{YEAR}` (median of 3) | {report['http_page_s']} |")
    print(f"| `GET /reports/{YEAR}.pdf` (median of 3) | {report['http_pdf_s']} |")


if __name__ == "__main__":
    main()
