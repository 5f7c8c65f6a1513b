"""Issue #16, item 1: one unit, one figure. The share of a unit's citizens reliably improved is
judged against one reference SD and reliability per scale, so the unit's own report, its
centre's and the region's agree (before, each used the baseline SD of its own scope: 50, 40 and
30 % for the same unit and period)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from del_tool.organisation.models import Unit
from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import resolve_scope
from del_tool.reports.effect.report import build_effect_report
from del_tool.reports.learning.report import build_learning_report
from del_tool.reports.models import ScaleReference

PERIOD = parse_period("2025-10-01..2026-09-30")
#: A unit with a share above 0 in the demo (20 %), so the scopes could disagree.
UNIT = "Bostøtten Odense Syd"


def _table(report, key):
    return next(t for s in report.sections for t in s.tables if t.key == key)


def test_a_units_share_reliably_improved_is_the_same_in_every_scope(demo_session):
    unit = demo_session.exec(select(Unit).where(Unit.name == UNIT)).one()
    own = build_effect_report(
        session=demo_session,
        scope=resolve_scope(f"unit:{unit.id}", session=demo_session),
        period=PERIOD,
    )
    reliable = _table(own, "effect_reliable")
    mean_row = next(r for r in reliable.rows if "gennemsnit" in str(r[0]).lower())
    in_unit = mean_row[[c.key for c in reliable.columns].index("share_improved")]
    shares = []
    for key in (f"centre:{unit.centre_id}", "region"):
        learning = build_learning_report(
            session=demo_session, scope=resolve_scope(key, session=demo_session), period=PERIOD
        )
        units = _table(learning, "learning_units")
        shares.append(next(r[4] for r in units.rows if str(r[0]) == UNIT))
    assert in_unit is not None
    assert shares == [in_unit, in_unit]


def test_the_reference_is_frozen_once_and_named_in_the_report(demo_session):
    region = resolve_scope("region", session=demo_session)
    first = build_effect_report(session=demo_session, scope=region, period=PERIOD)
    frozen = demo_session.exec(select(ScaleReference)).all()
    assert frozen and all(r.n >= 30 and r.sd_source in ("definition", "deployment") for r in frozen)
    note = str(_table(first, "effect_reliable").note)
    assert "Reference for pålidelig ændring" in note and "fastlåst" in note
    build_effect_report(session=demo_session, scope=region, period=PERIOD)
    assert len(demo_session.exec(select(ScaleReference)).all()) == len(frozen)  # not again


def _relations(report):
    reliable = _table(report, "effect_reliable")
    return next(r for r in reliable.rows if "relation" in str(r[0]).lower())


def test_a_single_item_scale_gets_a_test_retest_reliability_when_measured_close_in_time(
    demo_app, demo_session
):
    """A functioning domain is one item: no alpha. The demo measures each stay months apart,
    so with REFERENCE_RETEST_DAYS at 30 too few pairs qualify and the report says how many;
    counted within 400 days, baseline and first follow-up are the pairs, and the frozen
    reference (frozen without a reliability) gets their ICC(2,1), named in the report."""
    import pandas as pd

    from del_tool.reports.common import score_queries
    from del_tool.reports.common.queries import StaySelection
    from del_tool.stats import retest_reliability

    region = resolve_scope("region", session=demo_session)
    plain = build_effect_report(session=demo_session, scope=region, period=PERIOD)
    scores = score_queries.scores(
        demo_session,
        StaySelection(None, pd.Timestamp.min.date(), pd.Timestamp.max.date()),
        since=None,
        questionnaires=["del_functioning"],
        scales=["relations"],
    )
    within_30 = retest_reliability(scores[["stay", "date", "value"]], max_days=30)
    assert within_30.value is None and within_30.n < 30
    assert str(_relations(plain)[-1]).endswith(
        f"og kun {within_30.n} forløb har to målinger højst 30 dage fra hinanden "
        "(der skal 30 til en reliabilitet ud fra gentagne målinger)."
    )
    demo_app.config["REFERENCE_RETEST_DAYS"] = 400
    expected = retest_reliability(scores[["stay", "date", "value"]], max_days=400)
    assert expected.value is not None
    build_effect_report(session=demo_session, scope=region, period=PERIOD)
    frozen = demo_session.exec(
        select(ScaleReference).where(ScaleReference.scale_id == "relations")
    ).one()
    assert frozen.reliability_source == "test_retest"
    assert frozen.reliability == pytest.approx(expected.value)
    again = build_effect_report(session=demo_session, scope=region, period=PERIOD)  # frozen
    assert any("test-retest" in str(cell) for cell in _relations(again))
