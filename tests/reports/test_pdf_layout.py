"""Every report kind's PDF read back from the positions of its words: nothing printed over
anything, no word broken inside, nothing past the margin, no table row alone on a page.

The PDFs are built once per module from the demo region (`python -m bench.pdf_pages` renders
the same PDFs with their pages as PNG images, for a person to look at).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask

from del_tool import create_app
from del_tool.db import get_db
from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import resolve_scope
from del_tool.reports.council.report import build_council_summary
from del_tool.reports.rendering.pages import pdf_from_html, report_pdf_html
from del_tool.reports.services import build_report, council_municipalities
from tests.conftest import DEMO_OPTIONS, make_config
from tests.support.pdf_layout import layout_problems, read_pages

KINDS = ("effect", "documentation", "learning", "economy", "supervision", "council")
PERIOD = parse_period("2026H1")
TODAY: date = DEMO_OPTIONS["today"]


@pytest.fixture(scope="module")
def demo(databases) -> Iterator[Flask]:
    """One demo region for the module (read only)."""
    url = databases.fresh("demo")
    app = create_app(make_config(url))
    yield app
    get_db(app).dispose()
    databases.drop(url)


@pytest.fixture(scope="module")
def pdfs(demo: Flask) -> dict[str, tuple[bytes, str]]:
    """Each kind's PDF for the region (the council's for its first paying municipality), with
    the HTML it was made from."""
    built = {}
    with demo.app_context(), get_db(demo).session(write=False) as session:
        for kind in KINDS:
            if kind == "council":
                code = council_municipalities(session=session, period=PERIOD)[0]
                report = build_council_summary(
                    session=session, municipality_code=code, period=PERIOD, today=TODAY
                )
            else:
                scope = resolve_scope("region", session=session)
                report = build_report(
                    kind, session=session, scope=scope, period=PERIOD, today=TODAY
                )
            html = report_pdf_html(report, locale="da")
            built[kind] = (pdf_from_html(html), html)
    return built


@pytest.mark.parametrize("kind", KINDS)
def test_the_pdf_reads_cleanly(pdfs, kind):
    pdf, html = pdfs[kind]
    assert layout_problems(pdf, html) == []


def test_a_table_too_wide_for_portrait_gets_a_landscape_page(pdfs):
    pdf, _ = pdfs["effect"]
    pages = read_pages(pdf)
    wide = [p for p in pages if p.width > p.height]
    assert wide and len(wide) < len(pages)
    words = [w.text for p in wide for w in p.words]
    assert "Effektstørrelse" in words and "(Wilcoxon)" in words  # the change table's headers


DEFECTS = """<!doctype html><html><head><style>
  @page { size: A4; margin: 18mm 16mm; }
  body { font-family: "DejaVu Sans"; font-size: 9pt; }
  table { table-layout: fixed; width: 100%; border-collapse: collapse; }
  th { overflow-wrap: break-word; }
  td.n { white-space: nowrap; }
  .wide { width: 200mm; white-space: nowrap; }
</style></head><body>
<table><caption>Smalle kolonner</caption>
  <colgroup><col style="width: 80%"><col style="width: 6%"><col style="width: 14%"></colgroup>
  <thead><tr><th>Skala</th><th>Effektstørrelse</th><th>Andel</th></tr></thead>
  <tbody><tr><th>Trivsel</th><td class="n">-0,16 til +0,12</td><td class="n">-0,06</td></tr></tbody>
</table>
<p class="wide">Denne linje er alt for lang til siden, og den løber derfor ud over margenen til
  højre, hvor ingen kan læse den, hverken på skærm eller papir.</p>
<table><caption>Lang tabel</caption><thead><tr><th>Tilbud</th><th>n</th></tr></thead><tbody>
  <tr><th>Alfa</th><td>1</td></tr><tr><th>Beta</th><td>2</td></tr>
  <tr><th>Gamma</th><td>3</td></tr><tr style="break-before: page"><th>Delta</th><td>4</td></tr>
</tbody></table>
</body></html>"""


def test_the_checks_find_what_the_issue_saw():
    """The checks catch a broken header word, glued or overlapping numbers, a line past the
    margin and a table's last row alone on the next page."""
    problems = "\n".join(layout_problems(pdf_from_html(DEFECTS), DEFECTS))
    assert "header word broken: 'Effektstørrelse'" in problems
    assert "overlap:" in problems or "'+0,12-0,06'" in problems
    assert "past the margin: 'hverken'" in problems
    assert "orphan row: 'Lang tabel'" in problems
