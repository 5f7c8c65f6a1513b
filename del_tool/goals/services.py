"""Goals: create, edit (optimistic locking), end or mark achieved; with scope and history."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, func, select

from del_tool.auth.access import NotFoundError
from del_tool.citizens import history
from del_tool.citizens.access import (
    Actor,
    ensure_stay_editable,
    ensure_stay_visible,
    get_by_id,
    get_citizen,
    ident,
    stay_in_scope_clause,
)
from del_tool.citizens.models import Stay
from del_tool.citizens.purposes import check_goal_purpose
from del_tool.citizens.services import check_version
from del_tool.errors import RuleError
from del_tool.followups.models import FollowUp, GoalReview
from del_tool.goals.models import LEVEL_MAX, LEVEL_MIN, Goal, GoalDirection, GoalStatus, Theme
from del_tool.goals.rules import direction_problem
from del_tool.i18n import format_day
from del_tool.text import is_blank


@dataclass(frozen=True, slots=True)
class GoalData:
    """What a user enters about a goal."""

    theme: Theme
    title: str
    description: str
    direction: GoalDirection
    baseline_level: int
    target_level: int
    weight: float
    start_date: date
    review_date: date | None = None
    gas_minus2: str | None = None
    gas_minus1: str | None = None
    gas_zero: str | None = None
    gas_plus1: str | None = None
    gas_plus2: str | None = None
    #: The purpose of the stay's action plan (`StayPurpose`) the goal serves, if any.
    purpose_id: int | None = None


def get_goal(session: Session, actor: Actor, goal_id: int) -> Goal:
    """A goal whose stay is in the actor's scope (for changes); 404 / 403 otherwise."""
    goal = get_by_id(session, Goal, goal_id)
    if goal is None:
        raise NotFoundError(f"goal {goal_id}")
    ensure_stay_visible(session, actor, goal.citizen_id, goal.stay_id)
    stay = session.get(Stay, goal.stay_id)
    if stay is None:
        raise NotFoundError(f"stay {goal.stay_id}")
    ensure_stay_editable(actor, stay)
    return goal


def stay_for_date(session: Session, actor: Actor, citizen_id: int, day: date) -> Stay | None:
    """The citizen's stay in a unit of the actor's scope that covers `day`, if any."""
    return session.exec(
        select(Stay).where(
            col(Stay.citizen_id) == citizen_id,
            stay_in_scope_clause(actor),
            col(Stay.start_date) <= day,
            (col(Stay.end_date).is_(None)) | (col(Stay.end_date) >= day),
        )
    ).first()


def create_goal(*, session: Session, actor: Actor, citizen_id: int, data: GoalData) -> Goal:
    """A new goal in the citizen's stay (in the actor's units) that covers its start date."""
    get_citizen(session, actor, citizen_id)
    check_goal(data)
    stay = stay_for_date(session, actor, citizen_id, data.start_date)
    if stay is None:
        raise RuleError(
            "start_date",
            _l("Borgeren har intet ophold i dine tilbud på startdatoen."),
        )
    check_goal_purpose(session, ident(stay.id), data.purpose_id)
    goal = Goal(citizen_id=citizen_id, stay_id=stay.id, **asdict(data))  # type: ignore[arg-type]
    return history.insert(session, actor, goal, citizen_id=citizen_id)


def update_goal(
    *, session: Session, actor: Actor, goal_id: int, data: GoalData, version: int | None
) -> Goal:
    """Change a goal; refused with ConflictError when someone saved it since the form was read."""
    goal = get_goal(session, actor, goal_id)
    values = asdict(data)
    if not check_version(goal, version, values):
        return goal
    check_goal(data)
    stay = session.get(Stay, goal.stay_id)
    if stay is not None and not (
        stay.start_date <= data.start_date
        and (stay.end_date is None or data.start_date <= stay.end_date)
    ):
        raise RuleError("start_date", _l("Startdatoen skal ligge inden for opholdet."))
    check_goal_purpose(session, goal.stay_id, data.purpose_id)
    first_review = session.exec(
        select(func.min(FollowUp.followup_date))
        .join(GoalReview, col(GoalReview.follow_up_id) == FollowUp.id)
        .where(col(GoalReview.goal_id) == goal.id)
    ).one()
    if first_review is not None and data.start_date > first_review:
        raise RuleError(
            "start_date",
            _l(
                "Målet er fulgt op %(date)s; startdatoen må ikke være senere.",
                date=format_day(first_review),
            ),
        )
    if goal.closed_on is not None and goal.closed_on < data.start_date:
        raise RuleError("start_date", _l("Startdatoen må ikke være efter slutdatoen."))
    return history.update(session, actor, goal, values, citizen_id=goal.citizen_id)


def close_goal(
    *,
    session: Session,
    actor: Actor,
    goal_id: int,
    status: GoalStatus,
    closed_on: date,
    version: int | None,
) -> Goal:
    """Mark a goal achieved or ended on `closed_on` (not before its start)."""
    if status is GoalStatus.ACTIVE:
        raise RuleError("status", _l("Vælg, hvordan målet slutter."))
    goal = get_goal(session, actor, goal_id)
    values: dict[str, object] = {"status": status, "closed_on": closed_on}
    if not check_version(goal, version, values):
        return goal
    if goal.status is not GoalStatus.ACTIVE:
        raise RuleError("status", _l("Målet er allerede afsluttet."))
    if closed_on < goal.start_date:
        raise RuleError("closed_on", _l("Datoen må ikke være før målets startdato."))
    return history.update(session, actor, goal, values, citizen_id=goal.citizen_id)


def check_goal(data: GoalData) -> None:
    """The same rules as the form (and the database CHECKs), for callers other than the form."""
    if is_blank(data.title):
        raise RuleError("title", _l("Skriv målet."))
    for name, level in (
        ("baseline_level", data.baseline_level),
        ("target_level", data.target_level),
    ):
        if not LEVEL_MIN <= level <= LEVEL_MAX:
            raise RuleError(name, _l("Vælg et niveau fra 0 til 4."))
    problem = direction_problem(data.direction, data.baseline_level, data.target_level)
    if problem is not None:
        raise RuleError("target_level", problem)
    if not 0 < data.weight <= 10:
        raise RuleError("weight", _l("Skriv en vægt mellem 0,1 og 10."))
    if data.review_date is not None and data.review_date < data.start_date:
        raise RuleError("review_date", _l("Revurderingsdatoen må ikke være før startdatoen."))


#: The former private name (tests call it so).
_check_goal = check_goal
