"""The inputs every report builder shares: scope, period, filters, viewer, registry, k."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict, Unpack

from flask import current_app, has_app_context
from sqlmodel import Session

from del_tool.auth.scope import Scope
from del_tool.modelbase import LOCAL_TIMEZONE, local_today
from del_tool.questionnaires import EXTENSION_KEY, Registry
from del_tool.reports.common import queries
from del_tool.reports.common.labels import Text, section_label, target_group_label
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.period import Period
from del_tool.reports.common.selection import (
    NO_FILTERS,
    Filters,
    ReportScope,
    ensure_report_access,
    municipality_name,
)

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_K = 5
DEFAULT_MIN_N = 10
DEFAULT_PUBLICATION_DAYS = 14
#: A report's mixed models are fitted on all stays by DEL's own REML fit. Only when that does not
#: converge are statsmodels' optimizers (which loop over stays in Python) tried, on a
#: reproducible random sample of at most this many stays, and the report says so.
#: `REPORT_TRAJECTORY_FALLBACK_MAX_STAYS` overrides it.
FALLBACK_TRAJECTORY_STAYS = 100


@dataclass
class ReportContext:
    """What one report covers and for whom; frames read once are cached here."""

    session: Session
    scope: ReportScope
    period: Period
    filters: Filters
    viewer: Scope | None
    registry: Registry
    today: date
    k: int
    generated_at: datetime
    trajectory_fallback_max: int = FALLBACK_TRAJECTORY_STAYS
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def sel(self) -> queries.StaySelection:
        """The stays of the scope and filters that overlap the period."""
        return queries.StaySelection(
            self.scope.unit_ids, self.period.start, self.period.end, self.filters
        )

    @property
    def reference_date(self) -> date:
        """The day "now" means for the period: its end, or today while it is running."""
        return min(self.period.end, self.today)

    @property
    def sees_names(self) -> bool:
        """Whether the viewer may see citizens' names (staff and leaders)."""
        return self.viewer is not None and self.viewer.sees_names and not self.viewer.all_units

    def stays(self) -> pd.DataFrame:
        """The selected stays (read once)."""
        if "stays" not in self._cache:
            self._cache["stays"] = queries.stays(self.session, self.sel)
        return self._cache["stays"]

    def units(self) -> pd.DataFrame:
        """The scope's units with names and centres (read once)."""
        if "units" not in self._cache:
            self._cache["units"] = queries.units(self.session, self.scope.unit_ids)
        return self._cache["units"]

    def filter_labels(self) -> list[Any]:
        """The active filters as texts for the report header."""
        out: list[Any] = []
        if self.filters.legal_section is not None:
            out.append(section_label(self.filters.legal_section.value))
        if self.filters.target_group is not None:
            out.append(target_group_label(self.filters.target_group.value))
        if self.filters.municipality_code is not None:
            name = municipality_name(self.filters.municipality_code, session=self.session)
            out.append(_l("Betalt af %(name)s Kommune", name=name))
        return out


def default_registry() -> Registry:
    """The running app's questionnaire registry."""
    registry = current_app.extensions[EXTENSION_KEY]
    if not isinstance(registry, Registry):
        raise RuntimeError("no questionnaire registry loaded")
    return registry


def trajectory_fallback_max() -> int:
    """REPORT_TRAJECTORY_FALLBACK_MAX_STAYS from the app's config (the default outside an app)."""
    if has_app_context():
        configured = current_app.config.get(
            "REPORT_TRAJECTORY_FALLBACK_MAX_STAYS", FALLBACK_TRAJECTORY_STAYS
        )
        return int(configured)
    return FALLBACK_TRAJECTORY_STAYS


def suppression_k() -> int:
    """SUPPRESSION_K from the app's config (5 outside an app)."""
    if has_app_context():
        return int(current_app.config.get("SUPPRESSION_K", DEFAULT_K))
    return DEFAULT_K


def reliable_change_method() -> str:
    """RELIABLE_CHANGE_METHOD from the app's config ("JT" outside an app)."""
    if has_app_context():
        return str(current_app.config.get("RELIABLE_CHANGE_METHOD", "JT"))
    return "JT"


def statistic_min_n() -> int:
    """Citizens a council's mean or share needs: COUNCIL_MIN_N_STATISTICS, at least k."""
    configured = DEFAULT_MIN_N
    if has_app_context():
        configured = int(current_app.config.get("COUNCIL_MIN_N_STATISTICS", DEFAULT_MIN_N))
    return max(configured, suppression_k())


def _publication_delay() -> timedelta:
    days = DEFAULT_PUBLICATION_DAYS
    if has_app_context():
        days = int(current_app.config.get("COUNCIL_PUBLICATION_DAYS", days))
    return timedelta(days=days)


def publication_day(period: Period) -> date:
    """The day a period's council outputs are published (COUNCIL_PUBLICATION_DAYS after it)."""
    return period.end + _publication_delay()


def latest_published_quarter(today: date) -> Period:
    """The newest quarter whose council outputs are published by `today`."""
    from del_tool.reports.common.period import latest_complete_quarter

    return latest_complete_quarter(today - _publication_delay())


class ReportRequest(TypedDict):
    """What a caller asks a report builder for (the keyword arguments of `build_*_report`)."""

    session: Session
    scope: ReportScope
    period: Period
    filters: NotRequired[Filters | None]
    viewer: NotRequired[Scope | None]
    registry: NotRequired[Registry | None]
    today: NotRequired[date | None]


def checked_context(**request: Unpack[ReportRequest]) -> ReportContext:
    """The context of a report request; AccessDeniedError outside the viewer's scope."""
    return make_context(**request)


def make_context(
    *,
    session: Session,
    scope: ReportScope,
    period: Period,
    filters: Filters | None = None,
    viewer: Scope | None = None,
    registry: Registry | None = None,
    today: date | None = None,
    check_access: bool = True,
) -> ReportContext:
    """Check the viewer's access to the scope and gather the report's inputs."""
    if check_access:
        ensure_report_access(viewer, scope)
    return ReportContext(
        session=session,
        scope=scope,
        period=period,
        filters=filters or NO_FILTERS,
        viewer=viewer,
        registry=registry or default_registry(),
        today=today or local_today(),
        k=suppression_k(),
        generated_at=datetime.now(LOCAL_TIMEZONE),
        trajectory_fallback_max=trajectory_fallback_max(),
    )


def scope_text(ctx: ReportContext) -> Text:
    """ "Unit X", "Centre Y" or "Region Z" for the header."""
    name = ctx.scope.name
    if ctx.scope.level == "unit":
        return _l("Tilbud: %(name)s", name=name)
    if ctx.scope.level == "centre":
        return _l("Center: %(name)s", name=name)
    return _l("Hele regionen: %(name)s", name=name)
