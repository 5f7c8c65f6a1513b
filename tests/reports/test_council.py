"""Council summaries: suppression of small cells in HTML, PDF and XLSX alike, and access."""

from __future__ import annotations

import io
import re
import subprocess
from html.parser import HTMLParser

import numpy as np
import pytest
from openpyxl import load_workbook

from del_tool.reports.common.model import Hidden
from del_tool.reports.common.period import parse_period
from del_tool.reports.council.report import build_council_summary
from del_tool.reports.rendering.pages import render_report_pdf
from del_tool.reports.rendering.spreadsheet import render_report_xlsx
from del_tool.stats import paired_change
from tests.conftest import login
from tests.reports import expect
from tests.reports.world import TODAY

PERIOD = parse_period("2026Q2")
SMALL = "561"  # 2-4 citizens in each unit of the world
TABLES = ("council_citizens", "council_days", "council_cost")
#: Organisation data about whole units, every payer together (openness about the offers'
#: economy, #17): named per unit by design, holding no statistic of the municipality's citizens.
ORGANISATION = (
    "council_occupancy",
    "council_tariff_growth",
    "council_years",
    "council_settlements",
)
#: Only the citizen counts are suppressed: days and cost are on the municipality's invoices.
SUPPRESSED = ("council_citizens",)
MARKERS = {"<5", "x"}


def _unit_name(session, world, key):
    from del_tool.organisation.models import Unit

    return session.get(Unit, world.units[key]).name


def _published(table):
    """The table's interior and totals as a matrix with NaN for hidden cells."""
    values = [
        [np.nan if isinstance(v, Hidden) else float(v) for v in row[1:]] for row in table.rows
    ]
    return np.array(values)


def _determined(matrix):
    """Hidden cells whose value follows from the published row and column sums."""
    hidden = list(zip(*np.nonzero(np.isnan(matrix)), strict=True))
    rows, cols = matrix.shape
    equations = []
    for r in range(rows - 1):  # each interior row plus its total: sum(cells) - total = 0
        equations.append([(r, c, 1.0) for c in range(cols - 1)] + [(r, cols - 1, -1.0)])
    for c in range(cols):  # each column (including the totals column) sums to its total
        equations.append([(r, c, 1.0) for r in range(rows - 1)] + [(rows - 1, c, -1.0)])
    index = {cell: i for i, cell in enumerate(hidden)}
    a = np.zeros((len(equations), len(hidden)))
    for e, terms in enumerate(equations):
        for r, c, w in terms:
            if (r, c) in index:
                a[e, index[(r, c)]] += w
    if not hidden:
        return []
    _, s, vt = np.linalg.svd(a)
    null = vt[int((s > 1e-9).sum()) :]
    return [cell for cell, i in index.items() if np.allclose(null[:, i], 0)]


def test_small_cells_and_everything_that_reveals_them_are_hidden(session, world):
    report = build_council_summary(
        session=session, municipality_code=SMALL, period=PERIOD, today=TODAY
    )
    name = _unit_name(session, world, "A")
    for key in SUPPRESSED:
        table = report.table(key)
        row = table.row(name)
        assert all(isinstance(v, Hidden) or v == 0 for v in row[1:]), key
        assert any(isinstance(v, Hidden) for v in row[1:])
        assert _determined(_published(table)) == [], key
    for key in ("council_days", "council_cost"):  # in full: the council has the invoices
        row = report.table(key).row(name)
        assert not any(isinstance(v, Hidden) for v in row[1:]) and sum(row[1:-1]) > 0, key
    citizens = report.table("council_citizens")
    assert any(v.marker == "<5" for v in citizens.row(name)[1:] if isinstance(v, Hidden))


def test_no_statistic_is_given_per_unit_and_small_groups_are_gated(session, world):
    report = build_council_summary(
        session=session, municipality_code=SMALL, period=PERIOD, today=TODAY
    )
    names = [_unit_name(session, world, k) for k in ("A", "B", "C")]
    for table in report.tables():
        if table.key not in TABLES + ORGANISATION:
            assert not any(str(r[0]) in names for r in table.rows)
    stays = [s for s in world.stays if s.municipality == SMALL]
    stays = expect.overlapping(stays, PERIOD.start, PERIOD.end)
    pre, post = expect.admission_pairs(stays, ("del_functioning", "mean"), None, PERIOD.end)
    figure = report.figure("functioning_improvement")
    if len(pre) >= 10:  # a mean needs COUNCIL_MIN_N_STATISTICS citizens, and is rounded
        assert figure.value == round(paired_change(post, pre).mean_diff, 1)  # improvement
    else:
        assert isinstance(figure.value, Hidden) and figure.note is None


