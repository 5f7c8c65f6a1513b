"""Issue #14: a council cannot difference its way to one citizen's value.

The attack: move a custom period's end by one day, so that one citizen joins, and read that
citizen's value from n and the mean of the two summaries. Councils now get whole published
calendar periods only, means and shares need COUNCIL_MIN_N_STATISTICS citizens, and what is
published is rounded.
"""

from __future__ import annotations

from datetime import date

import pytest

from del_tool.reports.common.context import publication_day
from del_tool.reports.common.model import Hidden
from del_tool.reports.common.period import parse_period
from del_tool.reports.council.figures import gate
from tests.conftest import DEMO_PASSWORD, login

COUNCIL = "/reports/council?municipality=461&period={period}&format={fmt}"


@pytest.mark.parametrize("end", ["2026-09-07", "2026-09-08"])
def test_the_one_day_differencing_attack_gets_no_numbers(demo_client, end):
    login(demo_client, "council", DEMO_PASSWORD)
    for fmt in ("csv", "xlsx", "html"):
        answer = demo_client.get(COUNCIL.format(period=f"2026-07-01..{end}", fmt=fmt))
        assert answer.status_code == 400 and answer.mimetype == "text/html"
        assert "hele kvartaler, halvår og år" in answer.text


def test_a_council_sees_a_period_only_once_it_is_published(demo_client, monkeypatch):
    import del_tool.reports.views as views

    login(demo_client, "council", DEMO_PASSWORD)
    quarter = parse_period("2026Q3")
    monkeypatch.setattr(views, "local_today", lambda: date(2026, 10, 5))
    early = demo_client.get(COUNCIL.format(period="2026Q3", fmt="html"))
    assert early.status_code == 400
    assert f"offentliggøres {publication_day(quarter).strftime('%d.%m.%Y')}" in early.text
    default = demo_client.get("/reports/council")  # the newest published quarter
    assert 'value="2026Q2"' in default.text
    monkeypatch.setattr(views, "local_today", lambda: publication_day(quarter))
    assert demo_client.get(COUNCIL.format(period="2026Q3", fmt="html")).status_code == 200


def test_analysts_may_still_choose_any_period(demo_client):
    login(demo_client, "analyst", DEMO_PASSWORD)
    answer = demo_client.get(COUNCIL.format(period="2026-07-01..2026-09-07", fmt="html"))
    assert answer.status_code == 200


def test_means_and_shares_need_ten_citizens_and_are_published_rounded():
    assert gate(7.1111, 9, 10, 1) == Hidden("<10")
    assert gate(7.1111, 10, 10, 1) == 7.1
    assert gate(0.428571, 14, 10) == 0.43  # a share, whole percent
    assert gate(None, 14, 10) is None
