"""Prometheus metrics (issue #20 item 2): `/metrics`, behind a bearer token.

On only when `METRICS_TOKEN` is configured (at least 32 characters); without it nothing is
recorded and `/metrics` answers 404, as if it did not exist. A scrape must send
`Authorization: Bearer <METRICS_TOKEN>` (else 401). Every process of a machine (the gunicorn
workers, `del-tool worker`) writes its numbers to `PROMETHEUS_MULTIPROC_DIR`
(`del_tool.metrics.multiprocess`), and a scrape adds them all up; what other processes cannot
count (the queue's length, the history's last verification, the last backup and restore drill)
is read when scraped (`del_tool.metrics.views`).

Recorded here: requests and their duration per Flask endpoint (request signals, so every
answer counts, refusals and errors too), job durations per job (`del_tool.jobs`), shared-store
hits and misses per key kind (`del_tool.store`), logins and login failures and every security
event (a handler on the security log stream, `del_tool.logs`), and the union audit's withheld
cells and refused publications (`del_tool.reports.council.union`). Recording never breaks what
it records: a metrics fault is logged once and the request or job goes on.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, has_app_context, request, request_finished, request_started

from del_tool.config import MIN_SECRET_KEY_LENGTH, ConfigError

log = logging.getLogger(__name__)

EXTENSION_KEY = "del_metrics"
#: A label value taken from the code (a store key's kind, a login reason, an event kind).
_CODE_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,39}$")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: Login outcomes that are no failure: complete, or the password right and a code to come.
_NOT_FAILED = frozenset({"ok", "password_ok"})
_warned: set[str] = set()


def init_app(app: Flask) -> None:
    """Turn metrics on when METRICS_TOKEN is set: choose the multiprocess folder, hook the
    requests, the store and the security stream. ConfigError for a token that is too short."""
    token = str(app.config.get("METRICS_TOKEN") or "")
    if not token:
        return
    if len(token) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"DEL_METRICS_TOKEN is too short: at least {MIN_SECRET_KEY_LENGTH} random characters "
            "(or leave it unset to switch /metrics off)"
        )
    from del_tool.metrics.multiprocess import directory
    from del_tool.store import get_store

    try:
        app.extensions[EXTENSION_KEY] = directory(app.instance_path)
    except OSError as exc:
        raise ConfigError(
            f"the metrics folder (PROMETHEUS_MULTIPROC_DIR) cannot be made: {exc.strerror}: "
            f"{exc.filename}"
        ) from None
    request_started.connect(_request_started, app)
    request_finished.connect(_request_finished, app)
    get_store(app).observe = store_read
    _install_security_counter()


def enabled(app: Flask | None = None) -> bool:
    """Whether `app` (default: the current app, if any) records metrics."""
    if app is None:
        if not has_app_context():
            return False
        app = current_app
    return EXTENSION_KEY in app.extensions


def _instruments() -> Any:
    from del_tool.metrics import instruments

    return instruments


def _safely(what: str, record: Callable[[], None]) -> None:
    """Record, or log once why not: metrics never break a request or a job."""
    try:
        record()
    except Exception:
        if what not in _warned:
            _warned.add(what)
            log.warning("metrics: cannot record %s", what, exc_info=True)


def code_name(value: Any) -> str:
    """`value` as a label if it looks like a name from the code, else "other"."""
    text = str(value)
    return text if _CODE_NAME.match(text) else "other"


def endpoint_label() -> str:
    """The request's Flask endpoint ("unmatched" when no rule matched): never its URL."""
    rule = request.url_rule
    return rule.endpoint if rule is not None else "unmatched"


def _request_started(_sender: Flask, **_extra: Any) -> None:
    g.metrics_started = time.perf_counter()


def _request_finished(_sender: Flask, response: Any, **_extra: Any) -> None:
    started = g.pop("metrics_started", None)

    def record() -> None:
        found = _instruments()
        endpoint = endpoint_label()
        method = request.method if request.method in _METHODS else "other"
        found.REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
        if started is not None:
            found.REQUEST_SECONDS.labels(endpoint, method).observe(time.perf_counter() - started)

    _safely("a request", record)


def record_job(name: str, seconds: float, *, ok: bool, app: Flask | None = None) -> None:
    """A job ran for `seconds`, and ended well or raised."""
    if enabled(app):
        outcome = "ok" if ok else "error"
        _safely(
            "a job",
            lambda: _instruments().JOB_SECONDS.labels(code_name(name), outcome).observe(seconds),
        )


def store_read(key: str, hit: bool) -> None:
    """The shared store was read under `key` (counted by the key's kind, never the key)."""
    kind = code_name(key.partition(":")[0])
    result = "hit" if hit else "miss"
    _safely("a store read", lambda: _instruments().STORE_READS.labels(kind, result).inc())


def record_disclosure(*, withheld: int = 0, refused: bool = False) -> None:
    """The union audit withheld `withheld` cells of a council summary, or refused it."""
    if not enabled():
        return

    def record() -> None:
        found = _instruments()
        if withheld:
            found.DISCLOSURE_WITHHELD.inc(withheld)
        if refused:
            found.DISCLOSURE_REFUSED.inc()

    _safely("a disclosure audit", record)


class SecurityEventCounter(logging.Handler):
    """Counts the security stream's events by kind, and logins by outcome."""

    def emit(self, record: logging.LogRecord) -> None:
        """Count one event (only in an app that records metrics)."""
        if not enabled():
            return
        event = getattr(record, "event", None)
        if event is None:
            return

        def count() -> None:
            found = _instruments()
            found.SECURITY_EVENTS.labels(code_name(event)).inc()
            if event == "login":
                outcome = str(getattr(record, "outcome", ""))
                if outcome == "ok":
                    found.LOGINS.inc()
                elif outcome not in _NOT_FAILED:
                    found.LOGIN_FAILURES.labels(code_name(outcome)).inc()

        _safely("a security event", count)


def _install_security_counter() -> None:
    from del_tool.logs import SECURITY_LOGGER

    logger = logging.getLogger(SECURITY_LOGGER)
    if not any(isinstance(h, SecurityEventCounter) for h in logger.handlers):
        counter = SecurityEventCounter(level=logging.INFO)
        counter.set_name("del:metrics:security-events")  # the stream's handlers all have names
        logger.addHandler(counter)
