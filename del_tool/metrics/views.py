"""`/metrics`: the deployment's numbers in Prometheus's text format, for a bearer token.

No METRICS_TOKEN configured: 404 (the endpoint does not exist). A token configured: 401 unless
the request carries `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time). The
answer adds up the metrics files of every process of the machine, and reads at scrape time what
no process counts: the job queue's length, and the operations records in the shared store (the
history's last verification, the last scheduled backup, the last restore drill).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, request

from del_tool.auth.permissions import public
from del_tool.metrics import enabled

bp = Blueprint("metrics", __name__)


def _authorised() -> bool:
    token = str(current_app.config.get("METRICS_TOKEN") or "")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    matches = hmac.compare_digest(given.strip().encode(), token.encode())
    return scheme.lower() == "bearer" and matches


@bp.route("/metrics")
@public
def scrape():
    """The metrics (404 when they are off, 401 without the token)."""
    if not enabled():
        abort(404)
    if not _authorised():
        return Response(
            "a bearer token is required\n",
            401,
            {"WWW-Authenticate": 'Bearer realm="metrics"'},
            mimetype="text/plain",
        )
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    registry.register(LiveCollector(current_app._get_current_object()))  # type: ignore[attr-defined]
    return Response(generate_latest(registry), 200, {"Content-Type": CONTENT_TYPE_LATEST})


class LiveCollector:
    """What is read when scraped: the queue, and the operations records in the store."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Any]:
        """The queue's length and state, the history's last verification, the last backup and
        restore drill."""
        yield from self._queue()
        yield from self._operations()

    def _queue(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        from del_tool.jobs import get_jobs
        from del_tool.main.readiness import DEFAULT_TIMEOUT, within

        huey = get_jobs(self.app).huey
        counts: dict[str, int] = {}

        def count() -> None:
            counts["pending"] = int(huey.pending_count())
            counts["scheduled"] = int(huey.scheduled_count())

        seconds = float(self.app.config.get("READY_TIMEOUT", DEFAULT_TIMEOUT))
        up = within(seconds, count) is None and "scheduled" in counts
        yield GaugeMetricFamily(
            "del_jobs_queue_up", "1 when the job queue answered the scrape in time.", value=up
        )
        if up:
            yield GaugeMetricFamily(
                "del_jobs_queued", "Jobs waiting on the queue for a worker.", counts["pending"]
            )
            yield GaugeMetricFamily(
                "del_jobs_scheduled", "Jobs waiting for their time (retries).", counts["scheduled"]
            )

    def _operations(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        from del_tool.metrics.operations import OPERATIONS_GAUGES, read_record

        for key, prefix, fields in OPERATIONS_GAUGES:
            try:
                values = read_record(key, app=self.app)
            except Exception:  # the store is down: /readyz says so; no numbers from it
                return
            for name, help_text in fields:
                if name in values:
                    yield GaugeMetricFamily(f"{prefix}_{name}", help_text, float(values[name]))
