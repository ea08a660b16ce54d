"""Operations benchmark (issue 17): start-up and write times at the regional scale, through a real `pic serve`.

Store: the demo plus the regional data set (~1.1M triples), no private graph yet (as a platform is before
its first partner keeps something private); each run works on a fresh copy of it. Measured:

1. start: from the `pic serve` process's start to the first answer of `/sparql` (an anonymous ASK) and of
   a saved query, and to the query engines' copies being loaded (`/health`, admin); once on the fresh
   copy (its first start does once-only work: RocksDB's first opening, the data folder's upgrades) and
   once more, a start as every later one;
2. the first PUT of a private graph (a partner's `graph/private/{org}/main`: the first graph anonymous
   readers may not read, for which a public copy is built), and the time until that copy answers;
   right after the PUT an anonymous query must not see the private graph, and its owner must;
3. a partner's study saves (`POST /api/contribute/study`, the route the form's JSON twin takes, producer
   and theme and territory given, as the form asks), p50 and p95; and Graph Store POSTs of a small graph;
4. a restart, now with a private graph (two copies to load).

    python -m bench.operations                 # prints a Markdown table; results in bench/results/
    python -m bench.operations --saves 20      # fewer saves
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from bench.generate import ensure
from bench.results import save

HERE = Path(__file__).resolve().parent
ID = "https://w3id.org/pic-euralens/id/"
ORG, PARTNER, PASSWORD = "aula", "bench-partner", "bench-partner-password"
PRIVATE_GRAPH = f"{ID}graph/private/{ORG}/main"
PRIVATE_STUDY = f"{ID}study/bench-private-study"
PRIVATE_TTL = f"""@prefix pic: <https://w3id.org/pic-euralens/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{PRIVATE_STUDY}> a pic:Study ; pic:illustrative true ;
    rdfs:label "Étude confidentielle du banc d'essai"@fr ; dcterms:title "Étude confidentielle du banc d'essai"@fr ;
    pic:studyStatus <{ID}study-status/ongoing> ; pic:expectedYear "2027"^^<http://www.w3.org/2001/XMLSchema#gYear> ;
    pic:producedBy <{ID}actor/{ORG}> .
"""
GYEAR = "<http://www.w3.org/2001/XMLSchema#gYear>"
SEES_PRIVATE = f"ASK {{ <{PRIVATE_STUDY}> ?p ?o }}"
POINT = "ASK { <https://w3id.org/pic-euralens/id/territory/commune/62498> ?p ?o }"
SAVED = "planned-studies"
ADMIN = {"Authorization": "Bearer bench"}


def pic(*args: str, env: dict) -> str:
    command = [str(Path(sys.executable).with_name("pic")), *args]
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout


def prepare(base: Path) -> None:
    """The demo and the regional data set in one store, and a partner account of `ORG`, made once."""
    if (base / "ready").exists():
        return
    shutil.rmtree(base, ignore_errors=True)
    env = {**os.environ, "PIC_DATA_DIR": str(base)}
    pic("init", "--demo", env=env)
    pic("load", str(ensure("regional", HERE / "data")), "--graph", f"{ID}graph/partner/bench", "--no-validate", env=env)
    pic("user", "add", PARTNER, "--role", "partner", "--org", ORG, "--password", PASSWORD, env=env)
    (base / "token").write_text(pic("user", "token", PARTNER, env=env).strip().split()[-1])
    (base / "ready").write_text("ok")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copies_ready(client: httpx.Client, url: str) -> bool:
    """The engines' copies are loaded (`/health`'s engine check; a service from before issue 17 said
    nothing of copies loading: it answered only once they were)."""
    try:
        r = client.get(f"{url}/health", headers=ADMIN, timeout=5)
    except httpx.HTTPError:
        return False
    engines = r.json().get("checks", {}).get("engines", {})
    return engines.get("status") == "ok" and engines.get("copies", "ready") == "ready"


def answers(client: httpx.Client, url: str, path: str, **params) -> bytes | None:
    try:
        r = client.get(f"{url}{path}", params=params, timeout=30)
    except httpx.HTTPError:
        return None
    return r.content if r.status_code == 200 else None


def start(data_dir: Path, log: Path) -> tuple[subprocess.Popen, str, dict]:
    """Start `pic serve`; seconds from the process's start to each first answer and to the copies loaded.
    Also checks that what was answered while the copies loaded is what they answer."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PIC_DATA_DIR": str(data_dir), "PIC_ADMIN_TOKEN": "bench", "PIC_QUERY_TIMEOUT": "120"}
    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("pic")), "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    seen: dict[str, float] = {}
    early: dict[str, bytes] = {}

    def first_answer(name: str, path: str, params: dict) -> None:
        """Asked over and over on its own connection: one slow answer (a saved query from the on-disk
        store) must not hold back the measure of the other (they were asked in turn, one loop)."""
        with httpx.Client() as own:
            while process.poll() is None and time.perf_counter() - started < 600:
                if (body := answers(own, url, path, **params)) is not None:
                    seen[name], early[name] = time.perf_counter() - started, body
                    return
                time.sleep(0.05)

    askers = [
        threading.Thread(target=first_answer, args=args, daemon=True)
        for args in (
            ("sparql", "/sparql", {"query": POINT, "format": "csv"}),
            ("saved_query", f"/api/queries/{SAVED}", {"format": "csv"}),
        )
    ]
    for asker in askers:
        asker.start()
    with httpx.Client() as client:
        while len(seen) < 3:
            if process.poll() is not None:
                raise RuntimeError(f"pic serve stopped (exit code {process.returncode}); see {log}")
            if time.perf_counter() - started > 600:
                raise RuntimeError(f"pic serve did not answer within 600 s; see {log}")
            if "copies" not in seen and "sparql" in seen and copies_ready(client, url):
                seen["copies"] = time.perf_counter() - started
            time.sleep(0.05)
        same = (
            answers(client, url, "/sparql", query=POINT, format="csv") == early["sparql"]
            and answers(client, url, f"/api/queries/{SAVED}", format="csv") == early["saved_query"]
        )
    figures = {f"first_{k}_s" if k != "copies" else "copies_loaded_s": round(v, 2) for k, v in seen.items()}
    return process, url, {**figures, "early_answers_same": same}


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(60)


