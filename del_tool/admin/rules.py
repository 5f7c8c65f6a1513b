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
