"""The status statement (statusudtalelse): one citizen's goals, ratings, scores and chosen notes
in one period, for the citizen and the caseworker, as a page and a PDF (issue #15 item 10).

`build_status` reads what the statement shows from the citizen's profile (`load_profile`, so
the same scope rules hold: a view through a former centre's stay sees only that centre's part)
and keeps what falls in the period. Notes are free text about the citizen: a statement holds
only the follow-up notes the staff member ticks, none by default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session

from del_tool.citizens.access import Actor
from del_tool.citizens.profile import (
    FollowUpView,
    GoalView,
    Profile,
    ReviewPoint,
    SeriesPoint,
    StayView,
    load_profile,
)
from del_tool.citizens.purpose_progress import PurposeGoal, PurposeProgress, purpose_progress
from del_tool.followups.models import FollowUpKind
from del_tool.reports.common.period import Period, parse_period

#: The default period: the last six months up to today.
DEFAULT_MONTHS = 6


def default_period(today: date) -> Period:
    """Six months back from `today` (the same day six months earlier, plus one), to today."""
    month = today.month - DEFAULT_MONTHS
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    day = min(today.day, 28)
    start = date(year, month, day) + timedelta(days=1)
    return parse_period(f"{start.isoformat()}..{today.isoformat()}")


@dataclass(frozen=True, slots=True)
class GoalStatusLine:
    """A goal as the statement shows it: baseline, latest level in the period, target."""

    view: GoalView
    latest: ReviewPoint | None
    #: The newest review in the period with a rating or motivation, if any.
    rating: int | None
    motivation: int | None

    @property
    def latest_level(self) -> int:
        """The latest level reviewed up to the period's end, else the baseline."""
        return self.latest.level if self.latest else self.view.goal.baseline_level

    @property
    def met(self) -> bool:
        """Whether the latest level is at or better (lower) than the target."""
        return self.latest_level <= self.view.goal.target_level

    @property
    def change(self) -> int:
        """Levels improved since the baseline (positive is better)."""
        return self.view.goal.baseline_level - self.latest_level


@dataclass(frozen=True, slots=True)
class NoteChoice:
    """A follow-up in the period with a note the staff member may include."""

    follow_up_id: int
    day: date
    kind: FollowUpKind
    note: str


@dataclass(slots=True)
class StatusStatement:
    """Everything the statement shows."""

    profile: Profile
    period: Period
    stays: list[StayView]
    goals: list[GoalStatusLine]
    #: (questionnaire id, scale id) -> the scores in the period, oldest first.
    series: dict[tuple[str, str], list[SeriesPoint]]
    notes: list[NoteChoice]
    chosen_notes: list[NoteChoice] = field(default_factory=list)
    #: The action plan's purposes of the period's stays, with the period's goals linked.
    purposes: list[PurposeProgress] = field(default_factory=list)

    @property
    def follow_ups(self) -> int:
        """How many follow-ups fall in the period."""
        return sum(1 for fu in self.profile.follow_ups if self.period.contains(_day(fu)))


def build_status(
    *, session: Session, actor: Actor, citizen_id: int, period: Period, note_ids: set[int]
) -> StatusStatement:
    """The statement of a citizen in scope for `period` (NotFoundError / AccessDeniedError)."""
    profile = load_profile(session=session, actor=actor, citizen_id=citizen_id)
    stays = [s for s in profile.stays if _overlaps(s, period)]
    goals = [_goal_line(g, period) for g in profile.goals if _goal_in(g, period)]
    series = {
        key: in_period
        for key, points in profile.series.items()
        if (in_period := [p for p in points if period.contains(p.day)])
    }
    notes = [
        NoteChoice(fu.follow_up.id or 0, _day(fu), fu.follow_up.kind, fu.follow_up.note)
        for fu in sorted(profile.follow_ups, key=_day)
        if period.contains(_day(fu)) and fu.follow_up.note.strip()
    ]
    chosen = [n for n in notes if n.follow_up_id in note_ids]
    purposes = purpose_progress(
        session, stays, (PurposeGoal(g.view.goal, g.latest_level, g.met) for g in goals)
    )
    return StatusStatement(profile, period, stays, goals, series, notes, chosen, purposes)


def _day(view: FollowUpView) -> date:
    return view.follow_up.followup_date


def _overlaps(view: StayView, period: Period) -> bool:
    stay = view.stay
    return stay.start_date <= period.end and (
        stay.end_date is None or stay.end_date >= period.start
    )


def _goal_in(view: GoalView, period: Period) -> bool:
    """A goal set before the period ends and not closed before it begins."""
    goal = view.goal
    return goal.start_date <= period.end and (
        goal.closed_on is None or goal.closed_on >= period.start
    )


def _goal_line(view: GoalView, period: Period) -> GoalStatusLine:
    upto = [r for r in view.reviews if r.day <= period.end]
    within = [r for r in upto if r.day >= period.start]
    rating = next((r.citizen_rating for r in reversed(within) if r.citizen_rating), None)
    motivation = next((r.motivation for r in reversed(within) if r.motivation), None)
    return GoalStatusLine(view, upto[-1] if upto else None, rating, motivation)
