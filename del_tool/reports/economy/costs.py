"""What the municipalities paid: tariff x days at the stay's tariff level, special services on
top, and year-end settlements for the calendar years a period covers wholly.

`compute_costs` is the pure part (frames in, `Costs` out); `load_costs` reads what a report
context needs and calls it. A settlement is per unit, municipality and calendar year, so it is
added only when the period covers that whole year (`del_tool.stats.charges`), and only where
the stays are not narrowed by legal section or target group (a settlement is not split by
either).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pandas as pd

from del_tool.reports.common import queries
from del_tool.reports.common.context import ReportContext
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.period import Period
from del_tool.reports.common.selection import NO_FILTERS
from del_tool.reports.economy import queries as economy_queries
from del_tool.stats import StayCosts, cost_summary, service_costs, settlements_in_period
from del_tool.stats import stay_costs as tariff_costs

#: Groupings a settlement (unit x municipality x year) can be added to.
SETTLEMENT_KEYS = frozenset({"unit_id", "municipality", "all"})
#: Calendar years a trend shows at least (ending with the year of the period's end).
TREND_YEARS = 3


def _no_settlements() -> pd.DataFrame:
    return pd.DataFrame(columns=["unit", "municipality", "year", "amount"])


@dataclass(frozen=True, slots=True)
class Costs:
    """Stay costs in a period (tariff and special services per stay), the stay columns to group
    them by, and the settlements added (and those left out: years the period covers in part).

    `settlements_apply` is False when the stays are narrowed so that settlements cannot be
    attributed (a legal-section or target-group filter); none are added then.
    """

    costs: StayCosts
    stays: pd.DataFrame
    services: pd.Series
    settlements: pd.DataFrame = field(default_factory=_no_settlements)
    settlements_left_out: pd.DataFrame = field(default_factory=_no_settlements)
    settlements_apply: bool = True

    @property
    def services_cost(self) -> float:
        """Special services in the period (DKK)."""
        return float(self.services[self.costs.per_stay["days"] > 0].sum())

    @property
    def settlement_total(self) -> float:
        """Settlements added to the period (DKK; negative = money back)."""
        return float(self.settlements["amount"].sum()) if len(self.settlements) else 0.0

    @property
    def total_cost(self) -> float:
        """Tariff x priced days + special services + settlements."""
        return self.costs.total_cost + self.services_cost + self.settlement_total

    def per_stay_cost(self) -> pd.Series:
        """Tariff (priced days) + services per stay, for stays with days in the period."""
        frame = self.costs.per_stay
        return frame["priced_cost"].fillna(0.0) + self.services.reindex(frame.index).fillna(0.0)

    def summary(self, by: str | list[str]) -> pd.DataFrame:
        """Cost (tariff + services + settlements where `by` allows), tariff cost, services,
        settlements, days, citizens, citizen-years and cost per citizen-year by `by`."""
        out = cost_summary(self.costs, self.stays, by, extra=self.services)
        keys = [by] if isinstance(by, str) else list(by)
        out["settlements"] = 0.0
        if not set(keys) <= SETTLEMENT_KEYS or self.settlements.empty:
            return out
        frame = self.settlements.rename(columns={"unit": "unit_id"}).assign(all="all")
        added = frame.groupby(keys)["amount"].sum()
        if len(keys) == 1:
            added.index = added.index.get_level_values(0)
        out = out.reindex(out.index.union(added.index))
        fill = {c: 0 for c in out.columns if c not in ("cost_per_citizen_year",)}
        out = out.fillna(fill)
        out["settlements"] = added.reindex(out.index, fill_value=0.0).astype(float)
        out["cost"] = out["tariff_cost"] + out["services"] + out["settlements"]
        years = out["citizen_years"].where(out["citizen_years"] > 0)
        out["cost_per_citizen_year"] = (out["cost"] / years).where(out["days_without_tariff"] == 0)
        return out


def compute_costs(
    stays: pd.DataFrame,
    tariffs: pd.DataFrame,
    period: Period,
    *,
    levels: pd.DataFrame | None = None,
    services: pd.DataFrame | None = None,
    settlements: pd.DataFrame | None = None,
) -> Costs:
    """Days in the period x the tariff of the stay's unit, legal section and level, plus the
    stays' special services and the settlements of the years the period covers wholly.

    `levels` (stay, level) gives each stay's tariff level ("" or missing = the offer's only
    tariff); a stay whose level has no tariff is unpriced (its days are counted as days
    without a tariff). Tariffs without a `level` column are the offers' only tariffs.
    """
    level_of = (
        levels.set_index("stay")["level"].fillna("").astype(str)
        if levels is not None and len(levels)
        else pd.Series(dtype=object)
    )
    stay_level = stays["stay"].map(level_of).fillna("") if "stay" in stays else ""
    keyed = pd.DataFrame(
        {
            "unit": stays["unit"].astype(str) + ":" + stays["section"] + ":" + stay_level,
            "start": stays["start"],
            "end": stays["end"],
            "unit_id": stays["unit"],
            "section": stays["section"],
            "municipality": stays["municipality"],
            "citizen": stays["citizen"],
            "all": "all",
        },
        index=stays.index,
    )
    tariff_level = tariffs["level"].fillna("").astype(str) if "level" in tariffs else ""
    rates = pd.DataFrame(
        {
            "unit": tariffs["unit"].astype(str) + ":" + tariffs["section"] + ":" + tariff_level,
            "valid_from": tariffs["valid_from"],
            "valid_to": tariffs["valid_to"],
            "daily_rate": tariffs["daily_rate"],
        }
    )
    costs = tariff_costs(keyed, rates, period_start=period.start, period_end=period.end)
    extra = pd.Series(0.0, index=stays.index)
    if services is not None and len(services) and "stay" in stays:
        row_of = pd.Series(stays.index, index=stays["stay"])
        services = services[services["stay"].isin(row_of.index)]
        services = services.assign(stay=services["stay"].map(row_of))
        priced = service_costs(services, keyed, period_start=period.start, period_end=period.end)
        extra = priced.per_stay
    if settlements is None:
        return Costs(costs, keyed, extra, settlements_apply=False)
    added, left_out = settlements_in_period(settlements, period.start, period.end)
    return Costs(costs, keyed, extra, added, left_out)


def load_costs(ctx: ReportContext) -> Costs:
    """The costs of the context's stays in its period, read from the database."""
    sel = ctx.sel
    attributable = ctx.filters.legal_section is None and ctx.filters.target_group is None
    settlements = None
    if attributable:
        settlements = economy_queries.settlements(
            ctx.session,
            ctx.scope.unit_ids,
            first_year=ctx.period.start.year,
            last_year=ctx.period.end.year,
            municipality_code=ctx.filters.municipality_code,
        )
    return compute_costs(
        ctx.stays(),
        queries.tariffs(ctx.session, ctx.scope.unit_ids),
        ctx.period,
        levels=economy_queries.stay_levels(ctx.session, sel),
        services=economy_queries.stay_services(ctx.session, sel),
        settlements=settlements,
    )


