"""Issue #16, item 5: the council summary shows the last four quarters and the same quarter a
year earlier, for the municipality and the region, each as that quarter was published."""

from __future__ import annotations

from del_tool.reports.codec import decode
from del_tool.reports.common.model import Hidden
from del_tool.reports.common.period import parse_period
from del_tool.reports.council.publication import in_language, publish
from del_tool.reports.council.trend import trend_quarters
from tests.conftest import DEMO_PASSWORD, login


def test_trend_quarters_are_the_last_four_and_a_year_earlier():
    keys = [q.key for q in trend_quarters(parse_period("2026Q3"))]
    assert keys == ["2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    assert trend_quarters(parse_period("2026H1"))[-1].key == "2026Q2"


def test_the_trend_repeats_each_quarters_publication(demo_app, demo_client):
    login(demo_client, "council", DEMO_PASSWORD)
    page = demo_client.get("/reports/council?municipality=461&period=2026Q2")
    assert page.status_code == 200 and "Udvikling over de seneste kvartaler" in page.text
    with demo_app.test_request_context():
        earlier = decode(in_language(publish("461", parse_period("2026Q1")), "da")["report"])
        now = decode(in_language(publish("461", parse_period("2026Q2")), "da")["report"])
    published = {f.key: f.value for s in earlier.sections for f in s.figures}
    # The page's trend row for 2026Q1 holds exactly what 2026Q1's publication showed.
    assert "1. kvartal 2026" in page.text
    citizens = published["citizens"]
    shown = citizens.marker if isinstance(citizens, Hidden) else str(citizens)
    row = page.text.split("1. kvartal 2026", 1)[1].split("</tr>", 1)[0]
    assert f">{shown}<" in row.replace(" ", "")
    assert "trend" not in {s.key for s in now.sections}  # assembled when served, never stored
