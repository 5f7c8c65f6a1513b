"""The dry run of an import (issue #18 item 3): what a file would create, update, leave
unchanged and refuse, per sheet, before anything is written.

A row is refused with (sheet, row number, column, translated reason) when a cell cannot be
read or breaks a rule of its sheet (`sheets`), when its external reference appears twice in
the file, when its unit is unknown or outside the import's scope (also a security event), when
a stay's citizen is neither in the file nor imported before, when a stay overlaps another of
the citizen's stays or its section does not fit the unit, and when a new citizen gets no stay
in the scope (DEL keeps no citizen outside every scope). A row imported before (same source,
sheet and reference) is an update when it changed, else unchanged. New citizens like existing
ones in the scope (`del_tool.citizens.duplicates`) are listed as possible duplicates.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, func, select

from del_tool.auth.scope import Scope
from del_tool.citizens.access import Actor
from del_tool.citizens.duplicates import SimilarCitizen, similar_in_scope_many
from del_tool.citizens.models import Stay
from del_tool.followups.models import FollowUp
from del_tool.goals.models import Goal
from del_tool.imports.lookups import Lookups
from del_tool.imports.models import ImportReference
from del_tool.imports.reading import (
    HEADER_SEARCH_ROWS,
    MAX_BYTES,
    MAX_EMPTY_ROWS,
    Sheet,
    find_table,
    header_key,
    read_file,
)
from del_tool.imports.sheets import (
    SHEETS,
    CitizenRow,
    ImportRow,
    Kind,
    SheetSpec,
    StayRow,
    kind_of,
    row_errors,
)
from del_tool.logs import security_event
from del_tool.organisation.models import section_fits

#: The source system when none is named.
DEFAULT_SOURCE = "regneark"
#: References are looked up in chunks of this many (the bound-parameter limit of SQLite).
CHUNK = 500


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refused row (row 0: the sheet itself): where and why."""

    sheet: str
    row: int
    column: str
    reason: Any


@dataclass(slots=True)
class Counts:
    """Rows of one kind by what the import does with them."""

    create: int = 0
    update: int = 0
    unchanged: int = 0
    refused: int = 0


@dataclass(frozen=True, slots=True)
class PossibleDuplicate:
    """A citizen row to be created that may be someone DEL has in the scope already."""

    sheet: str
    row: int
    similar: SimilarCitizen


@dataclass(slots=True)
class PlannedRow:
    """A checked row and what the import does with it."""

    kind: Kind
    sheet: str
    data: Any  # CitizenRow | StayRow
    action: str = "create"  # create | update | unchanged
    row_hash: str = ""
    #: The record the row was imported into before (update, unchanged).
    entity_id: int | None = None
    #: DEL changed the record since it was imported (`conflicts`); the action is the choice.
    conflict: bool = False


@dataclass(slots=True)
class Plan:
    """What an import of the files would do."""

    source: str
    scope: frozenset[int]
    counts: dict[Kind, Counts] = field(default_factory=lambda: {k: Counts() for k in Kind})
    refusals: list[Refusal] = field(default_factory=list)
    duplicates: list[PossibleDuplicate] = field(default_factory=list)
    ignored_columns: list[tuple[str, str]] = field(default_factory=list)
    ignored_sheets: list[str] = field(default_factory=list)
    rows: list[PlannedRow] = field(default_factory=list)
    #: Rows whose record DEL changed since it was imported (`conflicts.Conflict`).
    conflicts: list[Any] = field(default_factory=list)
    #: Overwrite DEL's changes: every conflict (True), none (False), or the rows named
    #: ("stays:O3", `conflicts.choice_key`).
    overwrite: bool | frozenset[str] = False
    #: The kinds the files have sheets of, in the order of `Kind`.
    kinds: list[Kind] = field(default_factory=list)
    #: Records imported before that rows of the file point to (ref -> id), for the commit.
    parent_ids: dict[Kind, dict[str, int]] = field(default_factory=lambda: {k: {} for k in Kind})

    @property
    def refused(self) -> bool:
        """Whether any row (or sheet) is refused."""
        return bool(self.refusals)

    def accepted(self, kind: Kind) -> list[PlannedRow]:
        """The accepted rows of a kind, in file order."""
        return [r for r in self.rows if r.kind is kind]

    def overwrites(self, kind: Kind, ref: str) -> bool:
        """Whether a conflict of this row is to be overwritten with the file's values."""
        if isinstance(self.overwrite, bool):
            return self.overwrite
        return f"{kind.value}:{ref}" in self.overwrite


