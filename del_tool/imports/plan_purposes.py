"""The dry run of the purposes sheet (the action plan's purposes, after the stays) and of the
purpose a goal row names.

A purpose row is refused when its stay is neither in the file (accepted) nor imported before in
the scope, when it was imported before for another stay or is gone from DEL since; its text and
theme are checked with the row (`sheets_purposes`). A goal row naming a purpose (the goals
sheet's Formåls-ID) is refused when that purpose is neither in the file (accepted) nor imported
before in the scope, or belongs to another stay than the goal's (a goal serves a purpose of its
own stay, as the goal form offers only those).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from del_tool.citizens.models import Stay, StayPurpose
from del_tool.imports.conflicts import resolve
from del_tool.imports.models import ImportReference
from del_tool.imports.plan import CHUNK, Plan, _references, _Sheet
from del_tool.imports.plan_parents import StayInfo, _earlier, load
from del_tool.imports.sheets import ImportRow, Kind

Rows = list[tuple[_Sheet, ImportRow]]
NO_PURPOSE = _l(
    "Intet formål med dette id i filen (eller rækken er afvist) eller fra før i dine tilbud."
)
OTHER_STAY = _l("Formålet hører til et andet ophold end målets.")


def plan_purposes(session: Session, plan: Plan, rows: Rows, stays: dict[str, StayInfo]) -> None:
    """Plan the purpose rows (appended to `plan.rows`; refusals to `plan.refusals`)."""
    from del_tool.imports.plan_records import placed_problem, planned_row, refuse

    refs = _references(session, plan.source, Kind.PURPOSES, (r.external_ref for _s, r in rows))
    records = load(session, StayPurpose, [r.entity_id for r in refs.values()])
    for sheet, row in rows:
        data: Any = row
        stay = stays.get(data.stay_ref)
        ref = refs.get(data.external_ref)
        problem = placed_problem(
            stay,
            ref,
            records,
            gone=_l("Formålet er indlæst før, men findes ikke længere i DEL."),
            moved=_l("Formålet er indlæst før for et andet ophold."),
        )
        if problem is not None:
            refuse(plan, Kind.PURPOSES, sheet, row, problem)
            continue
        planned_row(plan, Kind.PURPOSES, sheet, row, ref)
    owners = {s.key: s.citizen for s in stays.values() if isinstance(s.key, int)}
    resolve(session, plan, Kind.PURPOSES, records, follow_up_citizens=owners)


def purpose_stays(
    session: Session, plan: Plan, wanted: Iterable[str], stays: dict[str, StayInfo]
) -> dict[str, Any]:
    """The stay (its `StayInfo.key`) of each purpose goal rows name: the file's accepted
    purposes, and purposes imported before whose stay is in the scope (noted in
    `plan.parent_ids` for the commit)."""
    out: dict[str, Any] = {}
    for planned in plan.accepted(Kind.PURPOSES):
        stay = stays.get(planned.data.stay_ref)
        if stay is not None:
            out[planned.data.external_ref] = stay.key
    earlier = _earlier(session, plan, Kind.PURPOSES, wanted, set(out))
    records = load(session, StayPurpose, earlier.values())
    stay_rows = load(session, Stay, [p.stay_id for p in records.values()])
    units = {int(stay_id): stay.unit_id for stay_id, stay in stay_rows.items()}
    for ref, purpose_id in earlier.items():
        purpose = records.get(purpose_id)
        if purpose is not None and units.get(purpose.stay_id) in plan.scope:
            plan.parent_ids[Kind.PURPOSES][ref] = purpose_id
            out[ref] = purpose.stay_id
    return out


def purpose_problem(data: Any, stay: StayInfo, purposes: dict[str, Any]) -> tuple[str, Any] | None:
    """Why a goal row's purpose is refused (its column, the reason); None when it is fine."""
    if not data.purpose_ref:
        return None
    owner = purposes.get(data.purpose_ref)
    if owner is None:
        return "purpose_ref", NO_PURPOSE
    if owner != stay.key:
        return "purpose_ref", OTHER_STAY
    return None


def purpose_refs(
    session: Session, source: str, purpose_ids: Iterable[int | None]
) -> dict[int, str]:
    """The references of purposes imported from `source`: purpose id -> reference."""
    ids = sorted({i for i in purpose_ids if i is not None})
    found: dict[int, str] = {}
    for start in range(0, len(ids), CHUNK):
        for ref in session.exec(
            select(ImportReference).where(
                col(ImportReference.source) == source,
                col(ImportReference.sheet) == Kind.PURPOSES.value,
                col(ImportReference.entity_id).in_(ids[start : start + CHUNK]),
            )
        ).all():
            found[ref.entity_id] = ref.external_ref
    return found
