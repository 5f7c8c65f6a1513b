"""A small hand-built economy for the economy and council tests: two units of one centre with
tariff levels, places that change in the middle of a month, special services, settlements and
the price index. Every figure the tests expect is counted by hand from the rows written here
(see the docstrings of the tests).

Unit A (§ 107): tariff level "" 1 000 kr. in 2025 and 1 050 in 2026 (5 %, basis 95 %);
level "høj" 2 000 and 2 040 (2 %, basis 90 %). 4 places from 1 January 2025, 5 from 16 March
2026. Unit B (§ 108): 500 kr. in 2025, 510 in 2026 (2 %, no basis stated); 2 places from
1 January 2026 (none recorded before). Index: 2025 2.5 %, 2026 2.0 %.

Stays (citizen: unit, level, payer, days):
  c1: A, "", 461, 1 January 2026 - open
  c2: A, "høj", 561, 10 February - 20 March 2026; a special service of 300 kr. a day from
      1 March to 30 April 2026 (charged 1-20 March, the rest lies after the stay)
  c3: A, "ukendt" (a level without a tariff), 461, 1-31 March 2026
  c4: B, "", 461, 1 December 2025 - 15 February 2026
Settlements: A x 461: 2025 +10 000, 2026 -4 000; B x 461: 2025 +2 000.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, delete, select

from del_tool.citizens.models import Citizen, Sex, Stay, StayService
from del_tool.organisation.models import (
    LegalSection,
    PriceIndex,
    Settlement,
    TargetGroup,
    Tariff,
    Unit,
    UnitPlaces,
)


@dataclass(frozen=True)
class Ledger:
    """The ids the tests need."""

    unit_a: int
    unit_b: int
    centre: int
    stays: dict[str, int]


TARIFFS = (
    ("A", "107", "", date(2025, 1, 1), date(2025, 12, 31), "1000", "95"),
    ("A", "107", "", date(2026, 1, 1), None, "1050", "95"),
    ("A", "107", "høj", date(2025, 1, 1), date(2025, 12, 31), "2000", "90"),
    ("A", "107", "høj", date(2026, 1, 1), None, "2040", "90"),
    ("B", "108", "", date(2025, 1, 1), date(2025, 12, 31), "500", None),
    ("B", "108", "", date(2026, 1, 1), None, "510", None),
)
STAYS = (
    ("c1", "A", "107", None, "461", date(2026, 1, 1), None),
    ("c2", "A", "107", "høj", "561", date(2026, 2, 10), date(2026, 3, 20)),
    ("c3", "A", "107", "ukendt", "461", date(2026, 3, 1), date(2026, 3, 31)),
    ("c4", "B", "108", None, "461", date(2025, 12, 1), date(2026, 2, 15)),
)


def _two_units(session: Session) -> tuple[int, int, int]:
    """The first two units of the first centre with at least two units."""
    units = session.exec(select(Unit).order_by(col(Unit.centre_id), col(Unit.id))).all()
    by_centre: dict[int, list[int]] = {}
    for unit in units:
        by_centre.setdefault(unit.centre_id, []).append(int(unit.id or 0))
    centre, ids = next((c, u) for c, u in by_centre.items() if len(u) >= 2)
    return ids[0], ids[1], centre


def build_ledger(session: Session) -> Ledger:
    """Write the ledger (committed) and return its ids."""
    a, b, centre = _two_units(session)
    units = {"A": a, "B": b}
    centre_units = select(Unit.id).where(Unit.centre_id == centre)
    for model in (Tariff, UnitPlaces, Settlement):  # whatever seeding put there
        session.execute(delete(model).where(col(model.unit_id).in_(centre_units)))
    session.execute(delete(PriceIndex))
    for key, section, level, start, end, amount, basis in TARIFFS:
        session.add(
            Tariff(
                unit_id=units[key],
                legal_section=LegalSection(section),
                level=level,
                valid_from=start,
                valid_to=end,
                daily_amount=Decimal(amount),
                occupancy_basis=Decimal(basis) if basis else None,
            )
        )
    session.add_all(
        [
            UnitPlaces(unit_id=a, valid_from=date(2025, 1, 1), places=4),
            UnitPlaces(unit_id=a, valid_from=date(2026, 3, 16), places=5),
            UnitPlaces(unit_id=b, valid_from=date(2026, 1, 1), places=2),
            PriceIndex(year=2025, percent=Decimal("2.5")),
            PriceIndex(year=2026, percent=Decimal("2.0")),
            Settlement(unit_id=a, municipality_code="461", year=2025, amount=Decimal("10000")),
            Settlement(unit_id=a, municipality_code="461", year=2026, amount=Decimal("-4000")),
            Settlement(unit_id=b, municipality_code="461", year=2025, amount=Decimal("2000")),
        ]
    )
    stays: dict[str, int] = {}
    for name, key, section, level, payer, start, end in STAYS:
        citizen = Citizen(
            name=f"Økonomiborger {name}",
            birth_year=1970,
            sex=Sex.MALE,
            target_group=TargetGroup.MENTAL_ILLNESS,
        )
        session.add(citizen)
        session.flush()
        stay = Stay(
            citizen_id=int(citizen.id or 0),
            unit_id=units[key],
            municipality_code=payer,
            legal_section=LegalSection(section),
            start_date=start,
            end_date=end,
            tariff_level=level,
        )
        session.add(stay)
        session.flush()
        stays[name] = int(stay.id or 0)
    session.add(
        StayService(
            stay_id=stays["c2"],
            description="Fast nattevagt",
            daily_amount=Decimal("300"),
            valid_from=date(2026, 3, 1),
            valid_to=date(2026, 4, 30),
        )
    )
    session.commit()
    return Ledger(a, b, centre, stays)
