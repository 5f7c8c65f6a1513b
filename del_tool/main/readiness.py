"""Readiness (`/readyz`) and the deployment check (`del-tool doctor`), issue #20 item 1.

`/healthz` stays a cheap liveness check (the database answers). `/readyz` also checks the job
queue and the shared store, each with a timeout, and answers 503 naming the part that failed,
so a load balancer takes a web worker out while Redis is down rather than serving pages that
wait for it. `doctor` checks a deployment's configuration before it starts: one line per
problem, exit 1 if there is any.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from flask import Flask
from sqlalchemy import text

#: Seconds each readiness probe may take (READY_TIMEOUT).
DEFAULT_TIMEOUT = 2.0
PROBE_KEY = "readyz:probe"


def within(seconds: float, probe: Callable[[], Any]) -> str | None:
    """None when `probe` returns within `seconds`, else what went wrong (a short phrase)."""
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(probe)
    try:
        future.result(timeout=seconds)
    except FutureTimeout:
        return f"no answer within {seconds:g} s"
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"
    finally:
        pool.shutdown(wait=False)
    return None


def probes(app: Flask) -> dict[str, Callable[[], Any]]:
    """The parts a web worker needs, each as a function that raises when the part is down."""
    from del_tool.db import get_db
    from del_tool.jobs import get_jobs
    from del_tool.store import get_store

    def database() -> None:
        with get_db(app).engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def jobs() -> None:
        get_jobs(app).huey.pending_count()

    def store() -> None:
        backend = get_store(app).backend
        backend.put(PROBE_KEY, b"1", 10)
        if backend.get(PROBE_KEY) != b"1":
            raise RuntimeError("wrote a probe and read something else back")

    return {"database": database, "jobs": jobs, "store": store}


def readiness(app: Flask) -> dict[str, str | None]:
    """Each part with None (ready) or why it is not."""
    seconds = float(app.config.get("READY_TIMEOUT", DEFAULT_TIMEOUT))
    return {name: within(seconds, probe) for name, probe in probes(app).items()}
