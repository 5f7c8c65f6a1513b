"""Report periods: the short forms people type, and the errors for everything else."""

from __future__ import annotations

from datetime import date

import pytest

from del_tool.reports.common.period import (
    PeriodError,
    last_four_quarters,
    latest_complete_quarter,
    parse_period,
)


@pytest.mark.parametrize(
    ("text", "start", "end", "kind"),
    [
        ("2026Q3", date(2026, 7, 1), date(2026, 9, 30), "quarter"),
        (" 2026q4 ", date(2026, 10, 1), date(2026, 12, 31), "quarter"),
        ("2024Q1", date(2024, 1, 1), date(2024, 3, 31), "quarter"),
        ("2026H1", date(2026, 1, 1), date(2026, 6, 30), "half"),
        ("2026h2", date(2026, 7, 1), date(2026, 12, 31), "half"),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "year"),
        ("2026-01-01..2026-06-30", date(2026, 1, 1), date(2026, 6, 30), "custom"),
        ("2026-02-28 .. 2026-02-28", date(2026, 2, 28), date(2026, 2, 28), "custom"),
    ],
)
def test_accepted_forms(text, start, end, kind):
    period = parse_period(text)
    assert (period.start, period.end, period.kind) == (start, end, kind)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "format"),
        ("2026Q5", "format"),
        ("2026H3", "format"),
        ("3. kvartal", "format"),
        ("1066", "year"),
        ("2026-02-30..2026-03-01", "date"),
        ("2026-06-30..2026-01-01", "order"),
        ("2000-01-01..2026-01-01", "length"),
        ("=cmd", "format"),
    ],
)
def test_rejected_forms_say_why(text, reason):
    with pytest.raises(PeriodError) as caught:
        parse_period(text)
    assert caught.value.reason == reason and "\n" not in str(caught.value)


def test_quarters_for_trends_and_defaults():
    period = parse_period("2026H1")
    assert [q.key for q in period.quarters()] == ["2026Q1", "2026Q2"]
    assert [q.key for q in period.quarters(3)] == ["2025Q4", "2026Q1", "2026Q2"]
    assert latest_complete_quarter(date(2026, 10, 1)).key == "2026Q3"
    assert latest_complete_quarter(date(2026, 1, 15)).key == "2025Q4"
    assert last_four_quarters(date(2026, 10, 1)).key == "2025-10-01..2026-09-30"


def _header(period_text: str, locale: str = "da") -> str:
    """The rendered "Periode" entry of a report page's header for an empty report."""
    from datetime import UTC, datetime

    from flask_babel import force_locale

    from del_tool.reports.common.model import Report
    from del_tool.reports.common.selection import Filters
    from del_tool.reports.rendering.pages import render_report_html

    report = Report(
        kind="economy",
        title="Rapport",
        scope_label="Regionen",
        period=parse_period(period_text),
        filters=Filters(),
        filter_labels=[],
        generated_at=datetime(2026, 10, 1, 12, 0, tzinfo=UTC),
        sections=[],
    )
    with force_locale(locale):
        html = render_report_html(report)
    start = html.index('<dl class="del-facts">')
    entry = html[start : html.index("</dl>", start)]
    return entry.split("</dt><dd>")[2].split("</dd>")[0]


@pytest.mark.parametrize(
    ("text", "da", "en"),
    [
        (
            "2025-10-01..2026-09-30",
            "01.10.2025–30.09.2026",
            "01.10.2025–30.09.2026",
        ),
        ("2026Q3", "3. kvartal 2026 (01.07.2026–30.09.2026)", "Q3 2026 (01.07.2026–30.09.2026)"),
        ("2026", "2026 (01.01.2026–31.12.2026)", "2026 (01.01.2026–31.12.2026)"),
    ],
)
def test_the_header_gives_the_period_once(app, text, da, en):
    # Reported: a custom period read "01.10.2025 til 30.09.2026 (01.10.2025–30.09.2026)".
    assert _header(text) == da
    assert _header(text, "en") == en


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("2026K3", "2026Q3"),
        ("Q3 2026", "2026Q3"),
        ("3. kvartal 2026", "2026Q3"),
        ("3rd quarter 2026", "2026Q3"),
        ("H2 2026", "2026H2"),
        ("1. halvår 2026", "2026H1"),
        ("første halvår 2026", "2026H1"),
        ("01.01.2026..30.06.2026", "2026-01-01..2026-06-30"),  # as the reports print it
        ("01.10.2025–30.09.2026", "2025-10-01..2026-09-30"),
        ("1.1.2026 til 30.6.2026", "2026-01-01..2026-06-30"),
        ("01-01-2026 - 30-06-2026", "2026-01-01..2026-06-30"),
    ],
)
def test_periods_as_people_write_them(text, key):
    assert parse_period(text).key == key


def test_a_reversed_range_says_so():
    with pytest.raises(PeriodError) as caught:
        parse_period("30.06.2026..01.01.2026")
    assert caught.value.reason == "order"


def test_the_default_period_is_the_twelve_months_up_to_today():
    from del_tool.reports.common.period import last_twelve_months

    assert last_twelve_months(date(2026, 12, 3)).key == "2025-12-04..2026-12-03"
    assert last_twelve_months(date(2028, 2, 29)).key == "2027-03-01..2028-02-29"
