"""`del-tool export fhir` (a Bundle or NDJSON per resource type, for one receiving system) and
`del-tool import fhir FILE` (the same shapes in, through the spreadsheet import's dry run and
commit)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from del_tool.imports.cli import write_staged, writer_options

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


@click.command("fhir")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--unit",
    "units",
    type=int,
    multiple=True,
    required=True,
    help="A unit the import may write to (repeat for several); stays of other units are refused.",
)
@click.option(
    "--sender",
    required=True,
    help="The sending system's name: the resources' ids are unique within it.",
)
@click.option("--dry-run", is_flag=True, help="Only show what would be written.")
@click.option("--all-or-nothing", is_flag=True, help="Write nothing when any resource is refused.")
@writer_options
@with_appcontext
def import_fhir_command(
    path: Path,
    units: tuple[int, ...],
    sender: str,
    dry_run: bool,
    all_or_nothing: bool,
    username: str | None,
    accept_duplicates: bool,
    overwrite_changes: bool,
    lang: str,
) -> None:
    """Check the FHIR resources in PATH (a Bundle as JSON, an NDJSON file, or a folder of
    *.ndjson files) for the units given and, unless --dry-run, write the accepted stays, goals
    and follow-ups as `del-tool import` does (the write lock held only to publish); exits 1
    when any resource is refused."""
    from flask_babel import force_locale

    from del_tool.interop.fhir.identity import SYSTEM_NAME

    if not SYSTEM_NAME.fullmatch(sender):
        raise click.UsageError("the sender's name is 1-40 letters, digits, '.', '_' or '-'")
    files = (
        [(p.name, p.read_bytes()) for p in sorted(path.glob("*.ndjson"))]
        if path.is_dir()
        else [(path.name, path.read_bytes())]
    )
    if not files:
        raise click.ClickException(f"no *.ndjson file in {path}")
    raw = _resources(files)
    results: dict[int, Any] = {}

    def planner(session: Any, scope: frozenset[int], user_id: int | None) -> Any:
        from del_tool.interop.fhir.importing import plan_fhir

        result = plan_fhir(
            session, raw, scope=scope, sender=sender, user_id=user_id, overwrite=overwrite_changes
        )
        results[id(result.plan)] = result
        return result.plan

    def describe(plan: Any) -> str:
        from del_tool.interop.fhir.importing import summary_lines

        return "\n".join(summary_lines(results[id(plan)]))

    with force_locale(lang):
        write_staged(
            files,
            frozenset(units),
            username,
            planner,
            describe=describe,
            flags={
                "dry_run": dry_run,
                "all_or_nothing": all_or_nothing,
                "accept_duplicates": accept_duplicates,
            },
            detail="fhir dry run",
        )


def _resources(files: list[tuple[str, bytes]]) -> list[Any]:
    """The resources of the files (one line and exit 1 when one cannot be read)."""
    from del_tool.imports.reading import ReadError
    from del_tool.interop.fhir.importing import read_resources

    try:
        return read_resources(files)
    except ReadError as error:
        raise click.ClickException(str(error)) from error
