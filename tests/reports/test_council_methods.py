"""Issue #22: the council summary shows the range of the share reliably improved over the
reliable change methods when they disagree by more than COUNCIL_METHOD_MARGIN."""

from __future__ import annotations

from datetime import date

from del_tool.db import get_db
from del_tool.reports.common.period import parse_period
from del_tool.reports.council.methods import TABLE_KEY
from del_tool.reports.council.report import council_parts, council_report
from del_tool.reports.council.union import cell_specs
from del_tool.reports.effect.robustness import METHOD_NAMES, index_results

PERIOD = parse_period("2026Q2")
TODAY = date(2026, 10, 1)  # the demo's today
CODE = "461"  # Odense: enough stays in the demo for the share to be shown


def _parts(app):
    with app.test_request_context(), get_db(app).session(write=False) as session:
        parts = council_parts(session=session, municipality_code=CODE, period=PERIOD, today=TODAY)
        return parts, council_report(parts)


def _shares(effect):
    out = {}
    for method, res in index_results(effect).items():
        if res.s_diff is not None:
            classified = res.category != ""
            better = (res.category == "improved") | (res.category == "recovered")
            out[METHOD_NAMES[method]] = round(float(better[classified].mean()), 2)
    return out


def test_the_range_of_the_methods_is_one_audited_row(demo_app):
    parts, report = _parts(demo_app)
    shares = _shares(parts.ours.functioning)
    assert max(shares.values()) - min(shares.values()) > 0.05, shares  # the demo disagrees
    [row] = report.table(TABLE_KEY).rows
    _scale, low, low_method, high, high_method = row
    assert (low, high) == (min(shares.values()), max(shares.values()))
    assert shares[low_method] == low and shares[high_method] == high
    with demo_app.test_request_context():
        specs = cell_specs(
            PERIOD.key,
            parts.ctx.reference_date,
            parts.ours,
            parts.region,
            parts.cells,
            parts.ctx.units()["name"].to_dict(),
            CODE,
        )
    audited = {spot for spec in specs for spot in spec.spots if spot[1] == TABLE_KEY}
    assert audited == {("table", TABLE_KEY, 0, "low"), ("table", TABLE_KEY, 0, "high")}


def test_methods_that_agree_within_the_margin_add_no_row(demo_app):
    demo_app.config["COUNCIL_METHOD_MARGIN"] = 1.0
    _unused, report = _parts(demo_app)
    assert all(t.key != TABLE_KEY for s in report.sections for t in s.tables)