@dataclass(slots=True)
class _Sheet:
    """A sheet being planned: its spec, the file's header texts by column key."""

    name: str
    spec: SheetSpec
    headers: dict[str, str]


def plan_import(
    session: Session,
    files: Sequence[tuple[str, bytes]],
    *,
    scope: Iterable[int],
    source: str = DEFAULT_SOURCE,
    user_id: int | None = None,
    sheets: Iterable[str] | None = None,
    overwrite: bool | Iterable[str] = False,
) -> Plan:
    """The dry run of importing `files` ((name, bytes) pairs) into the units of `scope`.

    `overwrite`: what to do with rows whose record DEL changed since it was imported (`conflicts`):
    keep DEL's values (False), overwrite them all (True), or overwrite the rows named.
    Raises ReadError when a file cannot be read at all. Writes nothing (a refused unit outside
    the scope is logged as a security event).
    """
    from del_tool.questionnaires import current_registry

    config = current_app.config
    max_bytes = int(config.get("IMPORT_MAX_BYTES", MAX_BYTES))
    max_empty = int(config.get("IMPORT_MAX_EMPTY_ROWS", MAX_EMPTY_ROWS))
    plan = Plan(source=source, scope=frozenset(scope))
    plan.overwrite = overwrite if isinstance(overwrite, bool) else frozenset(overwrite)
    lookups = Lookups.load(session, scope=plan.scope)
    lookups.registry = current_registry()
    wanted = list(sheets) if sheets else None
    rows: dict[Kind, list[tuple[_Sheet, ImportRow]]] = {k: [] for k in Kind}
    for name, data in files:
        for sheet in read_file(
            data, name, max_bytes=max_bytes, max_empty_rows=max_empty, sheets=wanted
        ):
            _read_sheet(plan, sheet, lookups, rows)
    _finish(session, plan, lookups, rows, user_id=user_id)
    order = {name: i for i, (name, _data) in enumerate(files)}
    sheets_seen = list(dict.fromkeys(r.sheet for r in plan.refusals))
    plan.refusals.sort(key=lambda r: (order.get(r.sheet, sheets_seen.index(r.sheet)), r.row))
    return plan


def plan_rows(
    session: Session,
    read: Iterable[ReadRow],
    *,
    scope: Iterable[int],
    source: str,
    user_id: int | None = None,
    overwrite: bool | Iterable[str] = False,
) -> Plan:
    """The dry run of rows read from something other than a spreadsheet (a FHIR bundle,
    `del_tool.interop.fhir`): each row is checked by its sheet's row model and planned as
    `plan_import` plans a sheet's rows; its refusals name the row's `where` as the sheet and
    its `columns` entry for a column key as the column. Writes nothing."""
    from del_tool.questionnaires import current_registry

    plan = Plan(source=source, scope=frozenset(scope))
    plan.overwrite = overwrite if isinstance(overwrite, bool) else frozenset(overwrite)
    lookups = Lookups.load(session, scope=plan.scope)
    lookups.registry = current_registry()
    rows: dict[Kind, list[tuple[_Sheet, ImportRow]]] = {k: [] for k in Kind}
    for one in read:
        if one.kind not in plan.kinds:
            plan.kinds = [k for k in Kind if k in plan.kinds or k is one.kind]
        sheet = _Sheet(one.where, SHEETS[one.kind], dict(one.columns))
        _check_row(plan, sheet, one.number, dict(one.values), lookups, rows)
    _finish(session, plan, lookups, rows, user_id=user_id)
    return plan


