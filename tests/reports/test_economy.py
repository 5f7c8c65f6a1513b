"""The economy report on a hand-built ledger (tests/reports/economy_ledger.py): what was paid
(tariff level, special services, settlements), places and occupancy, tariff development against
the index, revenue year by year; and "better and cheaper" on the generated world.

Every expected number is counted by hand in the test's comments from the ledger's rows.
"""

from __future__ import annotations

import io
from datetime import date

import numpy as np
import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from del_tool.organisation.models import Centre, LegalSection, Unit
from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import Filters, resolve_scope
from del_tool.reports.economy.report import build_economy_report
from del_tool.reports.rendering.charts.draw import draw_all
from del_tool.reports.rendering.pages import render_report_html, render_report_pdf
from del_tool.reports.rendering.spreadsheet import render_report_xlsx
from del_tool.stats import goal_attainment, reliable_change, scale_reliability
from tests.reports import expect
from tests.reports.economy_ledger import Ledger, build_ledger
from tests.reports.world import TODAY

Q1 = parse_period("2026Q1")
YEAR = parse_period("2026")
YEAR_OF = 365.25


@pytest.fixture
def ledger(session: Session) -> Ledger:
    """The hand-built ledger, committed."""
    return build_ledger(session)


def _report(session, ledger, period, today=date(2026, 5, 1), **filters):
    scope = resolve_scope(f"centre:{ledger.centre}", session=session)
    return build_economy_report(
        session=session,
        scope=scope,
        period=period,
        today=today,
        filters=Filters(**filters) if filters else None,
    )


def _names(session, ledger):
    return session.get(Unit, ledger.unit_a).name, session.get(Unit, ledger.unit_b).name


def test_cost_is_the_stays_level_plus_services_and_unpriced_levels_are_warned(session, ledger):
    """2026Q1 (90 days):
    c1 (level "") 1 Jan - 31 Mar = 90 days x 1 050 = 94 500;
    c2 (level "høj") 10 Feb - 20 Mar = 19 + 20 = 39 days x 2 040 = 79 560, plus the service
    1-20 March = 20 days x 300 = 6 000 (April lies after the stay);
    c3 (level "ukendt": no such tariff) 31 days unpriced;
    c4 (unit B) 1 Jan - 15 Feb = 46 days x 510 = 23 460.
    Unit A: 94 500 + 79 560 + 6 000 = 180 060 over 90 + 39 + 31 = 160 days, 31 without a tariff
    (so no cost per citizen-year); unit B: 23 460 over 46 days, 23 460 / (46 / 365.25) per
    citizen-year. Total 203 520 kr. over 206 days. The 2026 settlement (-4 000) is left out:
    the quarter covers only part of 2026.
    """
    report = _report(session, ledger, Q1)
    a, b = _names(session, ledger)
    assert report.figure("cost").value == pytest.approx(203520.0)
    assert report.figure("days").value == 206
    units = report.table("economy_units")
    row_a, row_b = units.row(a), units.row(b)
    assert row_a[1:4] == [3, 160, pytest.approx(180060.0)]
    assert row_a[5] is None and row_a[6] == 31  # unpriced days: no cost per citizen-year
    assert row_a[7:9] == [pytest.approx(6000.0), 0.0]  # of which services, settlements
    assert row_b[1:4] == [1, 46, pytest.approx(23460.0)]
    assert row_b[5] == pytest.approx(23460.0 / (46 / YEAR_OF))
    messages = " ".join(str(m) for m in report.section("summary").messages)
    assert "31 opholdsdage har ingen takst" in messages
    assert "-4.000 kr. for 2026 er ikke medregnet" in messages
    assert "hele kalenderår" in " ".join(str(m) for m in report.methods)


def test_a_period_covering_the_whole_year_adds_its_settlement(session, ledger):
    """2026 (the whole year, open stays to 31 December): c1 365 days x 1 050 = 383 250; c2
    79 560 + 6 000; c3 unpriced; c4 23 460; the 2026 settlement of A with 461 (-4 000) is
    added. Unit A: 383 250 + 79 560 + 6 000 - 4 000 = 464 810. Municipality 461: 383 250 +
    23 460 - 4 000 = 402 710; 561: 85 560. The section table has no settlement (not split by
    section): § 107 = 383 250 + 79 560 + 6 000 = 468 810."""
    report = _report(session, ledger, YEAR, today=date(2027, 2, 1))
    a, _b = _names(session, ledger)
    row = report.table("economy_units").row(a)
    assert row[3] == pytest.approx(464810.0) and row[8] == -4000.0
    municipalities = report.table("economy_municipalities")
    assert municipalities.row("Odense")[3] == pytest.approx(402710.0)
    assert municipalities.row("Esbjerg")[3] == pytest.approx(85560.0)
    sections = report.table("economy_sections")
    assert sections.row(LegalSection.S107.label)[3] == pytest.approx(468810.0)
    assert report.figure("cost").value == pytest.approx(464810.0 + 23460.0)
    messages = " ".join(str(m) for m in report.section("summary").messages)
    assert "efterreguleringer på -4.000 kr. for 2026" in messages


