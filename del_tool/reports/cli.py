"""`del-tool reports council`: every council pack (PDF + XLSX) for a customer-council meeting."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

import click
from flask.cli import with_appcontext

from del_tool.db import get_db
from del_tool.modelbase import local_today
from del_tool.reports.common import queries
from del_tool.reports.common.period import PeriodError, parse_period
from del_tool.reports.services import (
    build_council_packs,
    council_municipalities,
    describe,
    pack_names,
)


@click.group("reports")
def reports_group() -> None:
    """Reports: council packs for customer councils."""


@reports_group.command("council")
@click.option("--period", "period_text", required=True, help="2026Q3, 2026H1, 2026 or A..B.")
@click.option(
    "--municipality",
    "codes",
    multiple=True,
    help="A municipality's three-digit code; repeat for several.",
)
@click.option(
    "--all",
    "every",
    is_flag=True,
    help="Every municipality paying for a stay in the region's units in the period.",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write the PDF and XLSX files to (created if missing).",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The date 'now' means for a running period (default: today).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1, max=64),
    default=lambda: min(os.cpu_count() or 1, 8),
    show_default="the number of CPU cores, at most 8",
    help="Worker processes that build packs side by side (1: in this process).",
)
@with_appcontext
def council_command(
    period_text: str,
    codes: tuple[str, ...],
    every: bool,
    out_dir: Path,
    today: datetime | None,
    jobs: int,
) -> None:
    """Build the council summary packs (PDF + XLSX) for one period.

    One failing municipality does not stop the others; failures are listed at the end and the
    command then exits with status 1.
    """
    try:
        period = parse_period(period_text)
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from None
    if bool(codes) == every:
        raise click.UsageError("give --municipality CODE (one or more) or --all, not both")
    out_dir.mkdir(parents=True, exist_ok=True)
    day = today.date() if today else local_today()
    failures: list[tuple[str, str]] = []
    written = 0
    with get_db().session(write=False) as session:
        chosen = council_municipalities(session=session, period=period) if every else list(codes)
        names = queries.municipality_names(session, set(chosen))
        bar = click.progressbar(length=len(chosen), label="Building council packs", file=sys.stderr)
        with bar:
            for code, result in build_council_packs(
                session=session, codes=chosen, period=period, today=day, jobs=jobs
            ):
                if isinstance(result, Exception):
                    failures.append((code, describe(result)))
                else:
                    pdf_name, xlsx_name = pack_names(code, names.get(code, code), period)
                    (out_dir / pdf_name).write_bytes(result[0])
                    (out_dir / xlsx_name).write_bytes(result[1])
                    written += 1
                bar.update(1)
    click.echo(f"Wrote {written} council pack(s) for {period.key} to {out_dir}.")
    if failures:
        for code, message in failures:
            click.echo(f"Failed: {code}: {message}", err=True)
        raise click.exceptions.Exit(1)
