"""The demo region's economy and demand: places over time, the price and wage index, tariff
growth, tariff levels, special services, year-end settlements and referrals.

Everything here draws from generators of its own (seeded from the demo's seed), written after
the citizens, so the citizens' courses are the same with or without it. Places are set from the
simulated stays (the demo's citizen count is a parameter, the YAML's places are only weights),
so that occupancy lands where real offers have it, 85 to 98 per cent.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from del_tool.citizens.models import Stay, StayService
from del_tool.demo.simulate import DemoUnit
from del_tool.organisation.models import (
    LegalSection,
    PriceIndex,
    Referral,
    ReferralOutcome,
    Settlement,
    Tariff,
    UnitPlaces,
)

#: The demo's price and wage index (pris- og lønfremskrivning, per cent) by year: plausible
#: values for the demo, not the published index; a deployment enters the real one.
DEMO_PRICE_INDEX: dict[int, float] = {
    2019: 1.6,
    2020: 1.5,
    2021: 1.8,
    2022: 3.6,
    2023: 4.4,
    2024: 2.9,
    2025: 2.4,
    2026: 2.3,
    2027: 2.1,
}
DEFAULT_INDEX = 2.0
#: The occupancy (per cent) tariffs are calculated on: residential and other offers.
RESIDENTIAL_BASIS, OTHER_BASIS = Decimal("95.00"), Decimal("90.00")
SERVICES = (
    "Ekstra personaledækning (1:1)",
    "Ledsagelse til behandling",
    "Fast nattevagt",
    "Særlig kommunikationsstøtte",
)
#: Median days from referral to admission by legal section.
WAIT_MEDIAN = {
    LegalSection.S107: 45,
    LegalSection.S108: 75,
    LegalSection.S104: 21,
    LegalSection.S103: 21,
    LegalSection.S85: 14,
}


def index_percent(year: int) -> float:
    """The demo index for `year`."""
    return DEMO_PRICE_INDEX.get(year, DEFAULT_INDEX)


def tariff_growth(unit_id: int, *, first_year: int, last_year: int) -> dict[int, float]:
    """The unit's tariff in each year relative to `first_year`: the index plus the unit's own
    deviation; about one unit in four rises more than the index in some year."""
    rng = random.Random(f"tariff-growth-{unit_id}")
    steep = rng.random() < 0.25
    factor, growth = 1.0, {first_year: 1.0}
    for year in range(first_year + 1, last_year + 1):
        deviation = rng.gauss(-0.3, 0.3)
        if steep and rng.random() < 0.5:
            deviation = rng.uniform(0.6, 2.5)
        factor *= 1 + (index_percent(year) + deviation) / 100
        growth[year] = factor
    return growth


def occupancy_basis(section: LegalSection) -> Decimal:
    """The occupancy a demo tariff is calculated on."""
    residential = section in (LegalSection.S107, LegalSection.S108)
    return RESIDENTIAL_BASIS if residential else OTHER_BASIS


def stay_level(levels: Sequence[tuple[str, float]], citizen_id: int, start: date) -> str | None:
    """The tariff level a demo stay is charged at (None for a unit with one tariff)."""
    if not levels:
        return None
    rng = random.Random(f"level-{citizen_id}-{start.isoformat()}")
    weights = [0.3, 0.5, 0.2, 0.1][: len(levels)]
    return rng.choices([name for name, _ in levels], weights=weights)[0]


def write_economy(
    session: Session,
    units: Sequence[DemoUnit],
    *,
    seed: int,
    window_start: date,
    first_year: int,
    today: date,
) -> None:
    """Places, the index, special services, settlements and referrals for the demo stays."""
    rng = random.Random(seed + 2)
    stays = _stays(session, {u.id for u in units})
    by_id = {u.id: u for u in units}
    bulk = session.connection()
    index_rows = [
        {"year": y, "percent": Decimal(f"{index_percent(y):.2f}"), "note": "Demo", "version": 1}
        for y in range(first_year, today.year + 1)
        if session.get(PriceIndex, y) is None
    ]
    if index_rows:
        bulk.execute(insert(PriceIndex.__table__), index_rows)  # type: ignore[attr-defined]
    place_rows = _places(rng, units, stays, first_year=first_year, today=today)
    bulk.execute(insert(UnitPlaces.__table__), place_rows)  # type: ignore[attr-defined]
    services = _services(rng, stays, today)
    if services:
        bulk.execute(insert(StayService.__table__), services)  # type: ignore[attr-defined]
    settlements = _settlements(rng, session, stays, window_start=window_start, today=today)
    if settlements:
        bulk.execute(insert(Settlement.__table__), settlements)  # type: ignore[attr-defined]
    referrals = _referrals(rng, by_id, stays, window_start=window_start, today=today)
    if referrals:
        bulk.execute(insert(Referral.__table__), referrals)  # type: ignore[attr-defined]
    session.flush()


def economy_counts(session: Session) -> dict[str, int]:
    """Rows per table of this module (the demo command prints them)."""
    tables = (UnitPlaces, PriceIndex, StayService, Settlement, Referral)
    return {
        model.__tablename__: int(
            session.execute(select(func.count()).select_from(model)).scalar_one()
        )
        for model in tables
    }


def _stays(session: Session, unit_ids: set[int]) -> list[dict[str, Any]]:
    rows = session.execute(
        select_columns(
            col(Stay.id),
            col(Stay.unit_id),
            col(Stay.municipality_code),
            col(Stay.legal_section),
            col(Stay.start_date),
            col(Stay.end_date),
            col(Stay.tariff_level),
        )
        .where(col(Stay.unit_id).in_(unit_ids))
        .order_by(col(Stay.id))
    ).all()
    keys = ("id", "unit_id", "municipality", "section", "start", "end", "level")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _overlap(stay: dict[str, Any], start: date, end: date) -> int:
    """Days of `stay` within start..end, both counted."""
    first = max(stay["start"], start)
    last = min(stay["end"] or end, end)
    return max(0, (last - first).days + 1)


def _places(
    rng: random.Random,
    units: Sequence[DemoUnit],
    stays: list[dict[str, Any]],
    *,
    first_year: int,
    today: date,
) -> list[dict[str, Any]]:
    """Places per unit from its stays over the last year (85-98 per cent occupied); a third of
    the units changed their number of places once in the past two years."""
    year_ago = today - timedelta(days=364)
    occupied: dict[int, int] = defaultdict(int)
    for stay in stays:
        occupied[stay["unit_id"]] += _overlap(stay, year_ago, today)
    rows = []
    for unit in units:
        average = occupied[unit.id] / 365
        places = max(2, math.ceil(average / rng.uniform(0.86, 0.98)))
        start = date(first_year, 1, 1)
        if rng.random() < 1 / 3:
            changed = today - timedelta(days=rng.randint(120, 700))
            before = max(1, places + rng.choice((-3, -2, -1, 1, 2)))
            rows.append({"unit_id": unit.id, "valid_from": start, "places": before})
            rows.append({"unit_id": unit.id, "valid_from": changed, "places": places})
        else:
            rows.append({"unit_id": unit.id, "valid_from": start, "places": places})
    return rows


def _services(rng: random.Random, stays: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """A special service for about one long stay in fourteen, for part of the stay."""
    rows = []
    for stay in stays:
        end = stay["end"] or today
        length = (end - stay["start"]).days
        if length < 90 or rng.random() > 0.07:
            continue
        start = stay["start"] + timedelta(days=rng.randint(0, length // 2))
        stop = min(end, start + timedelta(days=rng.randint(30, 240)))
        rows.append(
            {
                "stay_id": stay["id"],
                "description": rng.choice(SERVICES),
                "daily_amount": Decimal(rng.randrange(400, 2250, 50)),
                "valid_from": start,
                "valid_to": None if stop == end and stay["end"] is None else stop,
                "version": 1,
            }
        )
    return rows


def _settlements(
    rng: random.Random,
    session: Session,
    stays: list[dict[str, Any]],
    *,
    window_start: date,
    today: date,
) -> list[dict[str, Any]]:
    """Year-end settlements for complete years: what was charged corrected by -3.5 to +2 per
    cent for about half of each year's unit x municipality pairs."""
    tariffs: dict[tuple[int, str, str, int], float] = {}
    for tariff in session.exec(select(Tariff)).all():
        key = (tariff.unit_id, tariff.legal_section.value, tariff.level, tariff.valid_from.year)
        tariffs[key] = float(tariff.daily_amount)
    charged: dict[tuple[int, str, int], float] = defaultdict(float)
    for year in range(window_start.year, today.year):
        start, end = date(year, 1, 1), date(year, 12, 31)
        for stay in stays:
            days = _overlap(stay, start, end)
            rate = tariffs.get((stay["unit_id"], str(stay["section"]), stay["level"] or "", year))
            if days and rate:
                charged[(stay["unit_id"], stay["municipality"], year)] += days * rate
    rows = []
    for (unit_id, municipality, year), amount in sorted(charged.items()):
        if rng.random() < 0.5:
            continue
        correction = round(amount * rng.uniform(-0.035, 0.02), -2)
        if abs(correction) >= 1000:
            rows.append(
                {
                    "unit_id": unit_id,
                    "municipality_code": municipality,
                    "year": year,
                    "amount": Decimal(f"{correction:.2f}"),
                    "note": "Efterregulering (demo)",
                    "version": 1,
                }
            )
    return rows


