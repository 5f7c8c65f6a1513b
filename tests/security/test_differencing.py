"""Issue #14: a council cannot difference its way to one citizen's value.

The attack: move a custom period's end by one day, so that one citizen joins, and read that
citizen's value from n and the mean of the two summaries. Councils now get whole published
calendar periods only, means and shares need COUNCIL_MIN_N_STATISTICS citizens, and what is
published is rounded.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from sqlmodel import select

from del_tool.citizens.models import Stay
from del_tool.db import get_db
from del_tool.followups.models import FollowUp, FollowUpKind
from del_tool.reports.common.context import publication_day
from del_tool.reports.common.model import Hidden
from del_tool.reports.common.period import parse_period
from del_tool.reports.council.figures import gate
from del_tool.reports.council.publication import publish
from del_tool.reports.models import CouncilPublication
from del_tool.store import get_store
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


def test_a_published_summary_is_frozen_late_records_cannot_move_it(demo_app, demo_client):
    analyst = demo_app.test_client()
    login(analyst, "analyst", DEMO_PASSWORD)
    live_url = COUNCIL.format(period="2026-04-01..2026-06-30", fmt="csv")  # same days, live
    live = analyst.get(live_url)
    login(demo_client, "council", DEMO_PASSWORD)
    url = COUNCIL.format(period="2026Q2", fmt="csv")
    first = demo_client.get(url)
    assert first.status_code == 200 and first.mimetype == "application/zip"
    with demo_app.app_context(), get_db(demo_app).session(write=True) as db:
        assert db.exec(select(CouncilPublication)).all()  # published at the first request
        stay = db.exec(
            select(Stay).where(Stay.municipality_code == "461", Stay.end_date.is_(None))
        ).first()
        late = FollowUp(
            citizen_id=stay.citizen_id,
            stay_id=stay.id,
            followup_date=date(2026, 6, 29),
            kind=FollowUpKind.FOLLOW_UP,
        )
        db.add(late)
        db.commit()
        get_store(demo_app).clear()  # nothing built earlier is left to serve
    again = demo_client.get(url)
    assert again.status_code == 200 and _tables(again.data) == _tables(first.data)
    assert _tables(analyst.get(live_url).data) != _tables(live.data)  # the late record counts live


def test_the_nightly_job_publishes_every_paying_municipality_once(demo_app, monkeypatch):
    import del_tool.modelbase as modelbase
    from del_tool.reports.tasks import publish_due_council_summaries

    monkeypatch.setattr(modelbase, "local_today", lambda: date(2026, 10, 20))
    with demo_app.app_context():
        published = publish_due_council_summaries()
        assert published >= 2
        assert publish_due_council_summaries() == 0
        with get_db(demo_app).session(write=False) as db:
            rows = db.exec(select(CouncilPublication)).all()
        assert {r.period_key for r in rows} == {"2026Q3"} and len(rows) == published
        assert set(rows[0].content) == {"audit", "da", "en"}  # the union audit's cells kept
        assert rows[0].content["audit"]["cells"]


def _tables(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as files:
        return {name: files.read(name) for name in files.namelist()}


def test_a_council_browses_only_its_own_published_summaries(demo_app, demo_client):
    login(demo_client, "council", DEMO_PASSWORD)
    assert "Der er ikke offentliggjort" in demo_client.get("/reports/council/archive").text
    with demo_app.app_context():
        for code in ("461", "561"):
            publish(code, parse_period("2026Q2"))
    page = demo_client.get("/reports/council/archive").text
    assert "municipality=461&amp;period=2026Q2" in page and "Esbjerg" not in page
