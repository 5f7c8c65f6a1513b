"""Recording and following up actions, with the change history, scope checks and rules.

Every function takes the session and an `Actor` as keyword arguments, checks the scope, writes
the change history in the same transaction (no citizen: an action is organisation data),
flushes and never commits. Input that breaks a rule raises `RuleError` naming the form field;
a stale version raises `ConflictError`. Leaders record and change actions of the units of their
centre (and of the centre itself); staff only read those of their units.

The figure an action should move is always read from a built report (`figure_of`), never from
what a browser sends: the snapshot is the report's own, already suppressed, value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, or_, select

from del_tool.actions.models import Action, ActionStatus
from del_tool.auth.access import AccessDeniedError, NotFoundError
from del_tool.auth.models import Role, User
from del_tool.citizens import history
from del_tool.citizens.access import Actor, get_by_id
from del_tool.citizens.services import check_version
from del_tool.errors import RuleError
from del_tool.forms import text_problem
from del_tool.organisation.models import Unit
from del_tool.reports.common.model import Report

#: Report kinds whose figures and table rows can carry actions.
ACTION_KINDS = ("documentation", "effect", "learning")
OWNER_MAX = 120
WHAT_MAX = 2000


@dataclass(frozen=True, slots=True)
class FigureRef:
    """Which figure of a report: its section and a key figure or a table's row."""

    section_key: str
    figure_key: str | None = None
    table_key: str | None = None
    row_label: str | None = None


@dataclass(frozen=True, slots=True)
class FigureShown:
    """A figure as a report shows it: label, value (JSON-ready), kind, decimals, note, n."""

    label: str
    value: Any
    kind: str
    decimals: int
    note: str | None
    n: int | None


@dataclass(frozen=True, slots=True)
class ActionData:
    """What a leader enters about an action."""

    what: str
    owner: str
    due_date: date
    shared_with_council: bool = False


def records_actions(user: User) -> bool:
    """Whether the user records actions (leaders)."""
    return user.role is Role.LEADER


def figure_of(report: Report, ref: FigureRef) -> FigureShown:
    """The figure `ref` names in `report`; NotFoundError when the report has no such figure."""
    from del_tool.reports.codec import encode
    from del_tool.reports.rendering.formatting import format_value

    try:
        section = report.section(ref.section_key)
    except KeyError as error:
        raise NotFoundError(f"section {ref.section_key!r}") from error
    if ref.figure_key is not None:
        for figure in section.figures:
            if figure.key == ref.figure_key:
                note = figure.note if figure.note is not None else figure.reason
                return FigureShown(
                    label=str(figure.label),
                    value=encode(figure.value),
                    kind=figure.kind,
                    decimals=figure.decimals,
                    note=None if note is None else str(note),
                    n=None,
                )
        raise NotFoundError(f"figure {ref.figure_key!r}")
    for table in section.tables:
        if table.key != ref.table_key or table.personal:
            continue
        for row in table.rows:
            if str(row[0]) == ref.row_label:
                cells = [
                    f"{column.label}: {format_value(value, column.kind, column.decimals)}"
                    for column, value in zip(table.columns[1:], row[1:], strict=False)
                ]
                keys = [column.key for column in table.columns]
                n = row[keys.index("n")] if "n" in keys else None
                return FigureShown(
                    label=f"{table.title}: {row[0]}",
                    value="; ".join(cells),
                    kind="text",
                    decimals=0,
                    note=None if table.note is None else str(table.note),
                    n=n if isinstance(n, int) and not isinstance(n, bool) else None,
                )
        raise NotFoundError(f"row {ref.row_label!r} of table {ref.table_key!r}")
    raise NotFoundError(f"table {ref.table_key!r}")


def _owner_of_scope(scope_key: str) -> tuple[int | None, int | None]:
    """(unit_id, centre_id) of a report scope key; NotFoundError for the region."""
    level, _, raw = scope_key.partition(":")
    if level not in ("unit", "centre") or not raw.isdigit():
        raise NotFoundError(f"actions belong to a unit or a centre, not {scope_key!r}")
    return (int(raw), None) if level == "unit" else (None, int(raw))


def _units_of(session: Session, action: Action) -> set[int]:
    if action.unit_id is not None:
        return {action.unit_id}
    ids = session.exec(select(Unit.id).where(Unit.centre_id == action.centre_id)).all()
    return {i for i in ids if i is not None}


def _sees(session: Session, actor: Actor, action: Action) -> bool:
    units = _units_of(session, action)
    if actor.scope.unit_ids is None:
        return True
    if action.centre_id is not None:
        return bool(units) and units <= actor.scope.unit_ids
    return bool(units & actor.scope.unit_ids)


def _check_data(data: ActionData, *, today: date, old_due: date | None = None) -> None:
    if not data.what.strip():
        raise RuleError("what", _l("Skriv, hvad der skal ændres."))
    if not data.owner.strip():
        raise RuleError("owner", _l("Skriv, hvem der er ansvarlig."))
    for name, text, most in (("what", data.what, WHAT_MAX), ("owner", data.owner, OWNER_MAX)):
        problem = text_problem(text, max_chars=most)
        if problem is not None:
            raise RuleError(name, problem)
    if data.due_date < today and data.due_date != old_due:
        raise RuleError("due_date", _l("Fristen kan ikke ligge før i dag."))


