"""Demo actions: a few leaders' actions on learning-report figures of an earlier quarter.

So that the learning report of the latest complete quarter shows actions beside their figures
over two periods (then and now), the demo records, per centre, a few actions on the figures of
the quarter before it: deterministic (an own generator from the seed), some done with what came
of them, some open (one of them overdue). The figures are read from the built report, as the
form does it, and every action is in the change history.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from del_tool.actions.models import Action, ActionStatus
from del_tool.actions.services import FigureRef, figure_fields
from del_tool.audit.services import change_of, record_changes, snapshot
from del_tool.organisation.models import Centre, Unit
from del_tool.reports.common.model import Report
from del_tool.reports.common.period import latest_complete_quarter, previous_period
from del_tool.reports.common.selection import resolve_scope

#: What the demo's leaders decided, and (when done) what came of it.
DECISIONS = (
    ("Opfølgning skrives ind i ugeplanen", None),
    ("Fast samtale om målene hver måned med borgeren", "Flere mål blev fulgt op til tiden."),
    ("Ny praksis for motivationssamtaler ved indskrivning", None),
    ("Temadag for personalet om pålidelig ændring", "Personalet bruger tallene på møderne."),
)
OWNERS = ("Teamleder", "Afdelingsleder", "Faglig koordinator")


def write_demo_actions(session: Session, *, seed: int, today: date) -> int:
    """Record the demo's actions; returns how many."""
    from del_tool.reports.services import build_report

    rng = random.Random(seed + 3)
    earlier = previous_period(latest_complete_quarter(today))
    made = 0
    centres = session.exec(select(Centre).order_by(col(Centre.id))).all()
    for centre in centres:
        if session.exec(select(Unit.id).where(Unit.centre_id == centre.id)).first() is None:
            continue
        scope = resolve_scope(f"centre:{centre.id}", session=session)
        report = build_report("learning", session=session, scope=scope, period=earlier, today=today)
        refs = [
            FigureRef(s.key, figure_key=f.key)
            for s in report.sections
            for f in s.figures
            if isinstance(f.value, int | float) and not isinstance(f.value, bool)
        ]
        if not refs:
            continue
        chosen = rng.sample(refs, k=min(len(DECISIONS), len(refs)))
        for index, ref in enumerate(chosen):
            made += _record(session, rng, report, scope.key, ref, index, earlier.end, today)
    return made


def _record(
    session: Session,
    rng: random.Random,
    report: Report,
    scope_key: str,
    ref: FigureRef,
    index: int,
    recorded_on: date,
    today: date,
) -> int:
    what, outcome = DECISIONS[index]
    created = datetime.combine(recorded_on + timedelta(days=rng.randint(3, 20)), time(10), UTC)
    done = outcome is not None
    due = created.date() + timedelta(days=rng.randint(30, 60))
    if not done and index == 0:
        due = today - timedelta(days=rng.randint(3, 14))  # one open action is overdue
    elif not done:
        due = today + timedelta(days=rng.randint(14, 60))
    row = Action(
        centre_id=int(scope_key.partition(":")[2]),
        owner=rng.choice(OWNERS),
        what=what,
        due_date=due,
        status=ActionStatus.DONE if done else ActionStatus.OPEN,
        outcome_note=outcome,
        done_at=created + timedelta(days=rng.randint(20, 40)) if done else None,
        shared_with_council=index % 2 == 0,
        **figure_fields(report, scope_key, ref),
        created_at=created,
    )
    session.add(row)
    session.flush()
    event = change_of(user_id=None, obj=row, entity_id=row.id, citizen_id=None, after=snapshot(row))
    assert event is not None  # noqa: S101 - a creation always is an event
    record_changes(session, [event], occurred_at=created)  # dated, so the demo is reproducible
    return 1
