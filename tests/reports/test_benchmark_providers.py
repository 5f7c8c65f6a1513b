"""Regional and municipal offers benchmarked on identical measures (issue #17 item 2).

On the demo region: Center for Socialpsykiatri (regional, target group "mental illness") is
benchmarked against Odense Kommune's two municipal offers and the other regional offers of that
target group. Its leader's learning report names the centre's own offers and letters the rest,
and nothing else in the section gives away which offer a letter is.
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import col, select

from del_tool.organisation.models import Centre, Unit
from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import resolve_scope
from del_tool.reports.learning.report import build_learning_report

PERIOD = parse_period("2023-10-01..2026-09-30")


def _benchmark(session, key: str):
    report = build_learning_report(
        session=session, scope=resolve_scope(key, session=session), period=PERIOD, viewer=None
    )
    return {s.key: s for s in report.sections if s.key.startswith("benchmark_")}


def _text(section) -> str:
    """Everything a reader of the section sees: tables, chart data, messages, intro."""
    parts = [str(section.title), str(section.intro), *(str(m) for m in section.messages)]
    for table in section.tables:
        parts.extend(str(cell) for row in table.rows for cell in row)
    for chart in section.charts:
        parts.append(json.dumps(chart.data, default=str))
    return "\n".join(parts)


@pytest.fixture
def centre(demo_session):
    return demo_session.exec(
        select(Centre).where(Centre.name == "Center for Socialpsykiatri")
    ).one()


def _unit_names(session, *, centre_id=None, operated=None, target="mental_illness"):
    query = select(Unit.name, Centre.operator_code).join(Centre, col(Centre.id) == Unit.centre_id)
    rows = session.exec(query.where(Unit.target_group == target)).all()
    units = session.exec(select(Unit).where(Unit.target_group == target)).all()
    by_name = {u.name: u for u in units}
    return {
        name
        for name, operator in rows
        if (centre_id is None or by_name[name].centre_id == centre_id)
        and (operated is None or (operator is not None) == operated)
    }


def test_own_offers_are_named_and_the_others_lettered(demo_session, demo_app, centre):
    sections = _benchmark(demo_session, f"centre:{centre.id}")
    assert set(sections) == {"benchmark_mental_illness"}  # the only target group it serves
    section = sections["benchmark_mental_illness"]
    text = _text(section)
    own = _unit_names(demo_session, centre_id=centre.id)
    others = _unit_names(demo_session) - own
    assert _unit_names(demo_session, operated=True) <= others  # Odense's offers are in it
    assert any(name in text for name in own)
    assert not [name for name in others if name in text], "another provider's offer is named"
    assert "Tilbud A" in text
    assert "Kommunale tilbud" in text and "Regionale tilbud" in text
    keys = [t.key for t in section.tables]
    assert "benchmark_mental_illness_adjusted" in keys
    assert "benchmark_mental_illness_operators_adjusted" in keys

    demo_app.config["BENCHMARK_OPEN"] = True
    try:
        opened = _text(_benchmark(demo_session, f"centre:{centre.id}")["benchmark_mental_illness"])
    finally:
        demo_app.config["BENCHMARK_OPEN"] = False
    assert "Tilbud A" not in opened and any(name in opened for name in others)


def test_the_region_sees_every_offer_named_and_small_offers_are_left_out(demo_session, demo_app):
    region = _benchmark(demo_session, "region")
    # Only target groups that both the region and a municipality serve are benchmarked.
    assert "benchmark_deafblindness" not in region and "benchmark_mental_illness" in region
    assert "Tilbud A" not in _text(region["benchmark_mental_illness"])
    demo_app.config["SUPPRESSION_K"] = 10_000
    try:
        section = _benchmark(demo_session, "region")["benchmark_mental_illness"]
    finally:
        demo_app.config["SUPPRESSION_K"] = 5
    assert any("er udeladt" in str(m) for m in section.messages)
    assert not section.tables and not section.charts