def _referrals(
    rng: random.Random,
    units: dict[int, DemoUnit],
    stays: list[dict[str, Any]],
    *,
    window_start: date,
    today: date,
) -> list[dict[str, Any]]:
    """A referral before each stay that began in the window (admitted, with its waiting time),
    declined and withdrawn referrals beside them, and a waiting list of pending ones."""
    rows = []
    for stay in stays:
        if stay["start"] < window_start:
            continue
        section = LegalSection(stay["section"])
        wait = max(1, round(rng.lognormvariate(math.log(WAIT_MEDIAN[section]), 0.6)))
        referred = stay["start"] - timedelta(days=wait)
        decided = referred + timedelta(days=rng.randint(0, wait))
        rows.append(
            _referral(stay["unit_id"], stay["municipality"], section, referred, decided, stay["id"])
        )
        for outcome, share in ((ReferralOutcome.DECLINED, 0.12), (ReferralOutcome.WITHDRAWN, 0.08)):
            if rng.random() < share:
                other = referred + timedelta(days=rng.randint(-60, 60))
                when = min(today, other + timedelta(days=rng.randint(5, 50)))
                if other < when:
                    row = _referral(stay["unit_id"], stay["municipality"], section, other, when)
                    rows.append(row | {"outcome": outcome})
    for unit in units.values():
        unit_stays = [s for s in stays if s["unit_id"] == unit.id]
        for _ in range(rng.randint(0, 4)):
            if not unit_stays:
                break
            model = rng.choice(unit_stays)
            referred = today - timedelta(days=rng.randint(3, 150))
            section = LegalSection(model["section"])
            rows.append(_referral(unit.id, model["municipality"], section, referred))
    return rows


def _referral(
    unit_id: int,
    municipality: str,
    section: LegalSection,
    referred: date,
    decided: date | None = None,
    stay_id: int | None = None,
) -> dict[str, Any]:
    return {
        "unit_id": unit_id,
        "municipality_code": municipality,
        "legal_section": section,
        "referred_on": referred,
        "outcome": ReferralOutcome.ADMITTED if decided else ReferralOutcome.PENDING,
        "decided_on": decided,
        "stay_id": stay_id,
        "version": 1,
    }
