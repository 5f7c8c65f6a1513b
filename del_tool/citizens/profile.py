"""The citizen profile: stays, goals with their progress, the follow-up timeline and score series.

`load_profile` reads everything a profile page shows into plain dataclasses (so charts and
templates never touch the session), after checking that the citizen is in the actor's scope;
an actor who reaches the citizen only through a past stay gets that centre's stays and what
belongs to them (`Profile.partial`), never the rest of the record.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, func, select

from del_tool.auth.models import User
from del_tool.citizens.access import Actor, get_citizen, visible_stay_ids
from del_tool.citizens.contacts import contact_names
from del_tool.citizens.models import Citizen, Stay
from del_tool.followups.models import Assessment, AssessmentScore, FollowUp, GoalReview
from del_tool.goals.models import Goal, GoalDirection, GoalStatus
from del_tool.organisation.models import Municipality, OfferKind, Unit, section_fits


@dataclass(frozen=True, slots=True)
class StayView:
    """A stay with its unit and payer names; `editable` when its unit is in scope."""

    stay: Stay
    unit_name: str
    municipality_name: str
    editable: bool
    contact_name: str | None = None
    #: Whether the legal section fits the unit's kind of offer (README "Stays").
    section_fits: bool = True

    def current_on(self, day: date) -> bool:
        """Whether the stay covers `day`."""
        return self.stay.start_date <= day and (
            self.stay.end_date is None or self.stay.end_date >= day
        )

    def planned_on(self, day: date) -> bool:
        """Whether the stay is still to begin on `day` (a planned admission)."""
        return self.stay.start_date > day


@dataclass(frozen=True, slots=True)
class ReviewPoint:
    """A goal's review at one follow-up."""

    day: date
    level: int
    gas_score: int | None
    citizen_rating: int | None
    motivation: int | None


@dataclass(slots=True)
class GoalView:
    """A goal with its reviews, oldest first."""

    goal: Goal
    editable: bool
    reviews: list[ReviewPoint] = field(default_factory=list)

    @property
    def latest_level(self) -> int:
        """The most recent reviewed level, else the baseline."""
        return self.reviews[-1].level if self.reviews else self.goal.baseline_level

    @property
    def met(self) -> bool:
        """Whether the latest level is at or below (better than or equal to) the target."""
        return self.latest_level <= self.goal.target_level

    @property
    def change(self) -> int:
        """Levels improved since the baseline (positive is better, since 0 is best)."""
        return self.goal.baseline_level - self.latest_level


@dataclass(frozen=True, slots=True)
class ScoreView:
    """One scale score of one assessment."""

    questionnaire_id: str
    questionnaire_version: str
    scale_id: str
    value: float | None


@dataclass(slots=True)
class FollowUpView:
    """A follow-up in the timeline, with its reviews and scores."""

    follow_up: FollowUp
    recorded_by: str | None
    editable: bool
    reviews: int = 0
    scores: list[ScoreView] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """One score of one scale on one date."""

    day: date
    value: float


@dataclass(slots=True)
class Profile:
    """Everything the profile page shows about one citizen."""

    citizen: Citizen
    stays: list[StayView]
    goals: list[GoalView]
    follow_ups: list[FollowUpView]
    #: (questionnaire id, scale id) -> scores over time, oldest first.
    series: dict[tuple[str, str], list[SeriesPoint]]
    #: Only the stays of a former centre are shown (access through a past stay).
    partial: bool = False

    def current_stay(self, today: date) -> StayView | None:
        """The stay covering `today`, if any."""
        return next((s for s in self.stays if s.current_on(today)), None)

    def next_planned_stay(self, today: date) -> StayView | None:
        """The first stay that begins after `today`, if any."""
        planned = [s for s in self.stays if s.planned_on(today)]
        return min(planned, key=lambda s: s.stay.start_date) if planned else None

    @property
    def active_goals(self) -> list[GoalView]:
        """Goals still being worked on."""
        return [g for g in self.goals if g.goal.status is GoalStatus.ACTIVE]


def load_profile(*, session: Session, actor: Actor, citizen_id: int) -> Profile:
    """The profile of a citizen in scope (NotFoundError / AccessDeniedError otherwise)."""
    citizen = get_citizen(session, actor, citizen_id)
    visible = visible_stay_ids(session, actor, citizen_id)
    stays = [
        s for s in _stays(session, actor, citizen_id) if visible is None or s.stay.id in visible
    ]
    editable_stays = {s.stay.id for s in stays if s.editable}
    goals = _goals(session, citizen_id, editable_stays, visible)
    follow_ups, series = _follow_ups(session, citizen_id, editable_stays, visible)
    return Profile(citizen, stays, goals, follow_ups, series, partial=visible is not None)