def _html_rows(html, table_id):
    class Rows(HTMLParser):
        def __init__(self):
            super().__init__()
            self.inside, self.rows, self.cell = False, [], None

        def handle_starttag(self, tag, attrs):
            if tag == "table":
                self.inside = dict(attrs).get("id") == table_id
            elif self.inside and tag == "tr":
                self.rows.append([])
            elif self.inside and tag in ("td", "th"):
                self.cell = ""

        def handle_data(self, data):
            if self.cell is not None:
                self.cell += data

        def handle_endtag(self, tag):
            if self.inside and tag in ("td", "th") and self.cell is not None:
                self.rows[-1].append(self.cell.strip())
                self.cell = None
            if tag == "table":
                self.inside = False

    parser = Rows()
    parser.feed(html)
    return parser.rows


def test_the_page_pdf_and_spreadsheet_hide_the_same_cells(app, client, session, world, make_user):
    name = _unit_name(session, world, "A")
    report = build_council_summary(
        session=session, municipality_code=SMALL, period=PERIOD, today=TODAY
    )
    workbook = load_workbook(io.BytesIO(render_report_xlsx(report)))
    pdf_text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=render_report_pdf(report),
        capture_output=True,
        check=True,
    ).stdout.decode()
    session.rollback()  # end the write transaction before the requests below write
    user = make_user("analyst")
    login(client, user.username)
    html = client.get(f"/reports/council?municipality={SMALL}&period=2026Q2").get_data(as_text=True)
    for key in SUPPRESSED:
        page_row = next(r for r in _html_rows(html, f"table-{key}") if r and r[0] == name)
        assert set(page_row[1:]) <= MARKERS | {"0"}, key
        sheet = workbook[str(report.table(key).title)[:31]]
        sheet_row = next(r for r in sheet.iter_rows(min_row=5, values_only=True) if r[0] == name)
        assert set(sheet_row[1:]) <= MARKERS | {0}, key
        assert [str(v) for v in sheet_row[1:]] == page_row[1:]
    first_word = name.split()[0]
    # The unit x section tables come before the organisation section (whole units, by name).
    before = pdf_text.rsplit("Tilbuddenes økonomi", 1)[0]
    lines = [line for line in before.splitlines() if line.strip().startswith(first_word)]
    assert len(lines) == len(TABLES)
    tokens = re.findall(r"<5|\bx\b|[\d.,]+", lines[0].split(first_word, 1)[1])  # citizens
    assert set(tokens) <= MARKERS | {"0"}, lines[0]


def test_councils_see_only_their_own_municipality(app, client, world, make_user):
    user = make_user("council", municipality_code="461")
    login(client, user.username)
    own = client.get("/reports/council?period=2026Q2")
    assert own.status_code == 200 and "Odense" in own.get_data(as_text=True)
    assert client.get(f"/reports/council?municipality={SMALL}&period=2026Q2").status_code in (
        400,
        403,
    )
    assert client.get("/reports/report?kind=effect&scope=region&period=2026").status_code == 403
    assert client.get("/reports/").status_code == 403


@pytest.mark.parametrize("period", ["2026Q5", "2026-13-01..2026-12-31", "2026-06-30..2026-01-01"])
def test_a_bad_period_is_an_error_beside_the_field(client, make_user, world, period):
    user = make_user("analyst")
    login(client, user.username)
    page = client.get(f"/reports/council?municipality=461&period={period}")
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and 'id="period-error"' in html


def test_a_municipality_paying_for_no_stay_gets_a_summary_and_pdf(session, world):
    # Ærø (492) pays for none of the world's stays: the summary says so instead of failing
    # (pandas cannot map an empty set of stays onto their start dates).
    report = build_council_summary(
        session=session, municipality_code="492", period=PERIOD, today=TODAY
    )
    assert render_report_pdf(report).startswith(b"%PDF")
    assert render_report_xlsx(report)
