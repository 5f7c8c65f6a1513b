"""`del-tool export fhir` (a Bundle or NDJSON per resource type, for one receiving system) and
`del-tool import fhir FILE` (the same shapes in, through the spreadsheet import's dry run and
commit)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

#: The access log's endpoint of an export from the command line.
EXPORT_ENDPOINT = "cli:export fhir"


@click.command("fhir")
@click.option(
    "--system",
    "system",
    required=True,
    help="The receiving system's name (1-40 letters, digits, '.', '_', '-'): ids are its own.",
)
@click.option("--unit", "units", type=int, multiple=True, help="A unit to export (repeatable).")
@click.option("--centre", "centre_id", type=int, help="Export every unit of this centre.")
@click.option("--citizen", "citizen_id", type=int, help="Only this citizen (DEL's id).")
@click.option(
    "--day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only what changed on this day (YYYY-MM-DD, Copenhagen time): the daily delta.",
)
@click.option(
    "--ndjson",
    "ndjson_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one <ResourceType>.ndjson file per resource type into this directory.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write one Bundle (type collection) as JSON to this file.",
)
@with_appcontext
def export_fhir_command(
    system: str,
    units: tuple[int, ...],
    centre_id: int | None,
    citizen_id: int | None,
    day: object,
    ndjson_dir: Path | None,
    out: Path | None,
) -> None:
    """Export the stays, goals and follow-ups of the units given as FFB-shaped FHIR R4
    resources for one receiving system (citizens by a pseudonym of their own, no names); every
    citizen exported is written to the access log."""
    from sqlmodel import col, select

    from del_tool.audit.services import access_event
    from del_tool.db import write_session
    from del_tool.interop.fhir.export import (
        Selection,
        bundle,
        counts,
        export_resources,
        write_ndjson,
    )
    from del_tool.interop.fhir.identity import Identity, IdentityError
    from del_tool.modelbase import local_today
    from del_tool.organisation.models import Unit

    if (ndjson_dir is None) == (out is None):
        raise click.UsageError("give either --ndjson DIR or --out FILE")
    try:
        ids = Identity.make(system, current_app.config.get("PSEUDONYM_KEY"))
    except IdentityError as error:
        raise click.ClickException(str(error)) from error
    with write_session() as session:
        chosen = set(units)
        if centre_id is not None:
            found = session.exec(select(Unit.id).where(col(Unit.centre_id) == centre_id)).all()
            if not found:
                raise click.ClickException(f"no centre {centre_id} with units")
            chosen |= {int(i or 0) for i in found}
        if not chosen:
            raise click.UsageError("give --unit ID (repeatable) or --centre ID")
        known = set(session.exec(select(Unit.id).where(col(Unit.id).in_(chosen))).all())
        if known != chosen:
            missing = ", ".join(str(u) for u in sorted(chosen - known))
            raise click.ClickException(f"no unit {missing}")
        the_day = day.date() if hasattr(day, "date") else None
        selection = Selection(frozenset(chosen), day=the_day, citizen_id=citizen_id)
        exported = export_resources(session, ids, selection, today=local_today())
        session.add_all(
            access_event(
                user_id=None,
                action="export",
                citizen_id=one,
                endpoint=EXPORT_ENDPOINT,
                detail=f"fhir for {system}",
            )
            for one in exported.citizen_ids
        )
        if out is not None:
            out.write_text(bundle(exported, ids).model_dump_json(), encoding="utf-8")
            out.chmod(0o600)
            where = str(out)
        else:
            assert ndjson_dir is not None  # noqa: S101 - one of the two, checked above
            write_ndjson(exported, ndjson_dir)
            where = str(ndjson_dir)
    summary = ", ".join(f"{n} {kind}" for kind, n in counts(exported.resources).items())
    click.echo(
        f"Wrote {len(exported.citizen_ids)} citizen(s) to {where}: {summary or 'nothing'}"
        + (f" (changes of {the_day.isoformat()})" if isinstance(the_day, date) else "")
        + "."
    )