@dataclass(frozen=True, slots=True)
class ReadRow:
    """A row of a kind read from elsewhere: where it is (named in refusals), its number, the
    name of each column key's source (for refusals) and the values by column key."""

    kind: Kind
    where: str
    number: int
    columns: dict[str, str]
    values: dict[str, Any]


def _finish(
    session: Session,
    plan: Plan,
    lookups: Lookups,
    rows: dict[Kind, list[tuple[_Sheet, ImportRow]]],
    *,
    user_id: int | None,
) -> None:
    """Plan the checked rows of every kind and count what the import does with them."""
    from del_tool.imports import plan_records  # builds on this module

    for kind in Kind:
        _refuse_repeated(plan, kind, rows[kind])
    _plan_rows(session, plan, lookups, rows, user_id=user_id)
    plan_records.plan_records(session, plan, rows)
    for planned in plan.rows:
        counts = plan.counts[planned.kind]
        setattr(counts, planned.action, getattr(counts, planned.action) + 1)


def _read_sheet(
    plan: Plan,
    sheet: Sheet,
    lookups: Lookups,
    rows: dict[Kind, list[tuple[_Sheet, ImportRow]]],
) -> None:
    top = [[header_key(c) for c in row] for _n, row in sheet.rows[:HEADER_SEARCH_ROWS]]
    kind = kind_of(sheet.name, top)
    if kind is None:
        if sheet.rows:
            plan.ignored_sheets.append(sheet.name)
        return
    if kind not in plan.kinds:
        plan.kinds = [k for k in Kind if k in plan.kinds or k is kind]
    spec = SHEETS[kind]
    table = find_table(sheet, spec.is_header)
    if table is None:
        names = ", ".join(str(spec.column(k).header) for k in spec.identifying)
        why = _l("Ingen overskriftsrække med kolonnerne %(columns)s.", columns=names)
        plan.refusals.append(Refusal(sheet.name, 0, "", why))
        plan.counts[kind].refused += len(sheet.rows)
        return
    index, ignored = spec.map_header(table.header)
    plan.ignored_columns += [(sheet.name, text) for text in ignored]
    headers = {k: table.header[i] for k, i in index.items()}
    current = _Sheet(sheet.name, spec, headers)
    missing = [c for c in spec.columns if c.required and c.key not in index]
    if missing:
        for column in missing:
            plan.refusals.append(
                Refusal(sheet.name, table.header_row, str(column.header), _l("Kolonnen mangler."))
            )
        plan.counts[kind].refused += len(table.rows)
        return
    for number, raw in table.rows:
        values = {k: raw[i] if i < len(raw) else None for k, i in index.items()}
        _check_row(plan, current, number, values, lookups, rows)


def _check_row(
    plan: Plan,
    sheet: _Sheet,
    number: int,
    values: dict[str, Any],
    lookups: Lookups,
    rows: dict[Kind, list[tuple[_Sheet, ImportRow]]],
) -> None:
    """Check a row's values with its sheet's model: kept in `rows`, or refused per column."""
    kind = sheet.spec.kind
    try:
        row: Any = sheet.spec.model.model_validate(
            {"row": number, **values}, context={"lookups": lookups}
        )
    except ValidationError as error:
        for key, why in row_errors(error):
            _refuse(plan, sheet, number, key, why)
        plan.counts[kind].refused += 1
        return
    rows[kind].append((sheet, row))


def _column(sheet: _Sheet, key: str) -> str:
    if key in sheet.headers:
        return sheet.headers[key]
    if any(c.key == key for c in sheet.spec.columns):
        return str(sheet.spec.column(key).header)
    return ""


def _refuse(plan: Plan, sheet: _Sheet, row: int, key: str, why: Any) -> None:
    plan.refusals.append(Refusal(sheet.name, row, _column(sheet, key), why))


