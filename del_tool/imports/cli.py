"""`del-tool import FILE... --unit ID` (the dry run and the write), `del-tool import template
OUT` (the workbook to fill in) and `del-tool import undo BATCH_ID --user U`, for scripted
migrations (issue #18 item 7)."""

from __future__ import annotations

from collections.abc import Callable
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


def writer_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every import command shares: who imports, duplicates, DEL's changes, the
    language of its messages (the spreadsheets' and the FHIR bundles' commands)."""
    for option in reversed(
        (
            click.option(
                "--user", "username", help="The user the import is made by (needed to write)."
            ),
            click.option(
                "--accept-duplicates",
                is_flag=True,
                help="Write new citizens even when they resemble citizens DEL has in the units.",
            ),
            click.option(
                "--overwrite-changes",
                is_flag=True,
                help="Overwrite records changed in DEL since they were imported (default: keep "
                "DEL's).",
            ),
            click.option(
                "--lang",
                type=click.Choice(["da", "en"]),
                default="da",
                show_default=True,
                help="Language.",
            ),
        )
    ):
        command = option(command)
    return command


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
@click.option(
    "--source",
    default="regneark",
    show_default=True,
    help="The source system the files' ids belong to (an id is unique within its source).",
)
@click.option("--sheet", "sheets", multiple=True, help="Read only this sheet (repeatable).")
@writer_options
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
    accepted rows (the write lock held only to publish); exits 1 when any row is refused."""
    from del_tool.imports.plan import plan_import
    from del_tool.imports.summary import summary_text

    files = [(p.name, p.read_bytes()) for p in paths]

    def planner(session: Any, scope: frozenset[int], user_id: int | None) -> Any:
        return plan_import(
            session,
            files,
            scope=scope,
            source=source,
            user_id=user_id,
            sheets=sheets or None,
            overwrite=overwrite_changes,
        )

    with force_locale(lang):
        write_staged(
            files,
            frozenset(units),
            username,
            planner,
            describe=summary_text,
            flags={
                "dry_run": dry_run,
                "all_or_nothing": all_or_nothing,
                "accept_duplicates": accept_duplicates,
            },
        )


#: Plans the files for the importing user's scope (None: a dry run without --user).
Planner = Callable[[Any, frozenset[int], "int | None"], Any]


def write_staged(
    files: list[tuple[str, bytes]],
    units: frozenset[int],
    username: str | None,
    planner: Planner,
    *,
    describe: Callable[[Any], str],
    flags: dict[str, bool],
    detail: str = "import dry run",
) -> None:
    """Plan and show the files (`describe(plan)`), and write them unless --dry-run or a stop:
    the plan and the commit's preparation in a read session, the write lock held only to
    publish (`staged`), with the access events of what the dry run showed (on their own when
    nothing is written). Exits 1 when any row is refused or nothing could be written."""
    from del_tool.db import get_db
    from del_tool.imports.reading import ReadError
    from del_tool.imports.staged import run_staged

    dry_run, all_or_nothing = flags["dry_run"], flags["all_or_nothing"]
    accept_duplicates = flags["accept_duplicates"]
    steps = _Steps(files, units, username, planner)

    def stop(plan: Any) -> tuple[str, int] | None:
        """Why nothing is written, with the exit status; None to write."""
        if dry_run:
            return _("Prøvekørsel: intet er gemt."), 0
        if plan.duplicates and not accept_duplicates:
            return _("Intet er gemt: se de mulige dubletter (eller brug --accept-duplicates)."), 1
        if plan.refused and all_or_nothing:
            return _("Intet er gemt: mindst én række er afvist (--all-or-nothing)."), 1
        return None

    with get_db().session(write=False) as reading:
        steps.actor = _actor(reading, username, frozenset(units), needed=not dry_run)
        try:
            first = steps.ahead(reading, lambda plan: stop(plan) is None)
        except ReadError as error:
            raise click.ClickException(str(error)) from error
    plan = first.plan
    steps.shown = _shown(plan, steps.actor.user_id if steps.actor else None, detail)
    click.echo(describe(plan))
    stopped = stop(plan)
    if stopped is not None:
        _log(steps.shown)
        click.echo(stopped[0])
        if stopped[1]:
            raise SystemExit(stopped[1])
    else:
        try:
            run_staged(steps, first=first)
        except BaseException:
            _log([_copy(event) for event in steps.shown])  # its transaction rolled back
            raise
        if steps.batch_id is None:
            click.echo(_("Intet er gemt: data i DEL er ændret under indlæsningen. Kør den igen."))
            raise SystemExit(1)
        click.echo(_("Indlæsning %(id)s er gemt.", id=steps.batch_id))
    if plan.refused:
        raise SystemExit(1)


