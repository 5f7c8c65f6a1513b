"""Demand in the economy report and the council summary, against a hand-built ledger.

The ledger (`ledger` below) has two units of one centre. Unit A gets five referrals from Odense
(461) around the second quarter of 2026 and unit B one from Svendborg (479); Svendborg also buys
days in unit A from 2023, so its series has 14 complete quarters (2023Q1-2026Q2) and can be
forecast. Every expected number is counted by hand in the comments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlmodel import Session, col, select

from del_tool.citizens.models import Citizen, Sex, Stay
from del_tool.organisation.models import (
    LegalSection,
    Referral,
    ReferralOutcome,
    TargetGroup,
    Unit,
    UnitPlaces,
)
from del_tool.reports.common.context import make_context
from del_tool.reports.common.model import Hidden
from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import Filters, resolve_scope
from del_tool.reports.council.demand import demand_specs
from del_tool.reports.council.report import build_council_summary, council_parts, council_report
from del_tool.reports.council.union import read_cell, unaudited
from del_tool.reports.economy.demand import demand_section
from del_tool.reports.economy.report import build_economy_report
from del_tool.reports.rendering.charts.draw import draw_all

Q2 = parse_period("2026Q2")
TODAY = date(2026, 10, 1)


@dataclass
class Ledger:
    """The units and rows written."""

    a: int
    b: int
    centre: int
    referrals: dict[str, int]


def _stay(session: Session, unit: int, code: str, start: date, end: date | None) -> int:
    citizen = Citizen(
        name="Borger", birth_year=1980, sex=Sex.MALE, target_group=TargetGroup.MENTAL_ILLNESS
    )
    session.add(citizen)
    session.flush()
    stay = Stay(
        citizen_id=citizen.id,
        unit_id=unit,
        municipality_code=code,
        legal_section=LegalSection.S107,
        start_date=start,
        end_date=end,
    )
    session.add(stay)
    session.flush()
    return int(stay.id or 0)


def _referral(session, unit, code, referred, outcome, decided=None, stay=None) -> int:
    row = Referral(
        unit_id=unit,
        municipality_code=code,
        legal_section=LegalSection.S107,
        referred_on=referred,
        outcome=ReferralOutcome(outcome),
        decided_on=decided,
        stay_id=stay,
    )
    session.add(row)
    session.flush()
    return int(row.id or 0)


@pytest.fixture
def ledger(session: Session) -> Ledger:
    """The ledger of the module docstring, committed."""
    units = session.exec(select(Unit).order_by(col(Unit.centre_id), col(Unit.id))).all()
    by_centre: dict[int, list[Unit]] = {}
    for unit in units:
        by_centre.setdefault(unit.centre_id, []).append(unit)
    a, b = next(us for us in by_centre.values() if len(us) >= 2)[:2]
    ua, ub = int(a.id or 0), int(b.id or 0)
    # Svendborg in unit A: 1 from 2023-01-01 (open), 2 from 2023-07-01 to 2024-06-30,
    # 3 from 2024-04-15 (open), 4 from 2025-02-01 to 2025-11-30, 5 from 2026-01-10 (open).
    for start, end in (
        (date(2023, 1, 1), None),
        (date(2023, 7, 1), date(2024, 6, 30)),
        (date(2024, 4, 15), None),
        (date(2025, 2, 1), date(2025, 11, 30)),
        (date(2026, 1, 10), None),
    ):
        _stay(session, ua, "479", start, end)
    admitted_stay = _stay(session, ua, "461", date(2026, 5, 6), None)
    refs = {
        "r1": _referral(session, ua, "461", date(2026, 4, 6), "admitted", date(2026, 5, 1),
                        admitted_stay),
        "r2": _referral(session, ua, "461", date(2026, 4, 10), "withdrawn", date(2026, 5, 20)),
        "r3": _referral(session, ua, "461", date(2026, 5, 1), "declined", date(2026, 5, 5)),
        "r4": _referral(session, ua, "461", date(2026, 6, 1), "pending"),
        "r5": _referral(session, ua, "461", date(2026, 3, 1), "admitted", date(2026, 4, 15)),
        "s1": _referral(session, ub, "479", date(2026, 1, 15), "pending"),
    }  # fmt: skip
    session.add(UnitPlaces(unit_id=ua, valid_from=date(2020, 1, 1), places=10))
    session.add(UnitPlaces(unit_id=ua, valid_from=date(2026, 6, 1), places=12))
    session.add(UnitPlaces(unit_id=ub, valid_from=date(2026, 7, 1), places=8))
    session.commit()
    return Ledger(ua, ub, a.centre_id, refs)


def _context(session, ledger, **filters):
    return make_context(
        session=session,
        scope=resolve_scope(f"centre:{ledger.centre}", session=session),
        period=Q2,
        filters=Filters(**filters),
        today=TODAY,
    )


def test_key_figures_count_referrals_waiting_time_and_the_waiting_list(session, ledger):
    # New in Q2: r1 (6 Apr), r2 (10 Apr), r3 (1 May), r4 (1 Jun) = 4 (r5 came 1 March, s1 in
    # January). Admissions decided in Q2: r1 waited 6 Apr -> 6 May (its stay's start) = 30
    # days; r5 has no stay, so its decision day counts: 1 Mar -> 15 Apr = 45 days. Median
    # (30 + 45) / 2 = 37.5; quartiles 30 + 0.25 * 15 = 33.75 and 41.25. r2 (withdrawn) and
    # r3 (declined) are not admissions. Waiting on 30 June: s1 since 15 Jan (166 days) and r4
    # since 1 Jun (29 days): median 97.5.
    section = demand_section(_context(session, ledger))
    figures = {f.key: f for f in section.figures}
    assert figures["demand_referrals"].value == 4
    assert "2 indskrevet, 1 afvist, 1 trukket tilbage" in str(figures["demand_referrals"].note)
    assert figures["demand_waiting"].value == 37.5
    assert "n = 2 indskrivninger; kvartiler 34 til 41 dage" in str(figures["demand_waiting"].note)
    assert figures["demand_queue"].value == 2
    assert "median 98 dage" in str(figures["demand_queue"].note)  # 97.5 shown without decimals


def test_outcomes_per_quarter_and_per_unit(session, ledger):
    report = demand_section(_context(session, ledger))
    by_key = {t.key: t for t in report.tables}
    quarter = by_key["demand_quarters"]
    assert [list(r) for r in quarter.rows] == [["2026Q2", 4, 2, 1, 1, 2]]
    units = by_key["demand_units"]
    a, b = session.get(Unit, ledger.a).name, session.get(Unit, ledger.b).name
    # Unit A: waiting at some time in Q2: r1-r5 = 5; places 12 from 1 June. Unit B: s1; its
    # places start in July, after the quarter: not given.
    assert list(units.row(a)) == [a, 5, 2, 1, 1, 1, 37.5, 33.75, 41.25, 12]
    assert list(units.row(b)) == [b, 1, 0, 0, 0, 1, None, None, None, None]
    assert list(units.rows[-1])[1:6] == [6, 2, 1, 1, 2] and units.rows[-1][-1] == 12


def test_the_waiting_list_names_no_one_and_shows_days_waited(session, ledger):
    table = demand_section(_context(session, ledger)).tables[2]
    assert table.key == "demand_waiting_list"
    assert [r[1] for r in table.rows] == ["Svendborg", "Odense"]
    assert [r[3] for r in table.rows] == [date(2026, 1, 15), date(2026, 6, 1)]
    assert [r[4] for r in table.rows] == [166, 29]


def test_days_bought_per_quarter_count_first_and_last_day(session, ledger):
    # 2024Q2 (91 days) for Svendborg: stay 1 all 91, stay 2 to 30 June 91, stay 3 from 15 April
    # 16 + 31 + 30 = 77 -> 259. 2026Q2: stays 1, 3 and 5 all 91 days -> 273. Odense in 2026Q2:
    # its stay from 6 May: 26 + 30 = 56. The table shows the last eight quarters.
    table = next(
        t for t in demand_section(_context(session, ledger)).tables if t.key == "demand_days"
    )
    keys = [c.key for c in table.columns]
    assert keys[1:-1] == [
        "2024Q3",
        "2024Q4",
        "2025Q1",
        "2025Q2",
        "2025Q3",
        "2025Q4",
        "2026Q1",
        "2026Q2",
    ]
    svendborg = table.row("Svendborg")
    assert svendborg[keys.index("2026Q2")] == 273
    assert table.row("Odense")[keys.index("2026Q2")] == 56
    assert str(table.rows[0][0]) == "I alt" and table.rows[0][keys.index("2026Q2")] == 273 + 56
    # The change: 2025Q3-2026Q2 against 2024Q3-2025Q2 (Svendborg), by hand from the stays:
    # 2024Q3 92+92 = 184, 2024Q4 184, 2025Q1 2 x 90 + 59 (from 1 Feb) = 239, 2025Q2 3 x 91 =
    # 273; 2025Q3 3 x 92 = 276, 2025Q4 2 x 92 + 61 (to 30 Nov) = 245, 2026Q1 2 x 90 + 81 (from
    # 10 Jan) = 261, 2026Q2 273. (276 + 245 + 261 + 273) / (184 + 184 + 239 + 273) - 1.
    assert svendborg[keys.index("2024Q3")] == 184 and svendborg[keys.index("2026Q1")] == 261
    assert svendborg[-1] == pytest.approx(1055 / 880 - 1)


def test_the_forecast_and_its_backtest_are_given_with_14_quarters(session, ledger):
    section = demand_section(_context(session, ledger))
    forecast = next(t for t in section.tables if t.key == "demand_forecast")
    rows = [r for r in forecast.rows if r[0] == "Svendborg"]
    assert [r[1] for r in rows] == ["2026Q3", "2026Q4", "2027Q1", "2027Q2"]
    assert all(r[3] <= r[2] <= r[4] and r[3] >= 0 for r in rows)
    backtest = next(t for t in section.tables if t.key == "demand_backtest")
    row = backtest.row("Svendborg")
    assert row[1] == 14 and row[2] is not None and 0 <= row[2] < 1
    assert str(row[3]).endswith("af 4")
    figure = next(f for f in section.figures if f.key == "demand_next")
    assert "2026Q3" in str(figure.label) and figure.value > 0


def test_too_few_quarters_say_so_instead_of_forecasting(session, ledger):
    # Filtered to Odense, the series begins with Odense's first stay (6 May 2026): one
    # complete quarter, 2026Q2. No forecast, and the reason says how many are needed.
    section = demand_section(_context(session, ledger, municipality_code="461"))
    figure = next(f for f in section.figures if f.key == "demand_next")
    assert figure.value is None and "1 hele kvartaler" in str(figure.reason)
    assert "mindst 8" in str(figure.reason)


def test_the_economy_report_has_the_section_and_its_chart_draws(app, session, ledger):
    with app.test_request_context():
        report = build_economy_report(
            session=session,
            scope=resolve_scope(f"centre:{ledger.centre}", session=session),
            period=Q2,
            today=TODAY,
        )
        charts = draw_all(report)
    assert report.section("demand").tables
    chart = charts["demand_days_chart"]
    assert chart.data_uri.startswith("data:image/svg+xml") and "Prognose" in chart.table.headers[2]
    assert len(chart.table.rows) == 14 + 4


def test_the_council_summary_suppresses_small_referral_counts(app, session, ledger):
    # Odense's referrals waiting in Q2: admitted 2, declined 1, withdrawn 1, pending 1 (r4),
    # total 5. Each outcome is under 5: shown "<5"; the total of 5 is shown. The waiting time
    # over 2 admissions is withheld, with the reason: a median needs COUNCIL_MIN_N_STATISTICS
    # (10) citizens, as a mean does.
    with app.test_request_context():
        report = build_council_summary(
            session=session, municipality_code="461", period=Q2, today=TODAY
        )
    table = report.table("council_referrals")
    assert [str(v) for _label, v in table.rows] == ["<5", "<5", "<5", "<5", "5"]
    waiting = report.table("council_waiting")
    assert all(isinstance(v, Hidden) for v in waiting.rows[0][1:])
    figure = report.figure("demand_waiting")
    assert isinstance(figure.value, Hidden) and "færre end 10" in str(figure.reason)
    assert report.figure("demand_referrals").value == 5


def test_the_council_referral_cells_are_described_for_the_union_audit(app, session, ledger):
    with app.test_request_context():
        parts = council_parts(session=session, municipality_code="461", period=Q2, today=TODAY)
        report = council_report(parts)
        specs = demand_specs(parts.ctx, Q2.key, "461")
    by_key = {s.key: s for s in specs}
    assert set(by_key) == {f"2026Q2/ours/referrals/{r}" for r in
                           ("admitted", "declined", "withdrawn", "pending", "total")}  # fmt: skip
    total = by_key["2026Q2/ours/referrals/total"]
    assert len(total.members) == 5 and total.family == "count:referral"
    assert read_cell(report, total, 5).known == (5.0, 5.0)
    admitted = read_cell(report, by_key["2026Q2/ours/referrals/admitted"], 5)
    assert admitted.known == (1.0, 4.0)  # "<5"
    # The waiting time and its key figure go with the admitted count when it is withheld.
    spots = by_key["2026Q2/ours/referrals/admitted"].spots
    assert ("table", "council_waiting", 0, "median") in spots
    assert ("figure", "demand_waiting", "value") in spots


def test_the_council_capacity_sets_places_beside_the_municipality_use(app, session, ledger):
    # Odense in Q2: its one stay in unit A from 6 May: 56 days of the quarter's 91, so 0.6
    # citizens a day; unit A has 12 places on 30 June: 0.6 / 12 = 5 %. No unit is named: the
    # places of each unit are in the organisation section.
    with app.test_request_context():
        report = build_council_summary(
            session=session, municipality_code="461", period=Q2, today=TODAY
        )
    (row,) = report.table("council_demand_capacity").rows
    assert str(row[0]) == "1 tilbud med oplyst pladstal"
    assert row[1:3] == [12, 56]
    assert row[3] == pytest.approx(56 / 91) and row[4] == pytest.approx(56 / 91 / 12)


def test_every_demand_table_is_audited_or_listed_as_outside_the_audit(app, session, ledger):
    with app.test_request_context():
        parts = council_parts(session=session, municipality_code="461", period=Q2, today=TODAY)
        section = council_report(parts).section("demand")
        specs = demand_specs(parts.ctx, Q2.key, "461")
    spotted = {spot[1] for spec in specs for spot in spec.spots if spot[0] == "table"}
    assert section.tables
    for table in section.tables:
        assert table.key in spotted or unaudited(table.key), table.key


def test_a_published_summary_stores_the_referral_cells_for_the_next_audit(app, session, ledger):
    from del_tool.reports.council.publication import publish

    session.rollback()  # publishing writes in a transaction of its own
    with app.test_request_context():
        content = publish("461", Q2)
    keys = {cell["key"] for cell in content["audit"]["cells"]}
    assert "2026Q2/ours/referrals/total" in keys
    assert "council_referrals" in str(content["da"]["report"])
    assert "council_days_chart" in content["en"]["charts"]
