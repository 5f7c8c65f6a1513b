"""Lazily translated report texts, safe to fill with data such as unit names.

Builders run without a request (commands, the benchmark), so every text they produce is lazy and
translated when rendered. `flask_babel.lazy_gettext` strings are treated as safe HTML by Jinja
(they define ``__html__``), which would let a unit name typed by an administrator through
unescaped; `Text` is escaped like any other value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app, has_request_context
from flask_babel import force_locale, get_locale, gettext

from del_tool.goals.models import GoalDirection, Theme
from del_tool.i18n import format_number
from del_tool.organisation.models import LegalSection, TargetGroup
from del_tool.reports.common.period import Period


class Text:
    """A text computed when shown (in the reader's language); escaped in templates."""

    __slots__ = ("_func",)

    def __init__(self, func: Callable[[], str]) -> None:
        self._func = func

    def __str__(self) -> str:
        """The text in the current language."""
        return self._func()

    def __repr__(self) -> str:
        """For debugging."""
        return f"Text({self._func!r})"


def lazy(message: str, **values: Any) -> Text:
    """`gettext(message) % values`, evaluated when shown (imported as `_l` for extraction)."""
    return Text(lambda: gettext(message, **values))


def language() -> str:
    """The language texts are shown in ("da" outside a request)."""
    locale = get_locale()
    return locale.language if locale is not None else "da"


def localized(texts: Any) -> Text:
    """A questionnaire text object with `.get(lang)` or `(lang)` as a lazy Text."""
    if callable(texts):
        return Text(lambda: str(texts(language())))
    return Text(lambda: str(texts.get(language())))


def number(value: float | None, decimals: int = 0) -> str:
    """A number in the reader's language (1.234,5 in Danish); a dash when missing."""
    return format_number(value, decimals)


def fmt(value: float | None, decimals: int = 0) -> Text:
    """A number formatted lazily in the reader's language (for use inside messages)."""
    return Text(lambda: number(value, decimals))


def theme_label(value: str) -> Any:
    """The label of a theme value."""
    return Theme(value).label


def direction_label(value: str) -> Any:
    """The label of a goal direction value."""
    return GoalDirection(value).label


def section_label(value: str) -> Any:
    """The label of a legal section value."""
    return LegalSection(value).label


def target_group_label(value: str) -> Any:
    """The label of a target group value."""
    return TargetGroup(value).label


def period_label(period: Period) -> Text:
    """A reader's name for the period: "3. kvartal 2026", "1. halvår 2026", "2026", a range."""
    _l = lazy
    year, rest = period.key[:4], period.key[4:]
    if period.kind == "quarter":
        return _l("%(q)s. kvartal %(year)s", q=rest[1:], year=year)
    if period.kind == "half":
        return _l("%(h)s. halvår %(year)s", h=rest[1:], year=year)
    if period.kind == "year":
        return Text(lambda: year)
    return Text(lambda: period_dates(period))


def period_dates(period: Period) -> str:
    """The period's first and last day: "01.10.2025–30.09.2026"."""
    return f"{period.start.strftime('%d.%m.%Y')}–{period.end.strftime('%d.%m.%Y')}"


def period_heading(period: Period) -> Text:
    """The period once, for a report's header: "3. kvartal 2026 (01.07.2026–30.09.2026)";
    a custom range is its dates alone, not "01.10.2025–30.09.2026 (01.10.2025–30.09.2026)"."""
    if period.kind == "custom":
        return period_label(period)
    name = period_label(period)
    return Text(lambda: f"{name} ({period_dates(period)})")


@contextmanager
def rendering_context(locale: str | None = None) -> Iterator[None]:
    """A request context (if none is active) in `locale` (default: the current or app's)."""
    if has_request_context():
        if locale is None:
            yield
            return
        with force_locale(locale):
            yield
        return
    chosen = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with current_app.test_request_context(), force_locale(chosen):
        yield