def _refuse_repeated(plan: Plan, kind: Kind, rows: list[tuple[_Sheet, ImportRow]]) -> None:
    """Rows sharing an external reference are all refused: which one is right is unknown."""
    numbers: dict[str, list[int]] = {}
    for _sheet, row in rows:
        numbers.setdefault(row.external_ref, []).append(row.row)
    kept = []
    for sheet, row in rows:
        if len(numbers[row.external_ref]) == 1:
            kept.append((sheet, row))
            continue
        others = ", ".join(str(n) for n in numbers[row.external_ref] if n != row.row)
        why = _l("Samme id som række %(rows)s i filen.", rows=others)
        _refuse(plan, sheet, row.row, "external_ref", why)
        plan.counts[kind].refused += 1
    rows[:] = kept


def row_hash(row: BaseModel) -> str:
    """SHA-256 of a checked row's values (without its row number)."""
    values = row.model_dump(mode="json", exclude={"row"})
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def _references(
    session: Session, source: str, kind: Kind, refs: Iterable[str]
) -> dict[str, ImportReference]:
    wanted = sorted(set(refs))
    found: dict[str, ImportReference] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        for ref in session.exec(
            select(ImportReference).where(
                col(ImportReference.source) == source,
                col(ImportReference.sheet) == kind.value,
                col(ImportReference.external_ref).in_(chunk),
            )
        ).all():
            found[ref.external_ref] = ref
    return found


def _plan_rows(
    session: Session,
    plan: Plan,
    lookups: Lookups,
    rows: dict[Kind, list[tuple[_Sheet, ImportRow]]],
    *,
    user_id: int | None,
) -> None:
    citizens = _plan_citizens(session, plan, rows[Kind.CITIZENS])
    outside: Counter[int] = Counter()
    stays = _plan_stays(session, plan, lookups, rows[Kind.STAYS], citizens, outside)
    with_stay = {s.data.citizen_ref for s in stays}
    for planned in citizens.values():
        if planned.action == "create" and planned.data.external_ref not in with_stay:
            sheet = _Sheet(planned.sheet, SHEETS[Kind.CITIZENS], {})
            why = _l("Borgeren har intet ophold i filen i et af dine tilbud.")
            _refuse(plan, sheet, planned.data.row, "external_ref", why)
            plan.counts[Kind.CITIZENS].refused += 1
            continue
        plan.rows.append(planned)
    _find_duplicates(session, plan, user_id)
    plan.rows += stays
    for unit_id, count in sorted(outside.items()):
        security_event("import_unit_outside_scope", user_id=user_id, unit_id=unit_id, rows=count)


def _plan_citizens(
    session: Session, plan: Plan, rows: list[tuple[_Sheet, ImportRow]]
) -> dict[str, PlannedRow]:
    """Citizen rows by reference; those imported before must still be in the scope."""
    refs = _references(session, plan.source, Kind.CITIZENS, (r.external_ref for _s, r in rows))
    in_scope = _citizens_in_scope(session, plan.scope, [r.entity_id for r in refs.values()])
    out: dict[str, PlannedRow] = {}
    for sheet, row in rows:
        assert isinstance(row, CitizenRow)  # noqa: S101 - the citizens sheet's model
        planned = PlannedRow(Kind.CITIZENS, sheet.name, row, row_hash=row_hash(row))
        ref = refs.get(row.external_ref)
        if ref is not None:
            if ref.entity_id not in in_scope:
                why = _l("Borgeren er indlæst før, men har intet ophold i dine tilbud.")
                _refuse(plan, sheet, row.row, "external_ref", why)
                plan.counts[Kind.CITIZENS].refused += 1
                continue
            planned.entity_id = ref.entity_id
            planned.action = "unchanged" if ref.row_hash == planned.row_hash else "update"
        out[row.external_ref] = planned
    return out