class _Steps:
    """The command's steps of `staged.run_staged`: the files are planned again when the
    history moved meanwhile, and written only when that plan is the one shown (else nothing
    is, and `batch_id` stays None)."""

    def __init__(
        self,
        files: list[tuple[str, bytes]],
        units: frozenset[int],
        username: str | None,
        planner: Planner,
    ) -> None:
        self.files, self.units, self.username = files, units, username
        self.planner = planner
        #: The importing user as an Actor (None: a dry run without --user).
        self.actor: Any = None
        #: The access events of the citizens the dry run showed (`access`).
        self.shown: list[Any] = []
        #: The fingerprint of the plan shown.
        self.seen: str | None = None
        self.batch_id: int | None = None

    def ahead(self, session: Any, wanted: Callable[[Any], bool]) -> Any:
        """The files' plan for the actor (without one: in `units`), its commit prepared
        when `wanted(plan)` (the first plan, the one shown) or when it is the plan shown."""
        from del_tool.imports.staged import ahead_of

        actor = self.actor

        def planned(reading: Any) -> Any:
            scope = frozenset(actor.scope.unit_ids) if actor else self.units
            return self.planner(reading, scope, actor.user_id if actor else None)

        def prepared(plan: Any, seen: str) -> bool:
            return wanted(plan) if self.seen is None else seen == self.seen

        found = ahead_of(session, planned, actor=actor, wanted=prepared)
        if self.seen is None:
            self.seen = found.fingerprint
        return found

    def plan(self, session: Any) -> Any:
        """The files planned again, prepared when the plan is the one shown."""
        return self.ahead(session, lambda _plan: False)

    def begin(self, session: Any) -> bool:
        """The user is still active and reaches the units (else a one-line error)."""
        self.actor = _actor(session, self.username, self.units, needed=True)
        return True

    def publish(self, session: Any, ahead: Any) -> None:
        """Write the prepared plan with the access events, or only the events when the plan
        is not the one shown or the publish step finds a change."""
        from del_tool.errors import ConflictError
        from del_tool.imports.commit import file_hash, publish

        session.add_all(self.shown)
        if ahead.prepared is None:
            return
        try:
            with session.begin_nested():
                batch = publish(
                    session,
                    ahead.prepared,
                    file_name=", ".join(name for name, _d in self.files),
                    digest=file_hash(b"".join(data for _n, data in self.files)),
                    all_or_nothing=False,
                )
        except ConflictError:
            return
        self.batch_id = batch.id


def _shown(plan: Any, user_id: int | None, detail: str) -> list[Any]:
    """Access events of the citizens the dry run shows (likely duplicates, conflicts)."""
    from del_tool.imports.access import CLI_ENDPOINT, shown_in_plan

    return shown_in_plan(plan, user_id=user_id, endpoint=CLI_ENDPOINT, detail=detail)


def _log(events: list[Any]) -> None:
    """Write access events in a transaction of their own."""
    from del_tool.db import write_session

    if events:
        with write_session() as session:
            session.add_all(events)


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
