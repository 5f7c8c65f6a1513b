"""Web measurement: gunicorn with two workers, simulated users, then a count of stored writes.

First every user asks for ``/healthz`` (the floor: a request that touches the database and
renders nothing), then the users do the staff and report work of `bench.pages` for the set time.
Afterwards the follow-ups in the database are counted: every follow-up the server accepted must
be stored once (none lost), and none stored that it did not accept (none doubled).
"""

from __future__ import annotations

import random
from typing import Any

from bench.data import BENCH_DIR, BENCH_PASSWORD, BuiltDatabase, bench_app
from bench.load import LoadResult, Sample, UserClient, run_load
from bench.pages import READER_THINK, STAFF_THINK, plan_pages
from bench.server import GunicornServer
from del_tool.db import get_db


def _healthz(user: UserClient, _rng: random.Random) -> list[Sample]:
    answer = user.get("/healthz")
    return [Sample("healthz (floor)", answer.seconds, answer.status == 200, answer.status)]


def measure_web(
    built: BuiltDatabase,
    *,
    seconds: float,
    users: int,
    floor_seconds: float,
    quick: bool = False,
) -> dict[str, Any]:
    """Run the floor and the page mix against gunicorn on `built`; summary per page."""
    app = bench_app(built.url)
    database = get_db(app)
    try:
        plan = plan_pages(app, database, built.size)
        before = plan.count_writes(database)
        log = BENCH_DIR / f"gunicorn-{built.backend}-{built.size.name}.log"
        with GunicornServer(built.url, workers=2, log_path=log) as server:
            floor_users = [UserClient("127.0.0.1", server.port) for _ in range(users)]
            think = (0.1, 0.5) if quick else STAFF_THINK
            floor = run_load(
                [(u, [(_healthz, 1.0)], think) for u in floor_users], seconds=floor_seconds
            )
            pages: LoadResult | None = None
            if plan.has_pages:
                logged_in = []
                for username in plan.logins(users):
                    user = UserClient("127.0.0.1", server.port)
                    user.login(username, BENCH_PASSWORD)
                    logged_in.append(user)
                pages = run_load(plan.user_plans(logged_in, quick=quick), seconds=seconds)
        writes = plan.check_writes(database, before)
    finally:
        database.dispose()
    summary = {**floor.summary(), **(pages.summary() if pages else {})}
    return {
        "workers": 2,
        "users": users,
        "think_seconds": {"staff": list(STAFF_THINK), "report readers": list(READER_THINK)}
        if not quick
        else "quick: a fifth of the normal think times",
        "seconds": round(pages.seconds, 1) if pages else None,
        "floor_seconds": round(floor.seconds, 1),
        "pages": summary,
        "errors": sum(row["errors"] for row in summary.values()),
        "crashes": (floor.crashes + (pages.crashes if pages else []))[:20],
        "writes": writes,
        "missing_pages": plan.missing,
        "server_log": str(log),
    }
