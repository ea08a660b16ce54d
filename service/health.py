"""What `/health` looks at: the store, the query engines, the disk, the search index and the last write.

Anyone learns the overall status (a load balancer needs it); only an admin sees the details, since
timings and the time of the last write tell of private activity (issue 17).
"""

import shutil
import time

from pic.graph.query_jobs import Job

LOW_DISK = 1 << 30  # bytes free below which the data directory's disk is a problem


def checks(state) -> dict[str, dict]:
    """Each part's status ("ok" or "failing") and what an operator needs to know about it."""
    return {"store": _store(state), "engines": _engines(state), "disk": _disk(state),
            "search": _search(state), "last_write": _last_write(state)}


def overall(parts: dict[str, dict]) -> str:
    return "ok" if all(p["status"] == "ok" for p in parts.values()) else "degraded"


def _store(state) -> dict:
    started = time.perf_counter()
    try:
        state.writer.store.query("ASK { ?s ?p ?o }")
    except Exception as e:  # any failure of the store is what this check reports
        return {"status": "failing", "error": str(e)[:300]}
    return {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1)}


def _engines(state) -> dict:
    queries = state.queries
    engines = {name: getattr(queries, name, None) for name in ("full", "public")}
    if not any(engines.values()):  # a remote engine: ask it
        try:
            queries.run(Job("ASK {}", max_rows=1), timeout=5)
        except Exception as e:
            return {"status": "failing", "error": str(e)[:300]}
        return {"status": "ok", "kind": "remote"}
    running = {name: engine is not None and engine.process.poll() is None
               for name, engine in engines.items() if engine is not None}
    return {"status": "ok" if all(running.values()) else "failing", "running": running}


def _disk(state) -> dict:
    usage = shutil.disk_usage(state.settings.data_dir)
    return {"status": "ok" if usage.free >= LOW_DISK else "failing", "free_bytes": usage.free,
            "total_bytes": usage.total}


def _search(state) -> dict:
    try:
        state.search.search("santé", None, limit=1)
    except Exception as e:
        return {"status": "failing", "error": str(e)[:300]}
    return {"status": "ok"}


def _last_write(state) -> dict:
    last = getattr(state, "last_write", None)
    return {"status": "ok", "at": last}