def test_filters_that_settlements_cannot_follow_leave_them_out(session, ledger):
    # Paid by 561: only c2 (79 560 + 6 000); no settlement of 561 exists.
    paid = _report(session, ledger, YEAR, today=date(2027, 2, 1), municipality_code="561")
    assert paid.figure("cost").value == pytest.approx(85560.0)
    # By legal section: a settlement is not split by section, so none is added, and it says so.
    by_section = _report(
        session, ledger, YEAR, today=date(2027, 2, 1), legal_section=LegalSection.S107
    )
    assert by_section.figure("cost").value == pytest.approx(383250.0 + 79560.0 + 6000.0)
    messages = " ".join(str(m) for m in by_section.section("summary").messages)
    assert "Efterreguleringer er ikke medregnet" in messages


def test_occupancy_per_period_quarter_and_month_with_the_tariff_basis(session, ledger):
    """Unit A, 2026Q1: 4 places 1 January - 15 March (31 + 28 + 15 = 74 days: 296 place-days)
    and 5 from 16 March (16 days: 80) = 376 place-days; occupied c1 90 + c2 39 + c3 31 = 160
    days: 160 / 376 = 42.55 %; vacant (376 - 160) / 90 = 2.4 places; the tariffs in force
    state 95 % (level "") and 90 % ("høj"): the lowest, 90 %, beside it: -47.45 points.
    March: 15 x 4 + 16 x 5 = 140 place-days; occupied c1 31 + c2 20 + c3 31 = 82.
    February: 28 x 4 = 112; c1 28 + c2 19 = 47. Unit B: 2 places x 90 days = 180; c4 46 days.
    Occupancy counts the whole unit: filtering on municipality 561 changes nothing.
    """
    a, b = _names(session, ledger)
    for report in (
        _report(session, ledger, Q1),
        _report(session, ledger, Q1, municipality_code="561"),
    ):
        whole = report.table("economy_occupancy")
        row = whole.row(a)
        assert row[1] == pytest.approx(376 / 90) and row[2:4] == [376, 160]
        assert row[4] == pytest.approx(160 / 376) and row[5] == pytest.approx(2.4)
        assert row[6] == pytest.approx(0.90)
        assert row[7] == pytest.approx(100 * (160 / 376 - 0.90))
        row_b = whole.row(b)
        assert row_b[2:4] == [180, 46] and row_b[4] == pytest.approx(46 / 180)
        assert row_b[6] is None and row_b[7] is None  # no basis stated for B's tariff
    months = {(r[0], r[1]): r for r in report.table("economy_occupancy_months").rows}
    assert months[(a, "2026-03")][3:5] == [140, 82]
    assert months[(a, "2026-02")][3:5] == [112, 47]
    quarters = {(r[0], r[1]): r for r in report.table("economy_occupancy_quarters").rows}
    assert quarters[(a, "2026Q1")][3:6] == [376, 160, pytest.approx(160 / 376)]
    chart = next(c for c in report.section("occupancy").charts)
    assert dict(zip(chart.data["labels"], chart.data["values"], strict=True))[a] == pytest.approx(
        100 * 160 / 376
    )


def test_tariff_development_against_the_index_is_flagged_and_counted(session, ledger):
    """1 January 2026 vs 2025: A level "" 1 050 / 1 000 = +5 %, above the 2026 index (2.0 %);
    A "høj" 2 040 / 2 000 = +2 % and B 510 / 500 = +2 %: within. 2025 has no 2024 tariff to
    compare with. One unit (A) rose more than the index: the count in "Kort fortalt" is 1."""
    report = _report(session, ledger, Q1)
    a, b = _names(session, ledger)
    rows = {(r[0], str(r[2]), r[3]): r for r in report.table("economy_tariff_growth").rows}
    one = rows[(a, "Én takst", "2026")]
    assert one[4:8] == [1050.0, 1000.0, pytest.approx(5.0), 2.0]
    assert str(one[8]) == "Over indekset"
    assert str(rows[(a, "høj", "2026")][8]) == "Inden for indekset"
    assert rows[(b, "Én takst", "2026")][6] == pytest.approx(2.0)
    assert str(rows[(a, "Én takst", "2025")][8]) == "Ingen takst året før"
    figure = report.figure("tariffs_above_index")
    assert figure.value == 1 and "1 takster og år over indekset" in str(figure.note)
    assert any(a in str(m) for m in report.section("tariffs").messages)


