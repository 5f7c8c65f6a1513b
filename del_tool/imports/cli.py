"""`del-tool import FILE... --unit ID` (the dry run and the write), `del-tool import template
OUT` (the workbook to fill in) and `del-tool import undo BATCH_ID --user U`, for scripted
migrations (issue #18 item 7)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

#: The subcommand `del-tool import FILE` means when FILE is not a subcommand's name.
DEFAULT_COMMAND = "run"


class ImportGroup(click.Group):
    """A group whose first argument is a file unless it names a subcommand (`template`)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Insert the default subcommand before a file name (or an option)."""
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = [DEFAULT_COMMAND, *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Usage naming both forms."""
        formatter.write_usage(
            ctx.command_path, "FILE... --unit ID [OPTIONS] | template OUT | undo BATCH_ID --user U"
        )


@click.group("import", cls=ImportGroup)
def import_group() -> None:
    """Import citizens and stays from XLSX or CSV files (a dry run with --dry-run), write the
    template (`del-tool import template OUT.xlsx`), or undo an import (`del-tool import undo`)."""


@import_group.command(DEFAULT_COMMAND, hidden=True)
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--unit",
    "units",
    type=int,
    multiple=True,
    required=True,
    help="A unit the import may write to (repeat for several); rows of other units are refused.",
)
@click.option("--dry-run", is_flag=True, help="Only show what would be written.")
@click.option("--all-or-nothing", is_flag=True, help="Write nothing when any row is refused.")
@click.option("--user", "username", help="The user the import is made by (needed to write).")
@click.option(
    "--source",
    default="regneark",
    show_default=True,
    help="The source system the files' ids belong to (an id is unique within its source).",
)
@click.option("--sheet", "sheets", multiple=True, help="Read only this sheet (repeatable).")
@click.option(
    "--accept-duplicates",
    is_flag=True,
    help="Write new citizens even when they resemble citizens DEL has in the units.",
)
@click.option(
    "--overwrite-changes",
    is_flag=True,
    help="Overwrite records changed in DEL since they were imported (default: keep DEL's).",
)
@click.option(
    "--lang", type=click.Choice(["da", "en"]), default="da", show_default=True, help="Language."
)
@with_appcontext
def run_import(
    paths: tuple[Path, ...],
    units: tuple[int, ...],
    dry_run: bool,
    all_or_nothing: bool,
    username: str | None,
    source: str,
    sheets: tuple[str, ...],
    accept_duplicates: bool,
    overwrite_changes: bool,
    lang: str,
) -> None:
    """Check FILE... (XLSX or CSV) for the units given and, unless --dry-run, write the
    accepted rows in one transaction; exits 1 when any row is refused."""
    options = {"sheets": sheets or None, "overwrite": overwrite_changes}
    with force_locale(lang):
        _run(paths, units, dry_run, all_or_nothing, username, source, accept_duplicates, options)


def _run(
    paths: tuple[Path, ...],
    units: tuple[int, ...],
    dry_run: bool,
    all_or_nothing: bool,
    username: str | None,
    source: str,
    accept_duplicates: bool,
    options: dict[str, Any],
) -> None:
    from del_tool.db import get_db
    from del_tool.imports.access import (
        CLI_ENDPOINT,
        duplicate_ids,
        shown_conflicts,
        shown_duplicates,
    )
    from del_tool.imports.commit import commit_plan, file_hash
    from del_tool.imports.plan import plan_import
    from del_tool.imports.reading import ReadError
    from del_tool.imports.summary import summary_text

    files = [(p.name, p.read_bytes()) for p in paths]
    shown: list[Any] = []
    with get_db().session(write=True) as session, _logging(session, shown):
        actor = _actor(session, username, frozenset(units), needed=not dry_run)
        user_id = actor.user_id if actor else None
        try:
            plan = plan_import(
                session,
                files,
                scope=actor.scope.unit_ids if actor else frozenset(units),
                source=source,
                user_id=user_id,
                **options,
            )
        except ReadError as error:
            raise click.ClickException(str(error)) from error
        shown += shown_duplicates(
            duplicate_ids(plan), user_id=user_id, endpoint=CLI_ENDPOINT, detail="import dry run"
        )
        shown += shown_conflicts(
            [c.citizen_id for c in plan.conflicts],
            user_id=user_id,
            endpoint=CLI_ENDPOINT,
            detail="import dry run: changed in DEL",
        )
        click.echo(summary_text(plan))
        if dry_run:
            session.rollback()
            click.echo(_("Prøvekørsel: intet er gemt."))
        elif plan.duplicates and not accept_duplicates:
            session.rollback()
            click.echo(_("Intet er gemt: se de mulige dubletter (eller brug --accept-duplicates)."))
            raise SystemExit(1)
        elif plan.refused and all_or_nothing:
            session.rollback()
            click.echo(_("Intet er gemt: mindst én række er afvist (--all-or-nothing)."))
            raise SystemExit(1)
        else:
            assert actor is not None  # noqa: S101 - needed=True above
            digest = file_hash(b"".join(data for _n, data in files))
            name = ", ".join(p.name for p in paths)
            batch = commit_plan(
                session, plan, actor=actor, file_name=name, digest=digest, all_or_nothing=False
            )
            click.echo(_("Indlæsning %(id)s er gemt.", id=batch.id))
    if plan.refused:
        raise SystemExit(1)


