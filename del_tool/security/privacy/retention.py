"""The retention job: what DEL keeps, and for how long (policy in config, README).

- Citizens are anonymised `RETENTION_YEARS_AFTER_DISCHARGE` years after their last stay ended
  (citizens without stays: after their record was created); open stays keep a citizen. A
  municipality that operates offers sets its own period (`RETENTION_YEARS_BY_OPERATOR`, by its
  code); a citizen who stayed with several operators is kept as long as the longest of theirs.
- Login events are deleted after `LOGIN_EVENT_RETENTION_DAYS` days.
- Access events (and the leaders' reviews of them) after `ACCESS_EVENT_RETENTION_YEARS` years.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from del_tool.audit.models import AccessEvent, AccessReview, LoginEvent
from del_tool.citizens.models import Citizen, Stay
from del_tool.security.privacy.anonymise import anonymise_citizen


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """The retention periods."""

    years_after_discharge: int
    login_event_days: int
    access_event_years: int
    #: Years after discharge per operating municipality (code); the rest use the default.
    years_by_operator: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class RetentionReport:
    """What a retention run did (or, dry, would do)."""

    citizens: list[int] = field(default_factory=list)
    login_events: int = 0
    access_events: int = 0


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def due_citizens(
    session: Session, *, today: date, years: int, years_by_operator: dict[str, int] | None = None
) -> list[int]:
    """Ids of citizens not yet anonymised whose retention period has run out: `years` after
    their last stay, or the longest period of the operators of the units they stayed in."""
    by_operator = years_by_operator or {}
    default = _due(session, today=today, years=years)
    if not by_operator:
        return default
    shortest = min([years, *by_operator.values()])
    candidates = _due(session, today=today, years=shortest) if shortest < years else default
    return _by_operator(session, candidates, today, years, by_operator, set(default))


def _by_operator(
    session: Session,
    candidates: list[int],
    today: date,
    years: int,
    by_operator: dict[str, int],
    default: set[int],
) -> list[int]:
    """The candidates whose last stay ended before the longest period of their operators (a
    citizen without stays: when due by the default period)."""
    from del_tool.organisation.operators import unit_operators

    operators = unit_operators(session)
    longest: dict[int, int] = {}
    last_end: dict[int, date] = {}
    rows = session.exec(
        select(Stay.citizen_id, Stay.unit_id, col(Stay.end_date)).where(
            col(Stay.citizen_id).in_(candidates)
        )
    ).all()
    for citizen_id, unit_id, end in rows:
        operator = operators.get(unit_id)
        period = by_operator.get(operator, years) if operator else years
        longest[citizen_id] = max(period, longest.get(citizen_id, 0))
        if end is not None:
            last_end[citizen_id] = max(end, last_end.get(citizen_id, end))
    return [
        c
        for c in candidates
        if (c in default if c not in longest else last_end[c] < _years_before(today, longest[c]))
    ]


def _due(session: Session, *, today: date, years: int) -> list[int]:
    """Ids of citizens not yet anonymised whose last stay ended `years` ago (or, without
    stays, whose record was made then)."""
    cutoff = _years_before(today, years)
    open_stay = select(Stay.citizen_id).where(col(Stay.end_date).is_(None))
    last_end = (
        select(Stay.citizen_id, func.max(Stay.end_date).label("last_end"))
        .group_by(col(Stay.citizen_id))
        .subquery()
    )
    with_stays = (
        select(Citizen.id)
        .join(last_end, last_end.c.citizen_id == Citizen.id)
        .where(
            col(Citizen.anonymised_at).is_(None),
            col(Citizen.id).not_in(open_stay),
            last_end.c.last_end < cutoff,
        )
    )
    cutoff_time = datetime(cutoff.year, cutoff.month, cutoff.day, tzinfo=UTC)
    without_stays = select(Citizen.id).where(
        col(Citizen.anonymised_at).is_(None),
        col(Citizen.id).not_in(select(Stay.citizen_id)),
        col(Citizen.created_at) < cutoff_time,
    )
    ids = set(session.exec(with_stays).all()) | set(session.exec(without_stays).all())
    return sorted(i for i in ids if i is not None)


def run_retention(
    *, session: Session, policy: RetentionPolicy, now: datetime, dry_run: bool
) -> RetentionReport:
    """Apply the policy (or only count, when `dry_run`); flushes, never commits."""
    report = RetentionReport()
    report.citizens = due_citizens(
        session,
        today=now.date(),
        years=policy.years_after_discharge,
        years_by_operator=policy.years_by_operator,
    )
    login_cutoff = now - timedelta(days=policy.login_event_days)
    access_cutoff = now - timedelta(days=round(365.25 * policy.access_event_years))
    old_logins = (
        select(func.count())
        .select_from(LoginEvent)
        .where(col(LoginEvent.occurred_at) < login_cutoff)
    )
    old_access = select(AccessEvent.id).where(col(AccessEvent.occurred_at) < access_cutoff)
    report.login_events = int(session.exec(old_logins).one())
    report.access_events = len(session.exec(old_access).all())
    if dry_run:
        return report
    for citizen_id in report.citizens:
        anonymise_citizen(session=session, citizen_id=citizen_id, user_id=None)
    session.execute(delete(LoginEvent).where(col(LoginEvent.occurred_at) < login_cutoff))
    session.execute(delete(AccessReview).where(col(AccessReview.access_event_id).in_(old_access)))
    session.execute(delete(AccessEvent).where(col(AccessEvent.occurred_at) < access_cutoff))
    session.flush()
    from del_tool.logs import security_event

    security_event(
        "erasure.retention",
        citizens=len(report.citizens),
        login_events=report.login_events,
        access_events=report.access_events,
    )
    return report
