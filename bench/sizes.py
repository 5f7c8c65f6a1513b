"""The data sizes the benchmark builds and the report period it measures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

#: The date the generated history ends; fixed, so every run builds the same data.
TODAY = date(2026, 7, 1)
#: The report period measured: the last calendar year that lies wholly inside every size's data.
REPORT_PERIOD = "2025"
#: The centre that size S (one centre) holds: the demo staff user's centre.
ONE_CENTRE = "Center for Socialpsykiatri"
SEED = 2026


@dataclass(frozen=True, slots=True)
class Size:
    """One data size: citizens, years of history and the centres they are spread over."""

    name: str
    citizens: int
    years: int
    centres: tuple[str, ...] = ()
    description: str = ""
    #: Staff logins the load test uses (each password hash costs a fraction of a second).
    staff_users: int = 12


SIZES: dict[str, Size] = {
    "XS": Size("XS", 40, 2, (ONE_CENTRE,), "smoke test: one centre, 40 citizens, 2 years", 2),
    "XM": Size("XM", 120, 2, (), "smoke test: the region, 120 citizens, 2 years"),
    "S": Size("S", 300, 3, (ONE_CENTRE,), "one centre, 300 citizens, 3 years"),
    "M": Size("M", 3_000, 3, (), "the region, 3,000 citizens, 3 years"),
    "L": Size("L", 50_000, 5, (), "national scale, 50,000 citizens, 5 years"),
}
