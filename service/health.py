"""What `/health` looks at: the store, the query engines, the disk, the search index and the last write.

Anyone learns the overall status (a load balancer needs it); only an admin sees the details, since
timings and the time of the last write tell of private activity (issue 17).

It says what is wrong, not only that the parts answer: a store that refuses writes (a full disk), and what
follows the writes (the search index, the query copies) when it failed after a commit and is behind the
store until repaired (`Writer.behind`, service/recovery.py).
"""

import shutil
import time

from pic.graph.engine.jobs import Job


def checks(writer, queries, search, settings, last_write: str | None) -> dict[str, dict]:
    """Each part's status ("ok" or "failing") and what an operator needs to know about it: the writer and
    its store, the query runner, the search index, the settings (disk thresholds), when the last write was."""
    return {
        "store": _store(writer),
        "engines": _engines(writer, queries),
        "disk": _disk(settings),
        "search": _search(writer, search),
        "last_write": _last_write(writer, last_write),
    }


def overall(parts: dict[str, dict]) -> str:
    return "ok" if all(p["status"] == "ok" for p in parts.values()) else "degraded"


def _store(writer) -> dict:
    started = time.perf_counter()
    try:
        writer.store.query("ASK { ?s ?p ?o }")
    except Exception as e:  # any failure of the store is what this check reports
        return {"status": "failing", "error": str(e)[:300]}
    refused = getattr(writer.store, "write_error", None)
    if refused is not None:
        return {
            "status": "failing",
            "error": f"writes fail: {refused[:300]}; they resume by themselves once the disk has room",
        }
    return {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1)}


def _engines(writer, queries) -> dict:
    engines = {name: getattr(queries, name, None) for name in ("full", "public")}
    if not hasattr(queries, "copies"):  # a remote engine: ask it
        try:
            queries.run(Job("ASK {}", max_rows=1), timeout=5)
        except Exception as e:
            return {"status": "failing", "error": str(e)[:300]}
        return {"status": "ok", "kind": "remote"}
    running = {
        name: engine is not None and engine.process.poll() is None
        for name, engine in engines.items()
        if engine is not None
    }
    # "loading": the store answers while the copies load (graph/engine/copies.py); a failed load is retried
    copies = {"copies": queries.copies, **({"error": queries.load_error} if queries.load_error else {})}
    behind = _behind(writer, "follow")
    if behind:
        return {"status": "failing", "running": running, **copies, "error": behind}
    ok = all(running.values()) and not queries.load_error
    return {"status": "ok" if ok else "failing", "running": running, **copies}


def _disk(settings) -> dict:
    usage = shutil.disk_usage(settings.data_dir)
    found = {"free_bytes": usage.free, "total_bytes": usage.total}
    if usage.free < settings.min_free_bytes:
        return {
            "status": "failing",
            **found,
            "error": f"writes are refused below {settings.min_free_bytes:,} "
            "bytes free (PIC_MIN_FREE_BYTES): free some space",
        }
    if usage.free < settings.low_disk_bytes:
        return {
            "status": "failing",
            **found,
            "error": f"less than {settings.low_disk_bytes:,} bytes free (PIC_LOW_DISK_BYTES)",
        }
    return {"status": "ok", **found}


def _search(writer, search) -> dict:
    try:
        search.search("santé", None, limit=1)
    except Exception as e:
        return {"status": "failing", "error": str(e)[:300]}
    behind = _behind(writer, "reindex")
    return {"status": "failing", "error": behind} if behind else {"status": "ok"}


def _last_write(writer, last: str | None) -> dict:
    behind = writer.lagging()
    if behind:
        return {
            "status": "failing",
            "at": last,
            "behind": behind,
            "error": "the last writes are committed; what follows them failed and is repaired once it can",
        }
    return {"status": "ok", "at": last}


def _behind(writer, listener: str) -> str | None:
    """Why a follower of the writes (by name) is behind the store, if it is."""
    error = writer.lagging().get(listener)
    return None if error is None else f"behind the store since a write ({error}); repaired once it can"
