"""`del-tool organisation ...`: organisation data from outside DEL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext

from del_tool.db import write_session


@click.group("organisation")
def organisation_group() -> None:
    """Offers, units and places."""


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
def import_offers(path: Path, sheet: str | None, places_from: object, commit: bool) -> None:
    """Read offers, places, ownership and target groups from a Tilbudsportalen list (XLSX or
    CSV), keyed by Tilbudsportalen's ids; nothing is written if any row is refused."""
    from del_tool.modelbase import local_today
    from del_tool.organisation.offers_import import (
        OfferFileError,
        apply_rows,
        check_against_database,
        parse_rows,
        read_table,
    )

    day = places_from.date() if places_from is not None else local_today()  # type: ignore[attr-defined]
    try:
        header, rows = read_table(path, sheet=sheet)
    except OfferFileError as error:
        raise click.ClickException(str(error)) from error
    with write_session() as session:
        result = parse_rows(header, rows, session=session)
        check_against_database(session, result)
        for problem in result.problems:
            where = f"row {problem.row}" if problem.row else "header"
            click.echo(f"{where}, {problem.column}: {problem.reason}", err=True)
        if result.problems:
            raise click.ClickException(
                f"{len(result.problems)} problem(s) in {path.name}: nothing was written"
            )
        try:
            apply_rows(session, result, places_from=day if isinstance(day, date) else local_today())
        except OfferFileError as error:
            raise click.ClickException(str(error)) from error
        summary = (
            f"{len(result.rows)} row(s): {result.centres_created} centre(s) and "
            f"{result.units_created} unit(s) new, {result.units_updated} unit(s) changed, "
            f"{result.unchanged} unchanged, places set for {result.places_set}"
        )
        if not commit:
            session.rollback()
            click.echo(f"Dry run, nothing written. {summary}. Run again with --commit to write.")
            return
    click.echo(f"Imported {summary}.")
