"""Every report kind's PDF from demo data, its pages as PNG images and its layout checked.

    .venv/bin/python -m bench.pdf_pages [OUTDIR] [--locale da|en] [--kinds effect,learning]

Builds a small demo region (the test suite's: 160 citizens over three years) in a temporary
SQLite file, renders the effect, documentation, learning, economy and council PDFs for the
region's first half of 2026, writes them and the HTML they were made from to OUTDIR (default
``del-pdf-pages`` in the temporary folder) with one PNG per page (``pdftoppm``), and prints what
`tests.support.pdf_layout` finds wrong: words that overlap, words broken inside, text past the
page's margin, a table's row alone on a page. A reviewer opens the PNGs to see what the checks
cannot (tests/reports/test_pdf_layout.py runs the same checks).
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from flask import Flask

from del_tool import create_app, migrate
from del_tool.db import get_db, write_session
from del_tool.demo.generator import DemoOptions, generate_demo
from del_tool.organisation.services import seed_all
from tests.support.pdf_layout import layout_problems

KINDS = ("effect", "documentation", "learning", "economy", "council")
TODAY = date(2026, 10, 1)
PERIOD = "2026H1"
SECRET = "pdf-pages-secret-key-that-is-long-enough"  # noqa: S105 - a throwaway local app


@contextmanager
def demo_app(folder: Path) -> Iterator[Flask]:
    """An app on a fresh demo region in `folder`."""
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "AUDIT_KEY": SECRET + "-audit-key",
            "DATABASE_URL": url,
            "JOBS_URL": "memory://",
            "STORE_URL": "memory://",
        }
    )
    migrate.upgrade(app)
    with app.app_context(), write_session(app) as session:
        seed_all(session=session)
        options = DemoOptions(citizens=160, years=3, seed=7, today=TODAY)
        generate_demo(
            session=session, options=options, registry=app.extensions["del_questionnaires"]
        )
    try:
        yield app
    finally:
        get_db(app).dispose()


def render_pdf(app: Flask, kind: str, locale: str) -> tuple[bytes, str]:
    """The region's (or the first paying municipality's) report of `kind` as a PDF, with the
    HTML it was made from."""
    from del_tool.reports.common.period import parse_period
    from del_tool.reports.common.selection import resolve_scope
    from del_tool.reports.council.report import build_council_summary
    from del_tool.reports.rendering.pages import pdf_from_html, report_pdf_html
    from del_tool.reports.services import build_report, council_municipalities

    period = parse_period(PERIOD)
    with app.app_context(), get_db(app).session(write=False) as session:
        if kind == "council":
            code = council_municipalities(session=session, period=period)[0]
            report = build_council_summary(
                session=session, municipality_code=code, period=period, today=TODAY
            )
        else:
            scope = resolve_scope("region", session=session)
            report = build_report(kind, session=session, scope=scope, period=period, today=TODAY)
        html = report_pdf_html(report, locale=locale)
        return pdf_from_html(html), html


def main() -> None:
    """Render, rasterise and check every kind's PDF; exit status 1 if any check fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(tempfile.gettempdir()) / "del-pdf-pages"
    parser.add_argument("outdir", nargs="?", type=Path, default=default, help="where to write")
    parser.add_argument("--locale", default="da", help="the reader's language (da or en)")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated report kinds")
    parser.add_argument("--dpi", type=int, default=80, help="resolution of the PNG pages")
    args = parser.parse_args()
    args.outdir.mkdir(parents=True, exist_ok=True)
    failed = False
    with tempfile.TemporaryDirectory() as folder, demo_app(Path(folder)) as app:
        for kind in args.kinds.split(","):
            pdf, html = render_pdf(app, kind, args.locale)
            path = args.outdir / f"{kind}-{args.locale}.pdf"
            path.write_bytes(pdf)
            path.with_suffix(".html").write_text(html, encoding="utf-8")
            subprocess.run(
                ["pdftoppm", "-png", "-r", str(args.dpi), str(path), str(path.with_suffix(""))],
                check=True,
            )
            problems = layout_problems(pdf, html)
            failed = failed or bool(problems)
            print(f"{path}: {len(problems)} layout problem(s)")
            for problem in problems:
                print(f"  {problem}")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