def _citizens_in_scope(session: Session, scope: frozenset[int], ids: list[int]) -> set[int]:
    found: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        found.update(
            session.exec(
                select(Stay.citizen_id).where(
                    col(Stay.citizen_id).in_(ids[start : start + CHUNK]),
                    col(Stay.unit_id).in_(sorted(scope)),
                )
            ).all()
        )
    return found


def _plan_stays(
    session: Session,
    plan: Plan,
    lookups: Lookups,
    rows: list[tuple[_Sheet, ImportRow]],
    citizens: dict[str, PlannedRow],
    outside: Counter[int],
) -> list[PlannedRow]:
    """The stay rows that pass the checks against scope, citizens and other stays."""
    refs = _references(session, plan.source, Kind.STAYS, (r.external_ref for _s, r in rows))
    wanted = (r.citizen_ref for _s, r in rows if isinstance(r, StayRow))
    earlier = _references(session, plan.source, Kind.CITIZENS, wanted)
    visible = _citizens_in_scope(session, plan.scope, [r.entity_id for r in earlier.values()])
    existing_stays = {
        s.id: s
        for s in _stays_of(session, [r.entity_id for r in earlier.values()])
        + _stays_by_id(session, [r.entity_id for r in refs.values()])
    }
    one_unit = next(iter(plan.scope)) if len(plan.scope) == 1 else None
    periods: dict[Any, list[tuple[date, date | None, int | None]]] = {}
    for stay in existing_stays.values():
        periods.setdefault(stay.citizen_id, []).append((stay.start_date, stay.end_date, stay.id))
    accepted: list[PlannedRow] = []
    for sheet, row in rows:
        assert isinstance(row, StayRow)  # noqa: S101 - the stays sheet's model
        problem = _check_stay(row, lookups, plan.scope, one_unit, outside)
        citizen_key: Any = None
        ref = refs.get(row.external_ref)
        if problem is None:
            citizen_key, problem = _stay_citizen(row, citizens, earlier, visible)
        if problem is None and ref is not None:
            stored = existing_stays.get(ref.entity_id)
            if stored is None or stored.unit_id not in plan.scope:
                why = _l("Opholdet er indlæst før, men er ikke i dine tilbud.")
                problem = ("external_ref", why)
            elif stored.citizen_id != citizen_key:
                problem = ("citizen_ref", _l("Opholdet er indlæst før for en anden borger."))
        if problem is None:
            problem = _overlap(row, periods.get(citizen_key, []), ref)
        if problem is None and ref is not None:
            problem = _records_outside(session, ref.entity_id, row.start_date, row.end_date)
        if problem is not None:
            _refuse(plan, sheet, row.row, *problem)
            plan.counts[Kind.STAYS].refused += 1
            continue
        unit_id = row.unit_id if row.unit_id is not None else one_unit
        data = row.model_copy(update={"unit_id": unit_id})
        planned = PlannedRow(Kind.STAYS, sheet.name, data, row_hash=row_hash(data))
        if ref is not None:
            planned.entity_id = ref.entity_id
            planned.action = "unchanged" if ref.row_hash == planned.row_hash else "update"
        periods.setdefault(citizen_key, []).append(
            (row.start_date, row.end_date, ref.entity_id if ref else None)
        )
        accepted.append(planned)
    return accepted


def _check_stay(
    row: StayRow,
    lookups: Lookups,
    scope: frozenset[int],
    one_unit: int | None,
    outside: Counter[int],
) -> tuple[str, Any] | None:
    unit_id = row.unit_id if row.unit_id is not None else one_unit
    if unit_id is None:
        return "unit_id", _l("Skriv tilbuddet (indlæsningen gælder flere tilbud).")
    if unit_id not in scope:
        outside[unit_id] += 1
        return "unit_id", _l("Tilbuddet er ikke et af dem, indlæsningen gælder.")
    unit = lookups.units[unit_id]
    if not unit.active:
        return "unit_id", _l("Tilbuddet er lukket for nye ophold.")
    mismatch = current_app.config.get("STAY_SECTION_MISMATCH") != "warn"
    if mismatch and not section_fits(unit.offer_kind, row.legal_section):
        return "legal_section", _l(
            "%(section)s passer ikke til tilbuddets type (%(kind)s).",
            section=row.legal_section.label,
            kind=unit.offer_kind.label if unit.offer_kind else "",
        )
    return None


