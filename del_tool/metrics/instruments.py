"""DEL's metrics. Imported only once `PROMETHEUS_MULTIPROC_DIR` is set (`del_tool.metrics`), as
prometheus_client chooses its multiprocess mode when it is first imported.

Labels are names from the code, never data: Flask endpoint names (never URLs, which hold ids),
HTTP methods and statuses, job names, store key kinds (the part of a key before its first
colon), login outcomes and security event kinds. No label carries an id, a name or free text,
so nothing in the metrics is personal data.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram, values

if not getattr(values.ValueClass, "_multiprocess", False):  # pragma: no cover - a wiring fault
    raise RuntimeError("prometheus_client was imported before PROMETHEUS_MULTIPROC_DIR was set")

REQUESTS = Counter(
    "del_http_requests",
    "HTTP requests answered, by Flask endpoint, method and status.",
    ("endpoint", "method", "status"),
)
REQUEST_SECONDS = Histogram(
    "del_http_request_duration_seconds",
    "Time from the request's start to its response, by Flask endpoint and method.",
    ("endpoint", "method"),
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
JOB_SECONDS = Histogram(
    "del_job_duration_seconds",
    "Time a job ran, by job name and outcome (ok, or error: it raised and is retried or failed).",
    ("job", "outcome"),
    buckets=(0.05, 0.25, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0),
)
STORE_READS = Counter(
    "del_store_reads",
    "Reads of the shared store, by key kind and result (hit or miss).",
    ("kind", "result"),
)
LOGIN_FAILURES = Counter(
    "del_login_failures",
    "Failed login attempts, by reason (wrong_password, unknown_user, throttled, ...).",
    ("reason",),
)
LOGINS = Counter("del_logins", "Completed logins.")
SECURITY_EVENTS = Counter(
    "del_security_events",
    "Events of the security stream (logger del_tool.security), by kind.",
    ("event",),
)
DISCLOSURE_WITHHELD = Counter(
    "del_council_cells_withheld",
    "Council summary cells the union audit withheld before publication.",
)
DISCLOSURE_REFUSED = Counter(
    "del_council_publications_refused",
    "Council summaries the union audit refused to publish (PublicationRefusedError).",
)
