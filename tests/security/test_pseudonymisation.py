"""Issue 14: anonymisation is pseudonymisation (exact stay dates, unit, payer, sex, birth decade
and scores remained). Anonymised records now keep dates only to the month (unless
ANONYMISE_COARSEN_DATES is off), and the statistics that do not use the days stay the same."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, select

from del_tool.citizens.models import Citizen, Stay
from del_tool.followups.models import FollowUp, FollowUpKind
from del_tool.goals.models import Goal, GoalDirection, GoalStatus, Theme
from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import resolve_scope
from del_tool.reports.effect.report import build_effect_report
from del_tool.security.privacy.anonymise import anonymise_citizen
from tests.security.helpers import db_session
from tests.security.test_history import add_citizen

FOLLOW_UPS = (date(2024, 3, 14), date(2024, 3, 28), date(2024, 6, 17), date(2024, 9, 19))


def _person(app) -> int:
    """A citizen with a stay, a goal and four follow-ups on exact days (two in one month)."""
    with db_session(app) as db:
        citizen = add_citizen(
            db, name="Datoer Dahl", start=date(2024, 3, 14), end=date(2024, 9, 20)
        )
        citizen.created_at = datetime(2024, 3, 14, 9, 30, tzinfo=UTC)
        stay = db.exec(select(Stay).where(Stay.citizen_id == citizen.id)).one()
        db.add(
            Goal(
                citizen_id=citizen.id,
                stay_id=stay.id,
                theme=Theme.SELF_CARE,
                title="Et mål",
                direction=GoalDirection.DEVELOP,
                baseline_level=3,
                target_level=1,
                start_date=date(2024, 3, 20),
                review_date=date(2024, 6, 17),
                closed_on=date(2024, 9, 2),
                status=GoalStatus.ENDED,
            )
        )
        for day in FOLLOW_UPS:
            db.add(
                FollowUp(
                    citizen_id=citizen.id,
                    stay_id=stay.id,
                    followup_date=day,
                    kind=FollowUpKind.FOLLOW_UP,
                )
            )
        return citizen.id


def _dates(app, citizen_id):
    with db_session(app) as db:
        stay = db.exec(select(Stay).where(Stay.citizen_id == citizen_id)).one()
        goal = db.exec(select(Goal).where(Goal.citizen_id == citizen_id)).one()
        follow_ups = db.exec(
            select(FollowUp.followup_date)
            .where(FollowUp.citizen_id == citizen_id)
            .order_by(col(FollowUp.followup_date))
        ).all()
        created = db.get(Citizen, citizen_id).created_at
        return {
            "stay": (stay.start_date, stay.end_date),
            "goal": (goal.start_date, goal.review_date, goal.closed_on),
            "follow_ups": tuple(follow_ups),
            "created": (created.year, created.month, created.day, created.hour),
        }


def test_anonymised_records_keep_their_dates_only_to_the_month(app, runner):
    citizen_id = _person(app)
    result = runner.invoke(args=["privacy", "anonymise", str(citizen_id), "--yes"])
    assert result.exit_code == 0, result.output
    assert _dates(app, citizen_id) == {
        "stay": (date(2024, 3, 1), date(2024, 9, 30)),  # widened to whole months
        "goal": (date(2024, 3, 1), date(2024, 6, 1), date(2024, 9, 1)),
        # month and order kept, one per day: the second March follow-up is the 2nd.
        "follow_ups": (date(2024, 3, 1), date(2024, 3, 2), date(2024, 6, 1), date(2024, 9, 1)),
        "created": (2024, 3, 1, 0),
    }


def test_the_referral_and_the_special_services_of_a_stay_go_to_the_month_with_it(app, runner):
    """The referral that led to the stay and a service bought for it would give the stay's
    exact days back (#17): they are coarsened with it."""
    from decimal import Decimal

    from del_tool.citizens.models import StayService
    from del_tool.organisation.models import Referral, ReferralOutcome

    citizen_id = _person(app)
    with db_session(app) as db:
        stay = db.exec(select(Stay).where(Stay.citizen_id == citizen_id)).one()
        db.add(
            Referral(
                unit_id=stay.unit_id,
                municipality_code=stay.municipality_code,
                referred_on=date(2024, 1, 17),
                outcome=ReferralOutcome.ADMITTED,
                decided_on=date(2024, 2, 20),
                stay_id=stay.id,
            )
        )
        db.add(
            StayService(
                stay_id=stay.id,
                description="Fast nattevagt",
                daily_amount=Decimal("800"),
                valid_from=date(2024, 4, 9),
                valid_to=date(2024, 5, 12),
            )
        )
        db.commit()
        stay_id = stay.id
    assert runner.invoke(args=["privacy", "anonymise", str(citizen_id), "--yes"]).exit_code == 0
    with db_session(app) as db:
        referral = db.exec(select(Referral).where(Referral.stay_id == stay_id)).one()
        service = db.exec(select(StayService).where(StayService.stay_id == stay_id)).one()
        assert (referral.referred_on, referral.decided_on) == (date(2024, 1, 1), date(2024, 2, 1))
        assert (service.valid_from, service.valid_to) == (date(2024, 4, 1), date(2024, 5, 31))


def test_a_setting_keeps_the_exact_dates(app, runner):
    app.config["ANONYMISE_COARSEN_DATES"] = False
    citizen_id = _person(app)
    before = _dates(app, citizen_id)
    assert runner.invoke(args=["privacy", "anonymise", str(citizen_id), "--yes"]).exit_code == 0
    assert _dates(app, citizen_id) == before


def _plain(value):
    if isinstance(value, float):
        return round(value, 9)  # the same numbers, summed in another order
    return value if isinstance(value, int | type(None)) else str(value)


def _effect_report(app, period: str) -> dict[str, object]:
    """Every key figure and table row of the region's effect report for `period`."""
    with app.test_request_context(), db_session(app) as db:
        report = build_effect_report(
            session=db,
            scope=resolve_scope("region", session=db),
            period=parse_period(period),
            today=date(2026, 10, 1),
        )
    found: dict[str, object] = {}
    for section in report.sections:
        for figure in section.figures:
            found[f"figure {figure.key}"] = _plain(figure.value)
        for table in section.tables:
            found[f"table {table.key}"] = [tuple(_plain(v) for v in row) for row in table.rows]
    return found


@pytest.mark.parametrize("period", ["2026Q2", "2025H2"])
def test_statistics_that_do_not_use_the_days_stay_the_same(demo_app, period):
    before = _effect_report(demo_app, period)
    with demo_app.test_request_context(), db_session(demo_app) as db:
        for citizen_id in db.exec(select(Citizen.id)).all():
            anonymise_citizen(session=db, citizen_id=citizen_id, user_id=None)
    after = _effect_report(demo_app, period)
    # What runs over days since admission, which were coarsened, may change: the mixed
    # model's trajectory, the robustness table's HLM rows, and the count of a single-item
    # scale's repeated measurements within REFERENCE_RETEST_DAYS (in the reliable-change note).
    changed = {key for key in before if before[key] != after.get(key)}
    assert changed <= {
        "table effect_trajectory",
        "table effect_robustness",
        "table effect_reliable",
    }
    assert "table effect_trajectory" in changed
    for key in ("table effect_reliable", "table effect_robustness"):
        for old, new in zip(before[key], after[key], strict=True):
            if old != new:  # only the HLM row, or the note of a scale without reliability
                assert "HLM" in str(old[1]) or "gentagne målinger" in str(old[-1]), old
    assert len(before) > 5 and before["table effect_admission"]
