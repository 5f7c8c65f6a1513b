"""`del-tool organisation ...`: organisation data from outside DEL."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from flask.cli import with_appcontext

from del_tool.db import write_session

if TYPE_CHECKING:
    from del_tool.organisation.org_import import OrgKind, Outcome

#: The files the import commands read (by content; the name's ending is checked first).
SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt")


@click.group("organisation")
def organisation_group() -> None:
    """Offers, units, places and tariffs."""


@organisation_group.command("import-offers")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--sheet", help="The XLSX sheet to read (default: the first).")
@click.option(
    "--places-from",
    type=click.DateTime(formats=["%Y-%m-%d", "%d.%m.%Y"]),
    help="The day the places in the file take effect (default: today).",
)
@click.option("--commit", is_flag=True, help="Write the changes (default: a dry run).")
@with_appcontext
def import_offers(
    path: Path, sheet: str | None, places_from: datetime | None, commit: bool
) -> None:
    """Read offers, places, ownership and target groups from a Tilbudsportalen list (XLSX or
    CSV), keyed by Tilbudsportalen's ids; nothing is written if any row is refused."""
    from del_tool.organisation.org_import import OrgKind

    day = places_from.date() if places_from is not None else None
    outcome = _run(path, OrgKind.OFFERS, commit=commit, sheet=sheet, places_from=day)
    centres, units, places = outcome.counts
    summary = (
        f"{units.create + (units.update or 0) + (units.unchanged or 0)} row(s): "
        f"{centres.create} centre(s) and {units.create} unit(s) new, {units.update} unit(s) "
        f"changed, {units.unchanged} unchanged, new places for {places.create} unit(s)"
    )
    _report(summary, commit)


@organisation_group.command("import-tariffs")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--commit", is_flag=True, help="Write the changes (default: a dry run).")
@with_appcontext
def import_tariffs(path: Path, commit: bool) -> None:
    """Read tariffs (unit, section, level, period, DKK per day, occupancy basis) from an XLSX
    or CSV file; a row matching a stored tariff (unit, section, level, start) updates it.
    Nothing is written if any row is refused."""
    from del_tool.organisation.org_import import OrgKind

    outcome = _run(path, OrgKind.TARIFFS, commit=commit)
    [tariffs] = outcome.counts
    summary = (
        f"{tariffs.create} tariff(s) new, {tariffs.update} changed, {tariffs.unchanged} unchanged"
    )
    _report(summary, commit)


def _run(path: Path, kind: OrgKind, *, commit: bool, **options: Any) -> Outcome:
    """Run the import in a write transaction: committed when asked and nothing is refused,
    else rolled back; the refusals are printed, one a line."""
    from del_tool.organisation.offers_import import OfferFileError
    from del_tool.organisation.org_import import run_import

    if path.suffix.lower() not in SUFFIXES:
        raise click.ClickException(f"{path.name}: read XLSX or CSV files only")
    with write_session() as session:
        try:
            outcome = run_import(
                session,
                kind=kind,
                data=path.read_bytes(),
                file_name=path.name,
                commit=commit,
                **options,
            )
        except OfferFileError as error:
            raise click.ClickException(str(error)) from error
        if commit and not outcome.refusals:
            session.commit()
        else:
            session.rollback()
    for refusal in outcome.refusals:
        where = f"row {refusal.row}" if refusal.row else "header"
        click.echo(f"{where}, {refusal.column}: {refusal.reason}", err=True)
    if outcome.refusals:
        raise click.ClickException(
            f"{len({r.row for r in outcome.refusals})} row(s) refused in {path.name}: "
            "nothing was written"
        )
    return outcome


def _report(summary: str, commit: bool) -> None:
    """The last line: what was written, or what a commit would write."""
    if commit:
        click.echo(f"Imported {summary}.")
    else:
        click.echo(f"Dry run, nothing written. {summary}. Run again with --commit to write.")