@contextmanager
def _logging(session: Any, shown: list[Any]) -> Iterator[None]:
    """Commit the block's work with the access events in `shown` (the citizens the dry run
    showed); when the block fails or rolls back, the events still go in, on their own."""
    try:
        yield
        session.add_all(shown)
        session.commit()
    except BaseException:
        session.rollback()
        if shown:  # fresh events: those of the failed transaction are not reusable
            session.add_all([_copy(event) for event in shown])
            session.commit()
        raise


def _copy(event: Any) -> Any:
    from del_tool.audit.services import access_event

    return access_event(
        user_id=event.user_id,
        action=event.action,
        citizen_id=event.citizen_id,
        endpoint=event.endpoint,
        detail=event.detail,
    )


def _(text: str, **values: Any) -> str:
    from flask_babel import gettext

    return gettext(text, **values)


def _actor(session: Any, username: str | None, units: frozenset[int], *, needed: bool) -> Any:
    """The importing user as an Actor whose scope is `units` within the user's own."""
    from sqlmodel import select

    from del_tool.auth.models import User
    from del_tool.auth.scope import Scope, scope_for
    from del_tool.citizens.access import Actor

    if username is None:
        if needed:
            raise click.ClickException(
                _("Skriv --user BRUGERNAVN for at gemme (eller brug --dry-run).")
            )
        return None
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or not user.active:
        raise click.ClickException(
            _("Ingen aktiv bruger med brugernavnet %(name)s.", name=username)
        )
    scope = scope_for(user, session=session)
    if not scope.sees_names:
        raise click.ClickException(_("Brugeren må ikke se eller registrere borgere."))
    allowed = units if scope.unit_ids is None else units & scope.unit_ids
    if allowed != units:
        outside = ", ".join(str(u) for u in sorted(units - allowed))
        raise click.ClickException(_("Tilbud %(units)s er ikke i brugerens område.", units=outside))
    return Actor(user_id=user.id, scope=Scope(unit_ids=allowed))


@import_group.command("template")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--lang", type=click.Choice(["da", "en"]), default="da", show_default=True, help="Language."
)
@click.option(
    "--unit",
    "units",
    type=int,
    multiple=True,
    help="A unit for the drop-down list of units (repeatable; default: every open unit).",
)
@with_appcontext
def template_command(out: Path, lang: str, units: tuple[int, ...]) -> None:
    """Write the import template: OUT.xlsx (a sheet per kind with drop-down lists, an example
    row and a read-me) or OUT.zip (the same columns as one CSV file per sheet)."""
    from del_tool.db import get_db
    from del_tool.imports.template import template_units, write_csv_zip, write_workbook

    with force_locale(lang), get_db().session(write=False) as session:
        chosen = template_units(session, frozenset(units) if units else None)
        if out.suffix.lower() == ".zip":
            out.write_bytes(write_csv_zip(session, chosen))
        elif out.suffix.lower() == ".xlsx":
            out.write_bytes(write_workbook(session, chosen))
        else:
            raise click.ClickException(_("Skriv et filnavn, der ender på .xlsx eller .zip."))
        click.echo(_("Skabelonen er gemt i %(path)s.", path=str(out)))


@import_group.command("undo")
@click.argument("batch_id", type=int)
@click.option("--user", "username", required=True, help="The user who made the import.")
@click.option(
    "--lang", type=click.Choice(["da", "en"]), default="da", show_default=True, help="Language."
)
@with_appcontext
def undo_command(batch_id: int, username: str, lang: str) -> None:
    """Undo import BATCH_ID as a whole: what it created is removed and what it updated gets its
    earlier values, unless something else changed those records since (then nothing is)."""
    from del_tool.db import write_session
    from del_tool.imports.models import ImportBatch
    from del_tool.imports.undo import UndoRefusedError, undo_batch

    with force_locale(lang), write_session() as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is None:
            raise click.ClickException(_("Ingen indlæsning %(id)s.", id=batch_id))
        actor = _actor(session, username, frozenset(batch.unit_ids), needed=True)
        try:
            count = undo_batch(session, batch, actor=actor)
        except UndoRefusedError as refusal:
            raise click.ClickException(str(refusal)) from refusal
        click.echo(
            _(
                "Indlæsning %(id)s er fortrudt: %(count)s poster fjernet eller ført tilbage.",
                id=batch_id,
                count=count,
            )
        )