def _stay_citizen(
    row: StayRow,
    citizens: dict[str, PlannedRow],
    earlier: dict[str, ImportReference],
    visible: set[int],
) -> tuple[Any, tuple[str, Any] | None]:
    """The citizen a stay belongs to: the file's row (by reference) or one imported before
    that has a stay in the scope (as the stay form adds stays only to citizens in scope)."""
    planned = citizens.get(row.citizen_ref)
    if planned is not None:
        key = planned.entity_id if planned.entity_id is not None else ("new", row.citizen_ref)
        return key, None
    ref = earlier.get(row.citizen_ref)
    if ref is not None and ref.entity_id in visible:
        return ref.entity_id, None
    return None, (
        "citizen_ref",
        _l("Ingen borger med dette id i filen (eller rækken er afvist) eller fra før."),
    )


def _overlap(
    row: StayRow,
    periods: list[tuple[date, date | None, int | None]],
    ref: ImportReference | None,
) -> tuple[str, Any] | None:
    own = ref.entity_id if ref is not None else None
    for start, end, stay_id in periods:
        if own is not None and stay_id == own:
            continue
        if (end is None or end >= row.start_date) and (
            row.end_date is None or row.end_date >= start
        ):
            return "start_date", _l(
                "Opholdet overlapper et andet ophold for borgeren (fra %(start)s).",
                start=start.strftime("%d.%m.%Y"),
            )
    return None


def _records_outside(
    session: Session, stay_id: int, start: date, end: date | None
) -> tuple[str, Any] | None:
    """A stay imported before may not be shortened past its goals and follow-ups."""
    first, last = session.exec(
        select(func.min(FollowUp.followup_date), func.max(FollowUp.followup_date)).where(
            col(FollowUp.stay_id) == stay_id
        )
    ).one()
    first_goal, last_goal = session.exec(
        select(func.min(Goal.start_date), func.max(Goal.start_date)).where(
            col(Goal.stay_id) == stay_id
        )
    ).one()
    starts = [d for d in (first, first_goal) if d is not None]
    ends = [d for d in (last, last_goal) if d is not None]
    if (starts and start > min(starts)) or (end is not None and ends and end < max(ends)):
        return "start_date", _l("Opholdet har mål eller opfølgninger uden for de nye datoer.")
    return None


def _stays_of(session: Session, citizen_ids: list[int]) -> list[Stay]:
    out: list[Stay] = []
    for start in range(0, len(citizen_ids), CHUNK):
        chunk = citizen_ids[start : start + CHUNK]
        out += session.exec(select(Stay).where(col(Stay.citizen_id).in_(chunk))).all()
    return out


def _stays_by_id(session: Session, ids: list[int]) -> list[Stay]:
    out: list[Stay] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        out += session.exec(select(Stay).where(col(Stay.id).in_(chunk))).all()
    return out


def _find_duplicates(session: Session, plan: Plan, user_id: int | None) -> None:
    """New citizens like ones in the scope (only those: others are not the importer's to see),
    all checked at once (`similar_in_scope_many`: a query per 500 birth years, not per row)."""
    if not plan.scope:
        return
    actor = Actor(user_id=user_id or 0, scope=Scope(unit_ids=plan.scope))
    new = [p for p in plan.accepted(Kind.CITIZENS) if p.action == "create"]
    people = [(p.data.name, p.data.birth_year) for p in new]
    for planned, similar in zip(new, similar_in_scope_many(session, actor, people), strict=True):
        for one in similar:
            plan.duplicates.append(PossibleDuplicate(planned.sheet, planned.data.row, one))
