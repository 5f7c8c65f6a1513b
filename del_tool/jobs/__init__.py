"""Background jobs on huey: report builds, file renders, council packs, chart drawing.

The request path does no heavy work (DESIGN §8): a page asks for a job and shows what is built.
Jobs are plain functions registered with `@job(...)` in the feature that owns them; `init_app`
binds them to the app's huey instance, whose store follows `JOBS_URL`:

- ``sqlite:///path`` (default: ``instance/jobs.sqlite3``): huey's SQLite storage, for one box.
  Never the application's database file: the queue has its own.
- ``redis://host:port/db``: Redis, for several web and worker machines.
- ``memory://``: jobs run at once in the process that enqueues them (tests; no worker needed).

Messages are JSON, never pickles, so whoever can write to the queue's store cannot make a worker
run code. Jobs carry ids and small requests, never data; they are idempotent, retried a limited
number of times, and what a job finally fails with is recorded by the job itself (see
`reports.builds`), so the page that waits for it shows a message instead of waiting for ever.
`del-tool worker` (`jobs.worker`) runs the consumer.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_request_context
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.registry import Message
from huey.serializer import Serializer

log = logging.getLogger(__name__)
#: The keyword a queued job carries the queuing request's id in (`del_tool.logs`).
REQUEST_ID_ARGUMENT = "_request_id"

EXTENSION_KEY = "del_jobs"
#: The modules whose `@job` functions the app registers (imported by `init_app`).
JOB_MODULES = (
    "del_tool.reports.tasks",
    "del_tool.citizens.chart_jobs",
    "del_tool.security.backup_schedule",
    "del_tool.imports.tasks",
    "del_tool.reminders.tasks",
)


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A job function and how huey retries it."""

    func: Callable[..., Any]
    retries: int
    retry_delay: int
    priority: int = 0
    periodic: Any = None
    schedule: Callable[[Flask], Any] | None = None


_SPECS: dict[str, JobSpec] = {}


def job(
    *,
    retries: int = 2,
    retry_delay: int = 5,
    priority: int = 0,
    periodic: Any = None,
    schedule: Callable[[Flask], Any] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a job function under its name; it runs in an app context with keyword args.

    Jobs of higher `priority` run first (what a reader waits for before background sweeps);
    `periodic` (a huey ``crontab``) makes it run on that schedule in the worker instead;
    `schedule(app)` gives such a test from the app's configuration, or None to leave the job
    out of that deployment (a backup schedule that is not configured).
    """

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        _SPECS[func.__name__] = JobSpec(func, retries, retry_delay, priority, periodic, schedule)
        return func

    return register


class JsonSerializer(Serializer):
    """huey's messages as JSON: a message's arguments must be JSON values."""

    def _serialize(self, data: Any) -> bytes:
        return json.dumps(_encode(data), separators=(",", ":")).encode("utf-8")

    def _deserialize(self, data: bytes) -> Any:
        return _decode(json.loads(data))


def _encode(value: Any) -> Any:
    if isinstance(value, Message):
        fields = value._asdict()
        if fields["on_complete"] or fields["on_error"] or fields["chord_config"]:
            raise TypeError("DEL's jobs use no pipelines or chords")
        return {"__message__": {k: _encode(v) for k, v in fields.items()}}
    if isinstance(value, datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"a job argument must be a JSON value, not {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "__message__" in value:
            fields = {k: _decode(v) for k, v in value["__message__"].items()}
            fields["args"] = tuple(fields["args"] or ())
            return Message(**fields)
        if "__datetime__" in value:
            return datetime.fromisoformat(value["__datetime__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def make_huey(url: str, *, instance_path: str) -> Huey:
    """The huey instance for `JOBS_URL` (see the module docstring)."""
    options: dict[str, Any] = {"results": False, "serializer": JsonSerializer(), "utc": True}
    if url == "memory://":
        return MemoryHuey("del", immediate=True, **options)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("del", url=url, **options)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_absolute():
            path = Path(instance_path) / path
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey("del", filename=str(path), **options)
    raise ValueError(f"JOBS_URL must be sqlite:///, redis:// or memory://, not {url!r}")


class Jobs:
    """The app's queue: huey and the tasks bound to it."""

    def __init__(self, app: Flask, huey: Huey) -> None:
        self.huey = huey
        self.tasks: dict[str, Any] = {}
        for name, spec in _SPECS.items():
            func = _in_app_context(app, spec.func)
            periodic = spec.schedule(app) if spec.schedule is not None else spec.periodic
            if spec.schedule is not None and periodic is None:
                continue  # not scheduled in this deployment
            if periodic is not None:
                self.tasks[name] = huey.periodic_task(periodic, name=name)(func)
            else:
                delay = 0 if huey.immediate else spec.retry_delay  # run retries at once too
                self.tasks[name] = huey.task(
                    retries=spec.retries,
                    retry_delay=delay,
                    priority=spec.priority,
                    name=name,
                    context=True,
                )(func)

    @property
    def immediate(self) -> bool:
        """Whether jobs run at once in the caller's process (no worker)."""
        return bool(self.huey.immediate)

    def enqueue(self, name: str, *, priority: int | None = None, **kwargs: Any) -> None:
        """Queue job `name` with JSON keyword arguments (run at once in immediate mode);
        `priority` overrides the job's own."""
        from del_tool.logs import REQUEST_ID

        rid = REQUEST_ID.get()
        if rid is not None:
            kwargs = {**kwargs, REQUEST_ID_ARGUMENT: rid}
        if priority is None:
            self.tasks[name](**kwargs)
        else:
            self.tasks[name](priority=priority, **kwargs)


def _in_app_context(app: Flask, func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(func)
    def run(*args: Any, task: Any = None, **kwargs: Any) -> Any:
        from del_tool.logs import REQUEST_ID
        from del_tool.metrics import record_job

        final = task is None or not task.retries
        token = REQUEST_ID.set(kwargs.pop(REQUEST_ID_ARGUMENT, None) or REQUEST_ID.get())
        started, ok = time.perf_counter(), False
        try:
            with app.app_context(), _apart_from_the_caller(app):
                result = func(*args, final_attempt=final, **kwargs)
            ok = True
            return result
        finally:
            REQUEST_ID.reset(token)
            record_job(func.__name__, time.perf_counter() - started, ok=ok, app=app)

    return run


def _apart_from_the_caller(app: Flask) -> Any:
    """In immediate mode a job runs inside the request that queued it; give it a request of
    its own, as a worker would have none, so it never shares (or waits for) the caller's
    session and transaction."""
    if has_request_context():
        return app.test_request_context()
    return nullcontext()


def init_app(app: Flask) -> None:
    """Create the app's huey from `JOBS_URL` and bind every registered job to it."""
    from importlib import import_module

    for module in JOB_MODULES:
        import_module(module)
    url = app.config.get("JOBS_URL") or "sqlite:///jobs.sqlite3"
    app.extensions[EXTENSION_KEY] = Jobs(app, make_huey(url, instance_path=app.instance_path))


def get_jobs(app: Flask | None = None) -> Jobs:
    """The queue of `app` (default: the current app)."""
    jobs: Jobs = (app or current_app).extensions[EXTENSION_KEY]
    return jobs