def create_action(
    *,
    session: Session,
    actor: Actor,
    user: User,
    report: Report,
    scope_key: str,
    ref: FigureRef,
    data: ActionData,
    today: date,
) -> Action:
    """A new open action on a figure of `report` (built for `scope_key`), by a leader who sees
    the whole scope."""
    if not records_actions(user):
        raise AccessDeniedError("only leaders record actions")
    if report.kind not in ACTION_KINDS:
        raise NotFoundError(f"report kind {report.kind} carries no actions")
    unit_id, centre_id = _owner_of_scope(scope_key)
    figure = figure_fields(report, scope_key, ref)  # NotFoundError for a figure not shown
    _check_data(data, today=today)
    row = Action(
        unit_id=unit_id,
        centre_id=centre_id,
        created_by=actor.user_id,
        owner=data.owner.strip(),
        what=data.what.strip(),
        due_date=data.due_date,
        status=ActionStatus.OPEN,
        shared_with_council=data.shared_with_council,
        **figure,
    )
    if not _sees(session, actor, row):
        raise AccessDeniedError(f"scope {scope_key} is outside the user's scope")
    return history.insert(session, actor, row, citizen_id=None)


def figure_fields(report: Report, scope_key: str, ref: FigureRef) -> dict[str, Any]:
    """The columns of an action that name its figure and keep it as `report` shows it."""
    shown = figure_of(report, ref)
    return {
        "report_kind": report.kind,
        "section_key": ref.section_key,
        "figure_key": ref.figure_key,
        "table_key": None if ref.figure_key is not None else ref.table_key,
        "row_label": None if ref.figure_key is not None else ref.row_label,
        "scope_key": scope_key,
        "period_key": report.period.key,
        "period_start": report.period.start,
        "period_end": report.period.end,
        "figure_label": shown.label[:300],
        "figure_value": shown.value,
        "figure_kind": shown.kind,
        "figure_decimals": shown.decimals,
        "figure_note": None if shown.note is None else shown.note[:2000],
        "figure_n": shown.n,
    }


def get_action(
    session: Session, actor: Actor, action_id: int, *, user: User | None = None
) -> Action:
    """The action in the actor's scope (404 missing, 403 outside); with `user`, one they may
    change (leaders)."""
    action = get_by_id(session, Action, action_id)
    if action is None:
        raise NotFoundError(f"action {action_id}")
    if not _sees(session, actor, action):
        raise AccessDeniedError(f"action {action_id} is outside the user's scope")
    if user is not None and not records_actions(user):
        raise AccessDeniedError("only leaders change actions")
    return action


def update_action(
    *,
    session: Session,
    actor: Actor,
    user: User,
    action_id: int,
    data: ActionData,
    version: int | None,
    today: date,
) -> Action:
    """Change what, owner, due date or sharing of an action (optimistic locking)."""
    row = get_action(session, actor, action_id, user=user)
    values = {
        "what": data.what.strip(),
        "owner": data.owner.strip(),
        "due_date": data.due_date,
        "shared_with_council": data.shared_with_council,
    }
    if not check_version(row, version, values):
        return row
    _check_data(data, today=today, old_due=row.due_date)
    return history.update(session, actor, row, values, citizen_id=None)


def set_status(
    *,
    session: Session,
    actor: Actor,
    user: User,
    action_id: int,
    status: ActionStatus,
    outcome_note: str | None,
    version: int | None,
) -> Action:
    """Mark an action done (with what came of it), dropped, or open again."""
    row = get_action(session, actor, action_id, user=user)
    note = (outcome_note or "").strip() or None
    if status is ActionStatus.DONE and note is None:
        raise RuleError("outcome_note", _l("Skriv, hvad der kom ud af handlingen."))
    problem = text_problem(note or "", max_chars=WHAT_MAX)
    if problem is not None:
        raise RuleError("outcome_note", problem)
    values: dict[str, Any] = {
        "status": status,
        "outcome_note": note if status is ActionStatus.DONE else None,
    }
    if not check_version(row, version, values):
        return row
    values["done_at"] = datetime.now(UTC) if status is ActionStatus.DONE else None
    return history.update(session, actor, row, values, citizen_id=None)


def visible_actions(
    session: Session,
    actor: Actor,
    *,
    unit_id: int | None = None,
    centre_id: int | None = None,
    status: str | None = None,
    today: date,
) -> list[Action]:
    """The actions the actor sees, newest due last: of one unit (and its centre's) or one
    centre's, with a status "open", "done", "dropped" or "overdue" (open, past due)."""
    query = select(Action)
    if unit_id is not None:
        unit = session.get(Unit, unit_id)
        centre = unit.centre_id if unit is not None else -1
        query = query.where(or_(Action.unit_id == unit_id, Action.centre_id == centre))
    elif centre_id is not None:
        units = select(Unit.id).where(Unit.centre_id == centre_id)
        query = query.where(or_(Action.centre_id == centre_id, col(Action.unit_id).in_(units)))
    if status == "overdue":
        query = query.where(Action.status == ActionStatus.OPEN, col(Action.due_date) < today)
    elif status in {s.value for s in ActionStatus}:
        query = query.where(Action.status == ActionStatus(status))
    rows = session.exec(query.order_by(col(Action.due_date), col(Action.id))).all()
    return [row for row in rows if _sees(session, actor, row)]


def overdue_count(session: Session, actor: Actor, *, today: date) -> int:
    """How many open actions the actor sees are past their due date."""
    return len(visible_actions(session, actor, status="overdue", today=today))


def actions_for_report(
    session: Session, *, kind: str, scope_key: str, period_start: date
) -> Sequence[Action]:
    """Actions recorded on reports of `kind` and `scope_key` for an earlier period (one that
    started before `period_start`), not dropped, oldest first."""
    query = (
        select(Action)
        .where(
            Action.report_kind == kind,
            Action.scope_key == scope_key,
            col(Action.period_start) < period_start,
            Action.status != ActionStatus.DROPPED,
        )
        .order_by(col(Action.period_start), col(Action.id))
    )
    return session.exec(query).all()
