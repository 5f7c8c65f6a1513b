"""Structured logs (issue #20 item 3): one JSON line per event, a request id carried from the web
request into the jobs it queues, and security events as a stream of their own for a SIEM.

- Application log: every logger (DEL's, huey's), as JSON lines on stderr (`LOG_FORMAT =
  "json"`, or `"text"` for reading by eye); every line has `request_id`.
- Request id: taken from a sane `X-Request-ID` header (a proxy's) or made up, sent back in the
  response's `X-Request-ID`, and passed to every job the request queues (`jobs.enqueue`).
- Security events: `security_event(kind, **fields)` writes to the `del_tool.security` logger,
  which also goes to `SECURITY_LOG_FILE` (a JSON line per event) and/or `SECURITY_SYSLOG`
  (`/dev/log`, or `host:port` over UDP) when configured. Events carry ids, roles, counts and
  addresses, never a citizen's name or free text (`tests/security/test_logs.py` scans a test
  run's logs for the demo's names).
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
import uuid
from contextvars import ContextVar
from typing import Any

from flask import Flask, Response, g, request

REQUEST_ID: ContextVar[str | None] = ContextVar("del_request_id", default=None)
SECURITY_LOGGER = "del_tool.security"
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"
_INSTALLED = "_del_log_handler"


class RequestIdFilter(logging.Filter):
    """Give every record the request id of the request or job it was written in."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get() or "-"
        return True


def formatter(kind: str) -> logging.Formatter:
    """JSON lines (python-json-logger), or plain text."""
    if kind == "text":
        return logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(
        _FIELDS, rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}
    )


def init_app(app: Flask) -> None:
    """Install the handlers (once per process) and the request-id hooks."""
    app.before_request(_take_request_id)
    app.after_request(_send_request_id)
    app.teardown_request(_drop_request_id)
    root = logging.getLogger()  # every library's records too (huey's, the worker's), as JSON
    if not app.testing and not getattr(root, _INSTALLED, False):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(formatter(str(app.config.get("LOG_FORMAT", "json"))))
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
        root.setLevel(logging.WARNING)  # libraries' chatter (alembic's plugins) stays out
        for name in ("del_tool", "huey"):
            logging.getLogger(name).setLevel(logging.INFO)
        setattr(root, _INSTALLED, True)
    _security_handlers(app)


def _security_handlers(app: Flask) -> None:
    logger = logging.getLogger(SECURITY_LOGGER)
    logger.setLevel(logging.INFO)
    wanted: list[logging.Handler] = []
    path = app.config.get("SECURITY_LOG_FILE")
    if path:
        wanted.append(logging.handlers.WatchedFileHandler(str(path), encoding="utf-8"))
    syslog = app.config.get("SECURITY_SYSLOG")
    if syslog:
        host, _, port = str(syslog).partition(":")
        address: Any = str(syslog) if str(syslog).startswith("/") else (host, int(port or 514))
        wanted.append(logging.handlers.SysLogHandler(address=address))
    for handler in wanted:
        handler.setFormatter(formatter("json"))
        handler.addFilter(RequestIdFilter())
        name = f"del:{type(handler).__name__}:{path or syslog}"
        if not any(h.get_name() == name for h in logger.handlers):
            handler.set_name(name)
            logger.addHandler(handler)


def _take_request_id() -> None:
    given = request.headers.get("X-Request-ID", "")
    rid = given if _SANE_ID.match(given) else uuid.uuid4().hex
    g.request_id = rid
    g.request_id_token = REQUEST_ID.set(rid)


def _send_request_id(response: Response) -> Response:
    rid = getattr(g, "request_id", None)
    if rid:
        response.headers["X-Request-ID"] = rid
    return response


def _drop_request_id(_exc: BaseException | None = None) -> None:
    """Forget the id when the request ends, so nothing logged later carries it."""
    token = g.pop("request_id_token", None)
    if token is not None:
        try:
            REQUEST_ID.reset(token)
        except ValueError:  # set in another context (a copied one): leave it
            REQUEST_ID.set(None)


def security_event(kind: str, /, **fields: Any) -> None:
    """One security event (login, lockout, role change, export, erasure, audit verification):
    ids, roles, counts and addresses only."""
    logging.getLogger(SECURITY_LOGGER).info(kind, extra={"event": kind, **fields})
