"""The locked self-report (issue #21 item 2): plan, answer, end and unlock one session.

A staff member starts a session for one citizen in a stay today (`start`): the questions are
fixed then, one per screen: every item of each self-report questionnaire the citizen's unit
uses whose wording exists in the UI language (licensed wording comes from the deployment's
overlay; a questionnaire without it cannot be shown to a citizen, `Plan.unworded` says which),
and not yet answered today; then the citizen's own rating (1-5) of each goal active today.
Answers are kept on the session as they come (`answer`), and written when it ends (`finish`:
answered to the end, stopped, or idle for SELF_REPORT_IDLE_MINUTES) into the citizen's
follow-up of the day, made if there is none, under the staff member who started it (the
change history's user): questionnaire answers as assessments with the self-report
perspective, goal ratings as the citizen's rating of each goal review of the day. A goal the
staff have not reviewed yet that day keeps its rating on the session until they do: the
follow-up form shows it (`pending_ratings`).

The lock (`open_session`) is the open session of the logged-in user's current login; while
it exists the app answers only the self-report pages (`lock.enforce_lock`). Only the starter's
password or self-report PIN unlocks it (`unlock`), each attempt in the login log and counted
by the login throttle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, select

from del_tool.audit.models import LoginEvent
from del_tool.auth.models import User
from del_tool.auth.passwords import hash_password, verify_password
from del_tool.citizens import history
from del_tool.citizens.access import Actor
from del_tool.errors import RuleError
from del_tool.followups.assessments import AssessmentInput, save_assessments
from del_tool.followups.context import FollowUpContext, edit_context, new_context
from del_tool.followups.models import FollowUp, GoalReview
from del_tool.followups.services import find_on_date
from del_tool.goals.models import Goal
from del_tool.modelbase import utcnow
from del_tool.questionnaires import QuestionnaireDefinition, Registry
from del_tool.selfreport.models import EndReason, SelfReportPin, SelfReportSession

#: The goal rating's values (the follow-up form's "Borgerens egen vurdering").
RATINGS = (1, 2, 3, 4, 5)
#: Login log reasons of unlock attempts; a wrong one counts as a failed login (throttle).
UNLOCK_OK = "self_report_unlock"
UNLOCK_WRONG = "wrong_unlock"
#: A PIN is digits only, this long.
PIN_LENGTH = (4, 8)


@dataclass(slots=True)
class Plan:
    """What a session for a citizen today would ask, and what it cannot."""

    context: FollowUpContext
    definitions: list[QuestionnaireDefinition] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    unworded: list[QuestionnaireDefinition] = field(default_factory=list)
    answered: list[QuestionnaireDefinition] = field(default_factory=list)

    @property
    def questions(self) -> list[dict[str, Any]]:
        """One entry per screen, in order."""
        items = [
            {"q": d.id, "v": d.version, "item": item.id}
            for d in self.definitions
            for item in d.items
        ]
        return items + [{"goal": goal.id} for goal in self.goals]


def plan_for(
    *, session: Session, actor: Actor, citizen_id: int, day: date, registry: Registry, lang: str
) -> Plan:
    """The questions of a session for the citizen on `day` (RuleError without a stay)."""
    existing = find_on_date(session, citizen_id, day)
    if existing is not None and existing.id is not None:
        context = edit_context(
            session=session, actor=actor, follow_up_id=existing.id, registry=registry
        )
    else:
        context = new_context(
            session=session, actor=actor, citizen_id=citizen_id, day=day, registry=registry
        )
    plan = Plan(context=context, goals=list(context.goals))
    for definition in context.definitions:
        if definition.perspective != "self_report":
            continue
        if not definition.wording_available(lang):
            plan.unworded.append(definition)
        elif any(v is not None for v in context.answers.get(definition.id, {}).values()):
            plan.answered.append(definition)
        else:
            plan.definitions.append(definition)
    return plan


def start(*, session: Session, actor: Actor, plan: Plan, login_marker: float) -> SelfReportSession:
    """Open a locked session with `plan`'s questions (flushes). RuleError when there is
    nothing to ask."""
    questions = plan.questions
    if not questions:
        raise RuleError("start", "nothing to ask")
    row = SelfReportSession(
        citizen_id=plan.context.citizen.id,  # type: ignore[arg-type]
        stay_id=plan.context.stay.id,  # type: ignore[arg-type]
        day=plan.context.day,
        started_by_id=actor.user_id,
        login_marker=login_marker,
        questions=questions,
    )
    session.add(row)
    session.flush()
    return row


def open_session(session: Session, user_id: int, login_marker: float) -> SelfReportSession | None:
    """The session that locks this login of the user, if any."""
    return session.exec(
        select(SelfReportSession).where(
            col(SelfReportSession.started_by_id) == user_id,
            col(SelfReportSession.unlocked_at).is_(None),
            col(SelfReportSession.login_marker) == login_marker,
        )
    ).first()


def idle_limit() -> timedelta:
    """How long the screen may be left before the session ends by itself."""
    return timedelta(minutes=int(current_app.config["SELF_REPORT_IDLE_MINUTES"]))


def is_idle(row: SelfReportSession) -> bool:
    """Whether the session has waited longer than the idle limit since its last answer."""
    return row.ended_at is None and utcnow() - row.last_activity_at > idle_limit()


def answer(row: SelfReportSession, value: int | None, *, move: int = 1) -> None:
    """Keep the answer to the current question (None: skipped) and move `move` screens on
    (-1: back, keeping the answer). ValueError for a value that is not one of its options."""
    question = row.questions[row.position]
    if "goal" in question:
        if value is not None and value not in RATINGS:
            raise ValueError(f"rating {value!r}")
        row.ratings = {**row.ratings, str(question["goal"]): value}
        flag_modified(row, "ratings")
    else:
        answers = dict(row.answers.get(question["q"], {}))
        answers[question["item"]] = value
        row.answers = {**row.answers, question["q"]: answers}
        flag_modified(row, "answers")
    row.position = max(0, min(len(row.questions), row.position + move))
    row.last_activity_at = utcnow()


def current_value(row: SelfReportSession) -> int | None:
    """The answer given before to the question on screen (shown when going back)."""
    question = row.questions[row.position]
    if "goal" in question:
        return row.ratings.get(str(question["goal"]))
    return row.answers.get(question["q"], {}).get(question["item"])


def finish(
    *,
    session: Session,
    actor: Actor,
    row: SelfReportSession,
    reason: EndReason,
    registry: Registry,
) -> FollowUp | None:
    """End the session and write its answers into the follow-up of its day (flushes); the
    follow-up, or None when nothing was answered. Writing again is a no-op."""
    if row.ended_at is None:
        row.ended_at = utcnow()
        row.end_reason = reason
        session.add(row)
    if row.follow_up_id is not None:
        return session.get(FollowUp, row.follow_up_id)
    answers = {
        qid: given
        for qid, given in row.answers.items()
        if any(v is not None for v in given.values())
    }
    ratings = {int(goal): value for goal, value in row.ratings.items() if value is not None}
    if not answers and not ratings:
        session.flush()
        return None
    follow_up = find_on_date(session, row.citizen_id, row.day)
    if follow_up is None:
        context = new_context(
            session=session, actor=actor, citizen_id=row.citizen_id, day=row.day, registry=registry
        )
        follow_up = FollowUp(
            citizen_id=row.citizen_id,
            stay_id=context.stay.id,  # type: ignore[arg-type]
            followup_date=row.day,
            kind=context.default_kind,
            recorded_by_id=actor.user_id,
        )
        history.insert(session, actor, follow_up, citizen_id=row.citizen_id)
    else:
        assert follow_up.id is not None  # noqa: S101 - a stored follow-up
        context = edit_context(
            session=session, actor=actor, follow_up_id=follow_up.id, registry=registry
        )
    definitions = [d for d in context.definitions if d.perspective == "self_report"]
    for qid, given in answers.items():
        try:
            save_assessments(session, actor, follow_up, definitions, [AssessmentInput(qid, given)])
        except RuleError:
            # The questionnaire left the unit, or its version changed, since the start: the
            # answers stay on the session (shown to the staff member), nothing is half-written.
            current_app.logger.warning("self-report %s: answers to %s not written", row.id, qid)
    for goal_id, value in ratings.items():
        review = context.reviews.get(goal_id)
        if review is not None and review.citizen_rating != value:
            history.update(
                session, actor, review, {"citizen_rating": value}, citizen_id=row.citizen_id
            )
    row.follow_up_id = follow_up.id
    session.add(row)
    session.flush()
    return follow_up


def pending_ratings(session: Session, follow_up: FollowUp) -> dict[int, int]:
    """Goal ratings the citizen gave on the self-report screen for goals of this follow-up
    that have no review yet (the form offers them as the citizen's rating)."""
    rows = session.exec(
        select(SelfReportSession)
        .where(col(SelfReportSession.follow_up_id) == follow_up.id)
        .order_by(col(SelfReportSession.id))
    ).all()
    reviewed = set(
        session.exec(
            select(GoalReview.goal_id).where(col(GoalReview.follow_up_id) == follow_up.id)
        ).all()
    )
    pending: dict[int, int] = {}
    for row in rows:
        for goal, value in row.ratings.items():
            if value is not None and int(goal) not in reviewed:
                pending[int(goal)] = value
    return pending


def check_unlock(session: Session, user: User, secret: str) -> bool:
    """Whether `secret` is the user's password or self-report PIN (both always checked, so
    the time does not tell which one a guess matched)."""
    pin = session.get(SelfReportPin, user.id)
    by_password = verify_password(user.password_hash, secret)
    by_pin = verify_password(pin.pin_hash if pin else None, secret)
    return by_password or by_pin


def unlock(
    *,
    session: Session,
    user: User,
    row: SelfReportSession,
    secret: str,
    address: str,
) -> bool:
    """Try to unlock `row` with `secret`; every attempt is in the login log (a wrong one
    counts towards the login delay). True when unlocked (flushes)."""
    ok = check_unlock(session, user, secret)
    session.add(
        LoginEvent(
            username=user.username,
            user_id=user.id,
            address=address[:64],
            success=ok,
            reason=UNLOCK_OK if ok else UNLOCK_WRONG,
        )
    )
    from del_tool.logs import security_event

    security_event(
        "self_report_unlock", outcome="ok" if ok else "wrong", user_id=user.id, session=row.id
    )
    if ok:
        row.unlocked_at = utcnow()
    else:
        row.failed_unlocks += 1
    session.add(row)
    session.flush()
    return ok


def has_local_password(user: User) -> bool:
    """Whether the user has a DEL password (not one signed in only through single sign-on)."""
    from del_tool.sso.provisioning import NO_PASSWORD

    return bool(user.password_hash) and user.password_hash != NO_PASSWORD


def has_pin(session: Session, user_id: int) -> bool:
    """Whether the user has set a self-report PIN."""
    return session.get(SelfReportPin, user_id) is not None


def set_pin(session: Session, user_id: int, pin: str) -> None:
    """Store (or replace) the user's PIN as an Argon2id hash (flushes)."""
    row = session.get(SelfReportPin, user_id)
    if row is None:
        row = SelfReportPin(user_id=user_id, pin_hash=hash_password(pin))
    else:
        row.pin_hash = hash_password(pin)
        row.set_at = utcnow()
    session.add(row)
    session.flush()
