"""A small per-process cache of built reports, keyed by what they cover and the data's version.

A report takes seconds to build (the mixed models most of all) and is read many times, so the
report pages keep the last `REPORT_CACHE_SIZE` built reports (and their drawn charts or files)
per worker. The key holds everything a report depends on: kind, scope, period, filters, the
viewer's scope, language, today's date, k, and the data's version, which changes whenever a row
a report reads is added, and (through the change history every service writes) when one changes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import func, select
from sqlmodel import Session

from del_tool.audit.models import AuditEvent
from del_tool.citizens.models import Stay
from del_tool.followups.models import Assessment, FollowUp, GoalReview
from del_tool.goals.models import Goal
from del_tool.organisation.models import Tariff, Unit

T = TypeVar("T")
EXTENSION_KEY = "del_report_cache"
DEFAULT_SIZE = 32
_VERSIONED = (AuditEvent, Stay, FollowUp, GoalReview, Goal, Assessment, Tariff, Unit)


class ReportCache:
    """A thread-safe least-recently-used mapping of limited size."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_build(self, key: Hashable, build: Callable[[], T]) -> T:
        """The cached value for `key`, or `build()` stored under it."""
        if self.size <= 0:
            return build()
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                value: T = self._items[key]
                return value
        value = build()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()


def report_cache() -> ReportCache:
    """The app's cache (created on first use with `REPORT_CACHE_SIZE` entries)."""
    cache = current_app.extensions.get(EXTENSION_KEY)
    if cache is None:
        size = int(current_app.config.get("REPORT_CACHE_SIZE", DEFAULT_SIZE))
        cache = current_app.extensions.setdefault(EXTENSION_KEY, ReportCache(size))
    if not isinstance(cache, ReportCache):
        raise RuntimeError("the report cache is not a ReportCache")
    return cache


def data_version(session: Session) -> tuple[int, ...]:
    """The newest id of every table reports read (one indexed lookup each)."""
    columns = [select(func.max(model.id)).scalar_subquery() for model in _VERSIONED]
    row = session.execute(select(*columns)).one()
    return tuple(int(value or 0) for value in row)