def sees_private(client: httpx.Client, url: str, headers: dict | None = None) -> bool:
    r = client.get(f"{url}/sparql", params={"query": SEES_PRIVATE, "format": "json"}, headers=headers or {})
    r.raise_for_status()
    return r.json()["boolean"]


def first_private_put(client: httpx.Client, url: str, partner: dict) -> dict:
    """The first private graph's PUT, what anonymous readers and the owner see right after, and the time
    until the public copy is loaded."""
    started = time.perf_counter()
    r = client.put(
        f"{url}/rdf-graphs",
        params={"graph": PRIVATE_GRAPH},
        content=PRIVATE_TTL.encode(),
        headers={**partner, "Content-Type": "text/turtle"},
    )
    put = time.perf_counter() - started
    assert r.status_code in (201, 204), r.text
    leaked = sees_private(client, url)
    owner_sees = sees_private(client, url, partner)
    while not copies_ready(client, url):
        time.sleep(0.05)
    ready = time.perf_counter() - started
    return {
        "put_s": round(put, 3),
        "public_copy_ready_s": round(ready, 2),
        "anonymous_sees_private_right_after": leaked,
        "owner_sees_private_right_after": owner_sees,
        "anonymous_sees_private_after_copy": sees_private(client, url),
    }


def percentiles(seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def study_saves(client: httpx.Client, url: str, partner: dict, count: int) -> dict:
    """A partner's new studies through the JSON API (what the form posts), one after the other."""
    times = []
    for i in range(count):
        key = f"bench-save-{time.time_ns()}-{i}"
        started = time.perf_counter()
        r = client.post(
            f"{url}/api/contribute/study",
            headers=partner,
            json={
                "id": key,
                "title_fr": f"Étude du banc d'essai {i}",
                "status": "completed",
                "year": "2025",
                "producer": ORG,
                "themes": "culture",
                "territories": "commune/62498",
            },
        )
        times.append(time.perf_counter() - started)
        assert r.status_code == 201, r.text
    return percentiles(times)


def graph_store_posts(client: httpx.Client, url: str, partner: dict, count: int) -> dict:
    """A partner adding a small description (one new study, five triples) to its public graph."""
    times = []
    for i in range(count):
        study = f"{ID}study/bench-post-{time.time_ns()}-{i}"
        body = (
            f"<{study}> a <https://w3id.org/pic-euralens/ontology#Study> ; "
            f'<http://www.w3.org/2000/01/rdf-schema#label> "Ajout du banc d\'essai {i}"@fr ; '
            f'<http://purl.org/dc/terms/title> "Ajout du banc d\'essai {i}"@fr ; '
            f"<https://w3id.org/pic-euralens/ontology#studyStatus> <{ID}study-status/planned> ; "
            f'<https://w3id.org/pic-euralens/ontology#expectedYear> "2027"^^{GYEAR} .'
        )
        started = time.perf_counter()
        r = client.post(
            f"{url}/rdf-graphs",
            params={"graph": f"{ID}graph/partner/{ORG}"},
            content=body.encode(),
            headers={**partner, "Content-Type": "text/turtle"},
        )
        times.append(time.perf_counter() - started)
        assert r.status_code in (201, 204), r.text
    return percentiles(times)


def run(work: Path, saves: int, posts: int) -> dict:
    base = HERE / "data" / "stores" / "operations-base"
    prepare(base)
    data_dir = work / "operations"
    shutil.rmtree(data_dir, ignore_errors=True)
    shutil.copytree(base, data_dir)
    partner = {"Authorization": f"Bearer {(base / 'token').read_text().strip()}"}
    report: dict = {}
    process, _, report["first_start"] = start(data_dir, work / "operations-serve.log")
    print("first start:", report["first_start"], file=sys.stderr)
    stop(process)
    process, url, report["start"] = start(data_dir, work / "operations-serve.log")
    print("start:", report["start"], file=sys.stderr)
    try:
        with httpx.Client(timeout=300) as client:
            report["first_private_put"] = first_private_put(client, url, partner)
            print("first private PUT:", report["first_private_put"], file=sys.stderr)
            report["study_save"] = study_saves(client, url, partner, saves)
            report["graph_store_post"] = graph_store_posts(client, url, partner, posts)
    finally:
        stop(process)
    process, url, report["restart_with_private_graph"] = start(data_dir, work / "operations-serve.log")
    stop(process)
    shutil.rmtree(data_dir, ignore_errors=True)
    return report


def table(report: dict) -> str:
    s, put, r = report["start"], report["first_private_put"], report["restart_with_private_graph"]
    rows = [
        (
            "first start of the copied data folder → first `/sparql` answer (s)",
            report["first_start"]["first_sparql_s"],
            "",
        ),
        ("first start → copies loaded (s)", report["first_start"]["copies_loaded_s"], ""),
        ("start → first `/sparql` answer (s)", s["first_sparql_s"], "≤ 5"),
        ("start → first saved-query answer (s)", s["first_saved_query_s"], "≤ 5"),
        ("start → copies loaded (s)", s["copies_loaded_s"], ""),
        ("answers given while the copies loaded = the copies' answers", s["early_answers_same"], "yes"),
        ("first private graph's PUT (s)", put["put_s"], "no wait for a copy"),
        ("PUT → public copy loaded (s)", put["public_copy_ready_s"], ""),
        (
            "anonymous reader sees the private graph right after the PUT",
            put["anonymous_sees_private_right_after"],
            "never",
        ),
        ("its owner sees it right after the PUT", put["owner_sees_private_right_after"], "yes"),
        (
            f"study save p50 / p95 (ms, n={report['study_save']['n']})",
            f"{report['study_save']['p50_ms']} / {report['study_save']['p95_ms']}",
            "p95 < 200",
        ),
        (
            f"Graph Store POST p50 / p95 (ms, n={report['graph_store_post']['n']})",
            f"{report['graph_store_post']['p50_ms']} / {report['graph_store_post']['p95_ms']}",
            "",
        ),
        ("restart with a private graph → first `/sparql` answer (s)", r["first_sparql_s"], "≤ 5"),
        ("restart → both copies loaded (s)", r["copies_loaded_s"], ""),
    ]
    return "\n".join(
        [
            "| measure | result | target |",
            "|---|---:|---|",
            *(f"| {name} | {value} | {target} |" for name, value, target in rows),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=50)
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--work", type=Path, default=HERE / "data" / "stores")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    report = run(args.work, args.saves, args.posts)
    save("operations", report)
    print(table(report))


if __name__ == "__main__":
    main()
