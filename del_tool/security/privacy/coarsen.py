"""Coarsening an anonymised citizen's dates to the month (`ANONYMISE_COARSEN_DATES`).

Exact dates of stays and follow-ups single a person out as well as a name does, so an
anonymised record keeps only the month of each, chosen so that what the reports compute
from month-aligned periods (quarters, half-years, years) stays as it was:

- a stay runs from the first of its start month to the last of its end month (it widens, so
  every follow-up and goal still lies inside it, and it overlaps the same periods);
- goal dates (start, review, closed) become the first of their month (order kept);
- follow-ups keep their month and their order: the k-th follow-up of a month moves to day k,
  so no two fall on the same day (one follow-up per citizen and date) and "first" and
  "latest" in a period are the same follow-ups as before;
- creation times become the first of their month;
- the referral that led to a stay is dated the first of its months (referred and decided), and
  a special service bought for a stay runs over whole months, like the stay.

Figures that depend on the days themselves (days of stay and their cost, intervals between
follow-ups, trajectories over time) change for these citizens; everything else stays.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime

from sqlmodel import Session, col, select

from del_tool.citizens.models import Citizen, Stay, StayService
from del_tool.followups.models import FollowUp
from del_tool.goals.models import Goal
from del_tool.organisation.models import Referral


def first_of_month(day: date) -> date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def last_of_month(day: date) -> date:
    """The last day of `day`'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _month_start(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def coarsen_citizen_dates(*, session: Session, citizen_id: int) -> None:
    """Coarsen the dates of one citizen's records as the module docstring says; flushes."""
    citizen = session.get(Citizen, citizen_id)
    if citizen is not None:
        citizen.created_at = _month_start(citizen.created_at)
        session.add(citizen)
    stay_ids = []
    for stay in session.exec(select(Stay).where(Stay.citizen_id == citizen_id)):
        stay.start_date = first_of_month(stay.start_date)
        if stay.end_date is not None:
            stay.end_date = last_of_month(stay.end_date)
        session.add(stay)
        stay_ids.append(stay.id)
    for referral in session.exec(select(Referral).where(col(Referral.stay_id).in_(stay_ids))):
        referral.referred_on = first_of_month(referral.referred_on)
        referral.decided_on = referral.decided_on and first_of_month(referral.decided_on)
        session.add(referral)
    for service in session.exec(select(StayService).where(col(StayService.stay_id).in_(stay_ids))):
        service.valid_from = first_of_month(service.valid_from)
        service.valid_to = service.valid_to and last_of_month(service.valid_to)
        session.add(service)
    for goal in session.exec(select(Goal).where(Goal.citizen_id == citizen_id)):
        goal.start_date = first_of_month(goal.start_date)
        goal.review_date = goal.review_date and first_of_month(goal.review_date)
        goal.closed_on = goal.closed_on and first_of_month(goal.closed_on)
        goal.created_at = _month_start(goal.created_at)
        session.add(goal)
    session.flush()
    _coarsen_follow_ups(session, citizen_id)


def _coarsen_follow_ups(session: Session, citizen_id: int) -> None:
    follow_ups = session.exec(
        select(FollowUp)
        .where(FollowUp.citizen_id == citizen_id)
        .order_by(col(FollowUp.followup_date))
    ).all()
    rank: dict[date, int] = {}
    for follow_up in follow_ups:
        month = first_of_month(follow_up.followup_date)
        rank[month] = rank.get(month, 0) + 1
        # Earlier days first, one flush each: day k is never held by a later follow-up (its
        # day is above k), so the unique (citizen, date) never clashes on the way.
        follow_up.followup_date = month.replace(day=rank[month])
        follow_up.created_at = _month_start(follow_up.created_at)
        session.add(follow_up)
        session.flush()