def chart_data(
    *, session: Session, citizen_id: int
) -> tuple[dict[tuple[str, str], list[SeriesPoint]], list[GoalView]]:
    """What the profile's charts are drawn from: every score series and goal of the citizen
    (the same whoever looks; a job draws them, so no access check here)."""
    return _follow_ups(session, citizen_id, set())[1], _goals(session, citizen_id, set())


def _stays(session: Session, actor: Actor, citizen_id: int) -> list[StayView]:
    rows = session.exec(
        select(Stay, Unit.name, Municipality.name, Unit.offer_kind)
        .join(Unit, col(Unit.id) == Stay.unit_id)
        .join(Municipality, col(Municipality.code) == Stay.municipality_code)
        .where(col(Stay.citizen_id) == citizen_id)
        .order_by(col(Stay.start_date).desc())
    ).all()
    contacts = contact_names(session, [stay.contact_user_id for stay, *_ in rows])
    return [
        StayView(
            stay,
            unit,
            municipality,
            actor.allows_unit(stay.unit_id),
            contacts.get(stay.contact_user_id or 0),
            section_fits(kind if isinstance(kind, OfferKind) else None, stay.legal_section),
        )
        for stay, unit, municipality, kind in rows
    ]


_DIRECTION_ORDER = {
    GoalDirection.DEVELOP: 0,
    GoalDirection.MAINTAIN: 1,
    GoalDirection.LIMIT_LOSS: 2,
}
_STATUS_ORDER = {GoalStatus.ACTIVE: 0, GoalStatus.ACHIEVED: 1, GoalStatus.ENDED: 2}


def _goals(
    session: Session,
    citizen_id: int,
    editable_stays: set[int | None],
    visible: frozenset[int] | None = None,
) -> list[GoalView]:
    goals = session.exec(select(Goal).where(col(Goal.citizen_id) == citizen_id)).all()
    goals = [g for g in goals if visible is None or g.stay_id in visible]
    views = {g.id: GoalView(g, g.stay_id in editable_stays) for g in goals}
    reviews = session.exec(
        select(GoalReview, col(FollowUp.followup_date))
        .join(FollowUp, col(FollowUp.id) == GoalReview.follow_up_id)
        .where(col(FollowUp.citizen_id) == citizen_id)
        .order_by(col(FollowUp.followup_date))
    ).all()
    for review, day in reviews:
        if review.goal_id in views:
            views[review.goal_id].reviews.append(
                ReviewPoint(
                    day, review.level, review.gas_score, review.citizen_rating, review.motivation
                )
            )
    return sorted(
        views.values(),
        key=lambda v: (
            _STATUS_ORDER[v.goal.status],
            -v.goal.start_date.toordinal(),
            _DIRECTION_ORDER[v.goal.direction],
            v.goal.id or 0,
        ),
    )


def _follow_ups(
    session: Session,
    citizen_id: int,
    editable_stays: set[int | None],
    visible: frozenset[int] | None = None,
) -> tuple[list[FollowUpView], dict[tuple[str, str], list[SeriesPoint]]]:
    rows = session.exec(
        select(FollowUp, User.display_name)
        .outerjoin(User, col(User.id) == FollowUp.recorded_by_id)
        .where(col(FollowUp.citizen_id) == citizen_id)
        .order_by(col(FollowUp.followup_date).desc())
    ).all()
    rows = [(fu, name) for fu, name in rows if visible is None or fu.stay_id in visible]
    views = {fu.id: FollowUpView(fu, name, fu.stay_id in editable_stays) for fu, name in rows}
    for follow_up_id, count in session.exec(
        select(GoalReview.follow_up_id, func.count())
        .where(col(GoalReview.follow_up_id).in_(list(views)))
        .group_by(col(GoalReview.follow_up_id))
    ).all():
        views[follow_up_id].reviews = count
    series: dict[tuple[str, str], list[SeriesPoint]] = defaultdict(list)
    scores = session.exec(
        select(Assessment.follow_up_id, Assessment.questionnaire_version, AssessmentScore)
        .join(AssessmentScore, col(AssessmentScore.assessment_id) == Assessment.id)
        .where(col(Assessment.follow_up_id).in_(list(views)))
        .order_by(col(AssessmentScore.id))
    ).all()
    for follow_up_id, version, score in scores:
        view = views[follow_up_id]
        view.scores.append(ScoreView(score.questionnaire_id, version, score.scale_id, score.value))
        if score.value is not None:
            series[(score.questionnaire_id, score.scale_id)].append(
                SeriesPoint(view.follow_up.followup_date, score.value)
            )
    for points in series.values():
        points.sort(key=lambda p: p.day)
    return list(views.values()), dict(series)
