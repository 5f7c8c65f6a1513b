"""The council summary's openness about the offers' economy (#17 items 3, 5) on the hand-built
ledger (tests/reports/economy_ledger.py): whole units' occupancy, tariff development and yearly
revenue for the units the municipality uses, its own settlements, and costs with special
services. Expected numbers are counted by hand in the comments."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from del_tool.organisation.models import Centre, Unit
from del_tool.reports.common.period import parse_period
from del_tool.reports.council.publication import publish
from del_tool.reports.council.report import build_council_summary, council_parts, council_report
from del_tool.reports.council.union import UNAUDITED_TABLES, cell_specs, unaudited
from tests.reports.economy_ledger import Ledger, build_ledger

Q1 = parse_period("2026Q1")
TODAY = date(2026, 5, 1)


@pytest.fixture
def ledger(session: Session) -> Ledger:
    """The hand-built ledger, committed."""
    return build_ledger(session)


def _summary(session, code, period=Q1, today=TODAY):
    return build_council_summary(
        session=session, municipality_code=code, period=period, today=today
    )


@pytest.fixture
def k2(app):
    """k = 2, so the ledger's few citizens from other municipalities are enough to show."""
    app.config["SUPPRESSION_K"] = 2
    yield
    app.config["SUPPRESSION_K"] = 5


def test_occupancy_is_the_whole_units_not_the_municipalitys(session, ledger, k2):
    """Esbjerg (561) pays only for c2 (39 days in unit A), yet unit A's occupancy is the whole
    unit's: 160 occupied days of 376 place-days (see test_economy), beside the 90 % basis.
    Odense (461) does not see unit A: besides its own c1 and c3 only c2 stayed there, so A's
    whole figures less Odense's own invoices would be c2's days (k = 2 here)."""
    a = session.get(Unit, ledger.unit_a).name
    b = session.get(Unit, ledger.unit_b).name
    report = _summary(session, "561")
    occupancy = report.table("council_occupancy")
    assert [r[0] for r in occupancy.rows] == [a]  # only the units 561 uses
    assert occupancy.row(a)[2:5] == [376, 160, pytest.approx(160 / 376)]
    assert occupancy.row(a)[6] == pytest.approx(0.9)
    odense = _summary(session, "461")
    assert [r[0] for r in odense.table("council_occupancy").rows] == [b]
    assert odense.table("council_occupancy").row(b)[2:4] == [180, 46]
    assert not any(r[1] == a and "2026" in str(r[2]) for r in odense.table("council_years").rows)
    organisation = next(s for s in odense.sections if s.key == "organisation")
    assert any("færre end 2 borgere fra andre kommuner" in str(m) for m in organisation.messages)


def test_no_council_subtracts_its_way_to_another_municipalitys_citizen(session, ledger):
    """With k = 5 neither Esbjerg (2 others in A: c1, c3) nor Odense (1 other: c2) sees unit
    A's figures, for the period or for 2026, nor a centre total that holds them; B (no one
    else stayed there) stays open to Odense."""
    a = session.get(Unit, ledger.unit_a).name
    b = session.get(Unit, ledger.unit_b).name
    esbjerg = _summary(session, "561")
    assert esbjerg.table("council_occupancy").rows == []
    assert not any("2026" in str(r[2]) for r in esbjerg.table("council_years").rows)
    odense = _summary(session, "461")
    assert [r[0] for r in odense.table("council_occupancy").rows] == [b]
    assert not any(r[1] == a and "2026" in str(r[2]) for r in odense.table("council_years").rows)


def test_costs_hold_special_services_and_the_centres_revenue_is_shown(session, ledger, k2):
    """561, 2026Q1: c2 39 days x 2 040 = 79 560 + the service 20 days x 300 = 6 000 = 85 560.
    The revenue table shows unit A (used by 561): 180 060 in 2026 up to 31 March. B's own row
    is not shown to 561, and neither is the centre's total for 2026 (180 060 + 23 460 =
    203 520): less A's row it would be B's, and B held one citizen (c4) in 2026."""
    a = session.get(Unit, ledger.unit_a).name
    b = session.get(Unit, ledger.unit_b).name
    centre = session.get(Centre, ledger.centre).name
    report = _summary(session, "561")
    assert report.table("council_cost").row(a)[-1] == pytest.approx(85560.0)
    years = {(r[0], str(r[1]), str(r[2])): r for r in report.table("council_years").rows}
    assert (centre, "I alt", "2026 (til og med 31.03.)") not in years
    assert years[(centre, a, "2026 (til og med 31.03.)")][6] == pytest.approx(180060.0)
    assert not any(key[1] == b for key in years)
    growth = report.table("council_tariff_growth")
    verdicts = {(r[0], str(r[2]), r[3]): str(r[8]) for r in growth.rows}
    assert verdicts[(a, "Én takst", "2026")] == "Over indekset"  # 1 050 / 1 000: +5 % > 2 %
    assert not any(r[0] == b for r in growth.rows)


def test_settlements_are_the_municipalitys_own_and_added_for_whole_years(session, ledger):
    """Odense (461) settles A 2025 +10 000, A 2026 -4 000 and B 2025 +2 000; Esbjerg none.
    For the year 2026 the total behind the key figures for 461 adds the 2026 settlement:
    c1 365 days x 1 050 = 383 250, c4 46 x 510 = 23 460, c3 unpriced, -4 000: 402 710 kr."""
    odense = _summary(session, "461", parse_period("2026"), date(2027, 2, 1))
    rows = [(r[1], r[2]) for r in odense.table("council_settlements").rows]
    assert sorted(rows) == [("2025", 2000.0), ("2025", 10000.0), ("2026", -4000.0)]
    year = council_parts(
        session=session,
        municipality_code="461",
        period=parse_period("2026"),
        today=date(2027, 2, 1),
    )
    # The key figures are hidden here (3 citizens < k); their total is the costs': 402 710.
    assert year.ours.costs.total_cost == pytest.approx(402710.0)
    assert _summary(session, "561").table("council_settlements").rows == []


def test_the_summary_tables_are_audited_or_listed_as_outside_the_audit(app, session, ledger):
    """Each table is shown by a cell of `union.cell_specs` or listed in UNAUDITED_TABLES (a
    section with audit cells of its own is tested with them)."""
    parts = council_parts(session=session, municipality_code="461", period=Q1, today=TODAY)
    report = council_report(parts)
    specs = cell_specs(
        Q1.key,
        parts.ctx.reference_date,
        parts.ours,
        parts.region,
        parts.cells,
        parts.ctx.units()["name"].to_dict(),
        "461",
    )
    spotted = {spot[1] for spec in specs for spot in spec.spots if spot[0] == "table"}
    for key in ("verdict", "summary", "results", "units", "organisation", "glossary"):
        for table in report.section(key).tables:
            assert table.key in spotted or unaudited(table.key), table.key
    assert {t.key for t in report.section("organisation").tables} <= set(UNAUDITED_TABLES)


def test_the_summary_with_its_economy_is_published_in_both_languages(app, session, ledger):
    with app.test_request_context():
        content = publish("461", Q1)
    assert "council_years" in str(content["da"]["report"])
    assert "council_occupancy" in str(content["en"]["report"])