def test_revenue_cost_per_citizen_year_and_occupancy_per_year(session, ledger):
    """Years 2024, 2025 and 2026 up to 31 March (the period's end).
    B 2025: c4 1-31 December = 31 days x 500 = 15 500 + settlement 2 000 = 17 500 over 31/365.25
    citizen-years; occupancy not given (B's places start in 2026).
    A 2025: no stays, settlement +10 000; 4 places x 365 days, none occupied: 0 %.
    Centre 2026 (to 31.03.): 180 060 + 23 460 = 203 520, with unpriced days (no cost per
    citizen-year); occupancy (160 + 46) / (376 + 180), the centre's units without places and
    without stays left out."""
    report = _report(session, ledger, Q1)
    a, b = _names(session, ledger)
    centre = session.get(Centre, ledger.centre).name
    rows = {(r[0], str(r[1]), str(r[2])): r for r in report.table("economy_years").rows}
    b2025 = rows[(centre, b, "2025")]
    assert b2025[3:7] == [15500.0, 0.0, 2000.0, 17500.0]
    assert b2025[8] == pytest.approx(17500.0 / (31 / YEAR_OF)) and b2025[9] is None
    a2025 = rows[(centre, a, "2025")]
    assert a2025[6] == 10000.0 and a2025[8] is None and a2025[9] == 0.0
    total = rows[(centre, "I alt", "2026 (til og med 31.03.)")]
    assert total[6] == pytest.approx(203520.0) and total[8] is None and total[10] == 31
    assert total[9] == pytest.approx(206 / 556)


def test_every_format_shows_the_new_tables(app, session, ledger):
    report = _report(session, ledger, Q1)
    charts = draw_all(report)
    html = render_report_html(report, charts=charts)
    for key in ("economy_occupancy", "economy_tariff_growth", "economy_years"):
        assert f'id="{key}"' in html or key in html
    assert "Over indekset" in html
    workbook = load_workbook(io.BytesIO(render_report_xlsx(report)))
    titles = {sheet["A1"].value for sheet in workbook.worksheets}
    assert "Takstudvikling pr. tilbud, paragraf og takstniveau" in titles
    assert "Belægning pr. tilbud og måned" in titles
    assert render_report_pdf(report, charts=charts).startswith(b"%PDF")


def test_better_and_cheaper_per_unit_and_year(session, world, registry):
    """Per unit and calendar year (the last up to the period's end): cost per citizen-year by
    days x tariff (unit A: 3 000 kr. a day in 2025, 3 300 in 2026, so 3 000 x 365.25 and
    3 300 x 365.25 per citizen-year), the share reliably improved (Jacobson
    & Truax with the reference of every baseline: Cronbach's alpha and SD) among the citizens
    measured twice, and each citizen's share of goals met averaged, shares hidden under k."""
    period = parse_period("2025-10-01..2026-09-30")
    scope = resolve_scope("region", session=session)
    report = build_economy_report(session=session, scope=scope, period=period, today=TODAY)
    rows = {(r[0], str(r[1])): r for r in report.table("economy_better_cheaper").rows}
    items = list(registry.get("del_functioning").scale("mean").items)
    alpha = scale_reliability(
        None, expect.baseline_items(world.stays, "del_functioning", items, date.max)
    ).value
    sd = float(np.std(expect.baseline_scores(world.stays, ("del_functioning", "mean")), ddof=1))
    name = session.get(Unit, world.units["A"]).name
    for label, start, end in (
        ("2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("2026 (til og med 30.09.)", date(2026, 1, 1), date(2026, 9, 30)),
    ):
        stays = expect.overlapping(world.stays_in({"A"}), start, end)
        row = rows[(name, label)]
        pre, post = expect.admission_pairs(stays, ("del_functioning", "mean"), start, end)
        change = reliable_change(pre, post, reliability=alpha, higher_is_better=False, sd_pre=sd)
        assert row[3] == change.n
        if change.n >= 5:
            assert row[4] == pytest.approx(change.counts["improved"] / change.n)
        latest = expect.latest_reviews(stays, start, end)
        shares = [
            goal_attainment(g[["level", "target", "direction"]]).overall.share
            for _, g in latest.groupby("citizen")
        ]
        assert row[5] == len(shares)
        assert row[6] == (pytest.approx(np.mean(shares)) if len(shares) >= 5 else None)
        days = sum((min(s.end or end, end) - max(s.start, start)).days + 1 for s in stays)
        rate = 3000.0 if start.year == 2025 else 3300.0
        assert row[2] == pytest.approx(days * rate / (days / 365.25))
    assert any(c.kind == "better_cheaper" for c in report.section("better_cheaper").charts)
    assert "ikke en pris pr. effekt" in str(report.section("better_cheaper").intro)
