"""A small per-process cache of built reports, keyed by what they cover and the data's version.

A report takes seconds to build (the mixed models most of all) and is read many times, so the
report pages keep the last `REPORT_CACHE_SIZE` built reports (and their drawn charts or files)
per worker. The key holds everything a report depends on: kind, scope, period, filters, the
viewer's scope, language, today's date and k. Beside it the cache keeps the data's version,
which changes whenever a row a report reads is added, and (through the change history every
service writes) when one changes. A report built from an older version is served for at most
`REPORT_CACHE_MAX_AGE` seconds after it was built (its header says when); then the next
request rebuilds it. An anonymisation ends that grace at once: no report may show a name that
has been removed. With staff saving follow-ups all day, the version changes every few
seconds, and without that grace a busy region would rebuild every report on every request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from time import monotonic
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import func, select
from sqlmodel import Session, col

from del_tool.audit.models import AuditEvent
from del_tool.citizens.models import Citizen, Stay
from del_tool.followups.models import Assessment, FollowUp, GoalReview
from del_tool.goals.models import Goal
from del_tool.organisation.models import Tariff, Unit

T = TypeVar("T")
EXTENSION_KEY = "del_report_cache"
DEFAULT_SIZE = 32
DEFAULT_MAX_AGE = 60.0
_VERSIONED = (AuditEvent, Stay, FollowUp, GoalReview, Goal, Assessment, Tariff, Unit)


class ReportCache:
    """A thread-safe least-recently-used mapping of limited size, with a version per entry."""

    def __init__(self, size: int, max_age: float = 0.0, clock: Callable[[], float] = monotonic):
        self.size = size
        self.max_age = max_age
        self._clock = clock
        self._items: OrderedDict[Hashable, tuple[Hashable, Hashable, float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_build(
        self, key: Hashable, version: Hashable, build: Callable[[], T], barrier: Hashable = None
    ) -> T:
        """The value cached for `key` if built from `version`, or from an older version at most
        `max_age` seconds ago with the same `barrier` (a change no served report may lag
        behind, such as an anonymisation); otherwise `build()`, stored with both and the time."""
        if self.size <= 0:
            return build()
        now = self._clock()
        with self._lock:
            cached = self._items.get(key)
            if cached is not None and (
                cached[0] == version or (cached[1] == barrier and now - cached[2] < self.max_age)
            ):
                self._items.move_to_end(key)
                value: T = cached[3]
                return value
        value = build()
        with self._lock:
            self._items[key] = (version, barrier, now, value)
            self._items.move_to_end(key)
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
        max_age = float(current_app.config.get("REPORT_CACHE_MAX_AGE", DEFAULT_MAX_AGE))
        cache = current_app.extensions.setdefault(EXTENSION_KEY, ReportCache(size, max_age))
    if not isinstance(cache, ReportCache):
        raise RuntimeError("the report cache is not a ReportCache")
    return cache


def versions(session: Session) -> tuple[tuple[int, ...], int]:
    """(data version, privacy version) in one round trip.

    The data version is the newest id of every table reports read (one indexed lookup each);
    the privacy version counts anonymised citizens: no served report may lag behind it.
    """
    columns = [select(func.max(model.id)).scalar_subquery() for model in _VERSIONED]
    columns.append(select(func.count(col(Citizen.anonymised_at))).scalar_subquery())
    *newest, anonymised = session.execute(select(*columns)).one()
    return tuple(int(value or 0) for value in newest), int(anonymised or 0)


def data_version(session: Session) -> tuple[int, ...]:
    """The newest id of every table reports read."""
    return versions(session)[0]
