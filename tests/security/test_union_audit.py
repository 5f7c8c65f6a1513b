"""Issue #14: the union audit over everything a council can see.

Calendar periods nest (the second quarter lies within the half-year, and both end on 30 June),
so subtracting the quarter's figures from the half-year's isolates the stays that ended in the
first quarter: with one such stay, its change since admission. The audit finds such differences
over all of a municipality's publications and withholds what would give them away.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from del_tool.auth.permissions import endpoint_permission
from del_tool.db import get_db
from del_tool.reports.codec import decode
from del_tool.reports.common.model import Hidden
from del_tool.reports.common.period import parse_period
from del_tool.reports.council.publication import publish
from del_tool.reports.council.union import decode_cells
from del_tool.reports.models import CouncilPublication
from del_tool.reports.outputs import AGGREGATE_OUTPUTS, NON_AGGREGATE_ENDPOINTS, reachable
from del_tool.stats.union_audit import AuditCell, audit, count_interval, sum_interval

Q2 = ("2026-04-01", "2026-06-30")
H1 = ("2026-01-01", "2026-06-30")


def _mean_cell(key, members, period, decimals=1, scope="region/461"):
    mean = round(sum(members.values()) / len(members), decimals)
    known = sum_interval(mean, len(members), decimals)
    return AuditCell(key, "change@06-30", members, known, False, (-4.0, 4.0), period, scope)


def test_one_stay_more_in_the_half_year_gives_its_change_away():
    quarter = {f"s{i}": float(i % 3 - 1) for i in range(10)}
    half = {**quarter, "ended_in_q1": 3.0}
    found = audit(
        [_mean_cell("Q2/change", quarter, Q2), _mean_cell("H1/change", half, H1)], k=5, min_n=10
    )
    assert [(f.kind, f.size, f.cells) for f in found] == [("value", 1, ("H1/change", "Q2/change"))]
    assert found[0].low <= 3.0 <= found[0].high and found[0].high - found[0].low < 2.5


def test_periods_that_do_not_nest_cannot_be_subtracted():
    first = {f"s{i}": 1.0 for i in range(10)}
    second = {**first, "new": -4.0}  # Q1 and Q2: nobody knows that no one left
    cells = [
        _mean_cell("Q1/change", first, ("2026-01-01", "2026-03-31")),
        _mean_cell("Q2/change", second, Q2),
    ]
    assert audit(cells, k=5, min_n=10) == []


def test_a_count_under_k_derived_across_periods_is_found():
    def count(key, n, period):
        members = {f"c{i}": 1.0 for i in range(n)}
        return AuditCell(
            key,
            "count:citizen",
            members,
            count_interval(n, n, 5),
            True,
            (1.0, 1.0),
            period,
            "region/461",
        )

    found = audit([count("Q2/citizens", 20, Q2), count("H1/citizens", 23, H1)], k=5, min_n=10)
    assert [(f.kind, f.size) for f in found] == [("count", 3)]
    hidden = AuditCell(
        "H1/citizens",
        "count:citizen",
        {f"c{i}": 1.0 for i in range(23)},
        count_interval(None, 23, 5),
        True,
        (1.0, 1.0),
        H1,
        "region/461",
    )
    assert audit([count("Q2/citizens", 20, Q2), hidden], k=5, min_n=10) == []


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(-4, 4), min_size=10, max_size=14),
    st.lists(st.integers(-4, 4), min_size=0, max_size=12),
)
def test_whatever_the_stays_withholding_leaves_no_difference_to_read(stayed, ended):
    """Withhold as the publication does (the half-year's cell) and attack every shown pair."""
    quarter = {f"s{i}": float(v) for i, v in enumerate(stayed)}
    half = {**quarter, **{f"e{i}": float(v) for i, v in enumerate(ended)}}
    q, h = _mean_cell("Q2/change", quarter, Q2), _mean_cell("H1/change", half, H1)
    if audit([q, h], k=5, min_n=10):
        h = AuditCell(h.key, h.family, h.members, None, False, h.value_range, H1, h.scope)
    assert audit([q, h], k=5, min_n=10) == []
    if h.known is not None and q.known is not None and 0 < len(ended) < 10:
        low, high = h.known[0] - q.known[1], h.known[1] - q.known[0]
        assert (high - low) / len(ended) >= 0.5 * 8  # the attacker's estimate is not narrow


def test_the_half_year_after_its_quarters_withholds_what_differencing_would_show(demo_app):
    with demo_app.test_request_context():
        for key in ("2026Q1", "2026Q2", "2026H1"):
            publish("461", parse_period(key))
        with get_db(demo_app).session(write=False) as session:
            rows = {
                r.period_key: r.content
                for r in session.exec(
                    select(CouncilPublication).where(CouncilPublication.municipality_code == "461")
                ).all()
            }
    cells = [cell for content in rows.values() for cell in decode_cells(content["audit"]["cells"])]
    assert audit(cells, k=5, min_n=10) == []  # the union of all three is safe
    assert rows["2026H1"]["audit"]["withheld"]  # and it took withholding to make it so
    # The attack on the published numbers: the change tables of Q2 and H1 as a council reads them.
    change = {}
    for key in ("2026Q2", "2026H1"):
        report = decode(rows[key]["da"]["report"])
        table = next(t for s in report.sections for t in s.tables if t.key == "council_change")
        change[key] = table.rows
    for q2, h1 in zip(change["2026Q2"], change["2026H1"], strict=True):
        shown = not any(isinstance(v, Hidden) or v is None for v in (q2[1], q2[2], h1[1], h1[2]))
        if shown:
            assert h1[1] - q2[1] == 0 or h1[1] - q2[1] >= 10, "one stay's change is readable"


def test_every_endpoint_a_council_can_call_is_registered(demo_app):
    with demo_app.test_request_context():
        reached = {
            rule.endpoint
            for rule in demo_app.url_map.iter_rules()
            if reachable(endpoint_permission(rule.endpoint))
        }
    unregistered = reached - set(AGGREGATE_OUTPUTS) - NON_AGGREGATE_ENDPOINTS
    assert not unregistered, f"register these in del_tool/reports/outputs.py: {unregistered}"
    assert set(AGGREGATE_OUTPUTS) <= reached  # and nothing registered is stale
