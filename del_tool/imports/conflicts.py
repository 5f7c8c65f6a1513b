"""Conflicts (issue #18 item 4): a record changed in DEL since it was imported is never
overwritten silently.

A row imported before carries the hash of its values as they were imported
(`ImportReference.row_hash`). When the file's row differs from that (an update), DEL's record
is read back into the row's shape (its own values beside the file's references) and hashed the
same way: if that hash is not the imported one either, someone changed the record in DEL since
(a form save, a merge, an anonymisation), and the row is a conflict. The dry run lists it with
both values per column that differs (`Conflict.fields`); the user chooses for all rows or per
row. Kept (the default), DEL's record stays as it is and the row counts as unchanged; chosen
for overwriting, the row is an update like any other. Both choices leave the plan's
fingerprint as it was (`PlannedRow.conflict` marks the row either way), so the commit checks
the plan the user saw whatever was chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from del_tool.imports.plan import Plan, PlannedRow, _references, row_hash
from del_tool.imports.sheets import Kind

#: A row's fields that are references to other rows, not values of its record.
REFERENCE_FIELDS = frozenset(
    {"row", "external_ref", "citizen_ref", "stay_ref", "followup_ref", "goal_ref"}
)


@dataclass(frozen=True, slots=True)
class Conflict:
    """A row whose record DEL changed since it was imported: per column that differs, the
    file's value and DEL's."""

    kind: Kind
    sheet: str
    row: int
    ref: str
    entity_id: int
    citizen_id: int | None
    #: (column key, the file's value, DEL's value), as text.
    fields: tuple[tuple[str, str, str], ...]
    overwritten: bool

    @property
    def choice_key(self) -> str:
        """The key a per-row choice names the row by ("stays:O3")."""
        return choice_key(self.kind, self.ref)


def choice_key(kind: Kind, ref: str) -> str:
    """How a per-row choice to overwrite names a row."""
    return f"{kind.value}:{ref}"


def del_row(planned: PlannedRow, record: Any, purposes: dict[int, str] | None = None) -> Any:
    """DEL's record in the shape of the file's row (the row's references, DEL's values). A goal
    row that names its purpose gets the reference of DEL's (`purposes`: purpose id -> its
    reference; one no import made is named so that no file's reference can equal it)."""
    data = planned.data
    if planned.kind is Kind.ANSWERS:
        return data.model_copy(update={"value": dict(record.answers).get(data.item)})
    names = [
        name
        for name in type(data).model_fields
        if name not in REFERENCE_FIELDS and name in type(record).model_fields
    ]
    values = {name: getattr(record, name) for name in names}
    if planned.kind is Kind.GOALS and data.manages_purpose:
        values["purpose_ref"] = purpose_ref(record.purpose_id, purposes or {})
    return data.model_copy(update=values)


def purpose_ref(purpose_id: int | None, purposes: dict[int, str]) -> str | None:
    """The reference a goal's purpose has in the file's terms: None for none, its import's
    reference, or (a purpose entered in DEL) a name no cleaned cell can have."""
    if purpose_id is None:
        return None
    return purposes.get(purpose_id, f" DEL {purpose_id}")


def as_imported(planned: PlannedRow, record: Any, purposes: dict[int, str] | None) -> list[Any]:
    """DEL's record in each shape the row may have had when it was imported: the file's
    shape now, and for a goal also with and without its purpose (a file that had the column
    Formåls-ID then, or had not)."""
    current = del_row(planned, record, purposes)
    if planned.kind is not Kind.GOALS:
        return [current]
    other = current.model_copy()
    if current.manages_purpose:
        other.__pydantic_fields_set__.discard("purpose_ref")
    else:
        other = current.model_copy(
            update={"purpose_ref": purpose_ref(record.purpose_id, purposes or {})}
        )
    return [current, other]


def text_of(value: Any) -> str:
    """A value as the conflict list shows it."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float | Decimal):
        return f"{value:g}".replace(".", ",")
    label = getattr(value, "label", None)
    return str(label) if label is not None else str(value)


def citizen_of(kind: Kind, record: Any, parents: dict[int, int]) -> int | None:
    """The citizen a record belongs to (reviews and answers through their follow-up, purposes
    through their stay: `parents`, the parent's id -> its citizen)."""
    if kind is Kind.CITIZENS:
        return int(record.id)
    if hasattr(record, "citizen_id"):
        return int(record.citizen_id)
    if kind is Kind.PURPOSES:
        return parents.get(int(record.stay_id))
    return parents.get(int(record.follow_up_id))


def resolve(
    session: Session,
    plan: Plan,
    kind: Kind,
    records: dict[int, Any],
    *,
    follow_up_citizens: dict[int, int] | None = None,
    purposes: dict[int, str] | None = None,
) -> None:
    """Find the conflicts among the planned updates of `kind` (`records`: DEL's records by id,
    at least those of the updates) and apply the plan's choice to each. `follow_up_citizens`:
    the citizen of each parent of records that have none of their own (a review's or answer's
    follow-up, a purpose's stay); `purposes`: the references of goals' purposes (`del_row`)."""
    updates = [r for r in plan.accepted(kind) if r.action == "update" and r.entity_id is not None]
    if not updates:
        return
    refs = _references(session, plan.source, kind, (r.data.external_ref for r in updates))
    for planned in updates:
        record = records.get(int(planned.entity_id or 0))
        imported = refs.get(planned.data.external_ref)
        if record is None or imported is None:
            continue  # gone since: the commit refuses it as a conflict of its own
        shapes = as_imported(planned, record, purposes)
        current = shapes[0]
        current_hash = row_hash(current)
        if imported.row_hash in {row_hash(shape) for shape in shapes}:
            continue  # DEL has what was imported: an ordinary update
        if current_hash == planned.row_hash:
            planned.action = "unchanged"  # DEL has the file's values already
            continue
        changed = tuple(
            (name, text_of(getattr(planned.data, name)), text_of(getattr(current, name)))
            for name in type(planned.data).model_fields
            if name not in REFERENCE_FIELDS
            and getattr(planned.data, name) != getattr(current, name)
        )
        overwrite = plan.overwrites(kind, planned.data.external_ref)
        planned.conflict = True
        planned.action = "update" if overwrite else "unchanged"
        plan.conflicts.append(
            Conflict(
                kind,
                planned.sheet,
                planned.data.row,
                planned.data.external_ref,
                int(record.id),
                citizen_of(kind, record, follow_up_citizens or {}),
                changed,
                overwrite,
            )
        )
