"""A checked tariff file against the stored tariffs (`tariffs_import`): each row matched to a
stored tariff by unit, section, level and start (create, update or unchanged), repeats and
periods that would overlap once the file is written refused, then the writing itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from del_tool.admin.organisation import TARIFF_FIELDS, TariffValues
from del_tool.audit.services import record_create, record_update, snapshot
from del_tool.i18n import format_day
from del_tool.organisation.models import Tariff
from del_tool.organisation.offers_import import RowProblem


@dataclass(slots=True)
class PlannedTariff:
    """A checked row: what it would write (`action`: create, update or unchanged)."""

    row: int
    values: TariffValues
    action: str = "create"
    tariff_id: int | None = None


@dataclass(slots=True)
class TariffImport:
    """A checked tariff file: the rows to write and the refused ones."""

    rows: list[PlannedTariff] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    def count(self, action: str) -> int:
        """How many rows would be (or were) created, updated or left unchanged."""
        return sum(1 for r in self.rows if r.action == action)

    @property
    def refused(self) -> int:
        """How many rows are refused (a header problem counts once)."""
        return len({p.row for p in self.problems})


def _key(values: TariffValues) -> tuple[int, str, str, date]:
    return (values.unit_id, values.legal_section.value, values.level, values.valid_from)


def plan_against_stored(session: Session, result: TariffImport, unit_ids: list[int]) -> None:
    """Match each row to a stored tariff (create, update or unchanged) and refuse duplicates
    and periods that would overlap once the file is written."""
    stored = (
        session.exec(select(Tariff).where(col(Tariff.unit_id).in_(unit_ids))).all()
        if unit_ids
        else []
    )
    by_key = {(t.unit_id, t.legal_section.value, t.level, t.valid_from): t for t in stored}
    seen: dict[tuple[int, str, str, date], int] = {}
    kept: list[PlannedTariff] = []
    for planned in result.rows:
        key = _key(planned.values)
        if key in seen:
            reason = _l("Samme takst som række %(row)s.", row=seen[key])
            result.problems.append(RowProblem(planned.row, "valid_from", reason))
            continue
        seen[key] = planned.row
        tariff = by_key.get(key)
        if tariff is not None:
            planned.tariff_id = tariff.id
            same = snapshot(tariff, TARIFF_FIELDS) == _fields(planned.values)
            planned.action = "unchanged" if same else "update"
        kept.append(planned)
    # The periods as they would be: stored tariffs the file does not name, and the file's rows.
    named = {p.tariff_id for p in kept if p.tariff_id is not None}
    periods: list[tuple[tuple[int, str, str], date, date | None, int | None]] = [
        ((t.unit_id, t.legal_section.value, t.level), t.valid_from, t.valid_to, None)
        for t in stored
        if t.id not in named
    ]
    periods += [(_key(p.values)[:3], p.values.valid_from, p.values.valid_to, p.row) for p in kept]
    result.rows = []
    for planned in kept:
        other = _overlap(planned, periods)
        if other is None:
            result.rows.append(planned)
            continue
        _group, start, end, _row = other
        reason = _l(
            "Perioden overlapper en anden takst for samme tilbud, paragraf og takstniveau "
            "(%(start)s – %(end)s).",
            start=format_day(start),
            end=format_day(end) if end else _l("indtil videre"),
        )
        result.problems.append(RowProblem(planned.row, "valid_from", reason))


def _overlap(planned: PlannedTariff, periods: list[Any]) -> Any | None:
    """The first other period of the planned tariff's unit, section and level it overlaps."""
    group, start, end = _key(planned.values)[:3], planned.values.valid_from, planned.values.valid_to
    for other in periods:
        other_group, other_start, other_end, other_row = other
        if other_group != group or other_row == planned.row:
            continue
        if (other_end is None or other_end >= start) and (end is None or other_start <= end):
            return other
    return None


def _fields(values: TariffValues) -> dict[str, Any]:
    """The planned tariff's columns as `snapshot` gives a stored one's (JSON values)."""
    plain = Tariff(**{name: getattr(values, name) for name in TARIFF_FIELDS})
    return snapshot(plain, TARIFF_FIELDS)


def apply_tariffs(session: Session, result: TariffImport, *, user_id: int | None) -> None:
    """Create and update the planned tariffs (no problems allowed), each change in the
    history; flushes, never commits."""
    if result.problems:
        raise ValueError("refused rows: nothing is written")
    for planned in result.rows:
        fields = {name: getattr(planned.values, name) for name in TARIFF_FIELDS}
        if planned.action == "create":
            tariff = Tariff(**fields)
            session.add(tariff)
            session.flush()
            planned.tariff_id = tariff.id
            record_create(session=session, user_id=user_id, obj=tariff, citizen_id=None)
        elif planned.action == "update":
            stored = session.get(Tariff, planned.tariff_id)
            assert stored is not None  # noqa: S101 - checked in this transaction
            before = snapshot(stored, TARIFF_FIELDS)
            for name, value in fields.items():
                setattr(stored, name, value)
            session.add(stored)
            session.flush()
            record_update(
                session=session, user_id=user_id, obj=stored, before=before, citizen_id=None
            )
    session.flush()
