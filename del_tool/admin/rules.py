"""Validation rules shared by the administration forms and services (no Flask, no database).

The forms use them to put errors beside the fields; the services apply them again so that no
caller (a view, the CLI, a test) can store what the rules refuse.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from del_tool.auth.models import Role
from del_tool.i18n import format_day

INTERVAL_MIN = 14
INTERVAL_MAX = 730
#: Numeric(10, 2) holds at most 99,999,999.99; no daily tariff comes near a million.
AMOUNT_MAX = Decimal("999999.99")
EARLIEST_DATE = date(1990, 1, 1)
LATEST_DATE = date(2100, 12, 31)

#: Form field names, used by services to say which field a problem belongs to.
UNITS, CENTRE, MUNICIPALITY = "units", "centre", "municipality"
END_BEFORE_START = _l("Slutdatoen kan ikke ligge før startdatoen.")


def scope_problems(
    *,
    role: Role,
    unit_ids: Collection[int],
    centre_id: int | None,
    municipality_code: str | None,
) -> list[tuple[str, Any]]:
    """(field, message) for each way the scope does not fit the role; empty when it fits.

    Staff work in one or more units, a leader leads one centre, a council user belongs to one
    municipality; analysts and administrators have no scope.
    """
    problems: list[tuple[str, Any]] = []
    if role is Role.STAFF and not unit_ids:
        problems.append((UNITS, _l("Vælg mindst ét tilbud for en medarbejder.")))
    elif role is not Role.STAFF and unit_ids:
        problems.append((UNITS, _l("Kun medarbejdere har tilbud. Fjern markeringerne.")))
    if role is Role.LEADER and centre_id is None:
        problems.append((CENTRE, _l("Vælg lederens center.")))
    elif role is not Role.LEADER and centre_id is not None:
        problems.append((CENTRE, _l("Kun ledere har et center. Vælg »Intet center«.")))
    if role is Role.COUNCIL and not municipality_code:
        problems.append((MUNICIPALITY, _l("Vælg kommunen.")))
    elif role is not Role.COUNCIL and municipality_code:
        problems.append(
            (MUNICIPALITY, _l("Kun kommunebrugere har en kommune. Vælg »Ingen kommune«."))
        )
    return problems


def amount_problem(amount: Decimal) -> Any | None:
    """Why `amount` is not a valid daily tariff (DKK, 0 or more, two decimals), or None."""
    if not amount.is_finite():
        return _l("Skriv et beløb i kroner, f.eks. 1234,50.")
    if amount < 0:
        return _l("Taksten kan ikke være negativ.")
    if amount > AMOUNT_MAX:
        return _l("Taksten kan højst være 999.999,99 kr. pr. dag.")
    if amount != amount.quantize(Decimal("0.01")):
        return _l("Højst to decimaler (øre).")
    return None


def interval_problem(days: int) -> Any | None:
    """Why `days` is not a valid follow-up interval, or None."""
    if not INTERVAL_MIN <= days <= INTERVAL_MAX:
        return _l("Skriv et tal fra %(min)s til %(max)s.", min=INTERVAL_MIN, max=INTERVAL_MAX)
    return None


def date_problem(value: date | None) -> Any | None:
    """Why `value` is outside the years DEL handles, or None."""
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        return _l(
            "Datoen skal ligge mellem %(first)s og %(last)s.",
            first=format_day(EARLIEST_DATE),
            last=format_day(LATEST_DATE),
        )
    return None


def period_problem(valid_from: date, valid_to: date | None) -> tuple[str, Any] | None:
    """(field, message) when the period is invalid, or None."""
    for name, value in (("valid_from", valid_from), ("valid_to", valid_to)):
        problem = date_problem(value)
        if problem is not None:
            return name, problem
    if valid_to is not None and valid_to < valid_from:
        return "valid_to", END_BEFORE_START
    return None


#: Tariff.level is a String(40).
LEVEL_MAX = 40
#: The years the price index and settlements may be given for (the tables' check constraints).
YEAR_MIN, YEAR_MAX = 2000, 2100
#: The price index's range in per cent (the table's check constraint).
PERCENT_MIN, PERCENT_MAX = Decimal("-20"), Decimal("20")
#: Numeric(12, 2): a settlement of at most 9,999,999,999.99 kroner either way.
SETTLEMENT_MAX = Decimal("9999999999.99")
#: No unit has this many places; a larger number is a typing mistake.
PLACES_MAX = 10_000


def year_problem(year: int) -> Any | None:
    """Why `year` is not a year DEL takes an index or a settlement for, or None."""
    if not YEAR_MIN <= year <= YEAR_MAX:
        return _l("Skriv et år fra %(min)s til %(max)s.", min=YEAR_MIN, max=YEAR_MAX)
    return None


def two_decimals(value: Decimal) -> bool:
    """Whether `value` has at most two decimals."""
    return value == value.quantize(Decimal("0.01"))


def percent_problem(percent: Decimal) -> Any | None:
    """Why `percent` is not a valid price and wage index, or None."""
    if not percent.is_finite():
        return _l("Skriv procenten som et tal, f.eks. 2,3.")
    if not PERCENT_MIN <= percent <= PERCENT_MAX:
        return _l("Skriv en procent fra -20 til 20.")
    if not two_decimals(percent):
        return _l("Højst to decimaler.")
    return None


def basis_problem(basis: Decimal | None) -> Any | None:
    """Why `basis` is not a valid occupancy basis (over 0, at most 100 per cent), or None."""
    if basis is None:
        return None
    if not basis.is_finite() or not Decimal(0) < basis <= Decimal(100):
        return _l("Skriv en belægningsprocent over 0 og højst 100.")
    if not two_decimals(basis):
        return _l("Højst to decimaler.")
    return None


def places_problem(places: int) -> Any | None:
    """Why `places` is not a valid number of places, or None."""
    if places < 0:
        return _l("Antallet af pladser kan ikke være negativt.")
    if places > PLACES_MAX:
        return _l("Skriv et antal pladser fra 0 til %(max)s.", max=PLACES_MAX)
    return None


def settlement_problem(amount: Decimal) -> Any | None:
    """Why `amount` is not a valid settlement (kroner, either sign, two decimals), or None."""
    if not amount.is_finite():
        return _l("Skriv et beløb i kroner, f.eks. -12.500,00.")
    if abs(amount) > SETTLEMENT_MAX:
        return _l("Beløbet er for stort.")
    if not two_decimals(amount):
        return _l("Højst to decimaler (øre).")
    return None