def trend_years(period: Period) -> list[Period]:
    """The calendar years of a trend: at least `TREND_YEARS` ending with the year of the
    period's end, and every earlier year the period touches; the last ends with the period."""
    first = min(period.start.year, period.end.year - TREND_YEARS + 1)
    out = []
    for year in range(first, period.end.year + 1):
        end = min(date(year, 12, 31), period.end)
        whole = end == date(year, 12, 31)
        key = str(year) if whole else f"{year}-01-01..{end.isoformat()}"
        out.append(Period(date(year, 1, 1), end, "year" if whole else "custom", key))
    return out


def year_label(period: Period) -> Any:
    """ "2025", or "2026 (til og med 30.09.)" for a year cut short by the report period."""
    if period.kind == "year":
        return str(period.start.year)
    return _l(
        "%(year)s (til og med %(day)s)",
        year=period.start.year,
        day=period.end.strftime("%d.%m."),
    )


def year_context(ctx: ReportContext, year: Period, *, whole_units: bool = False) -> ReportContext:
    """The context for one year of a trend (with `whole_units`, without the stay filters:
    revenue and occupancy are about the whole unit, whoever pays)."""
    changes: dict[str, Any] = {"period": year, "_cache": {}}
    if whole_units:
        changes["filters"] = NO_FILTERS
    return replace(ctx, **changes)
