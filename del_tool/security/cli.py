"""`del-tool` commands for privacy, retention, analysis exports and backups."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from del_tool.audit.cli import audit_group
from del_tool.auth.access import NotFoundError
from del_tool.db import checkpoint_wal, get_db, write_session
from del_tool.modelbase import utcnow
from del_tool.security.backup import (
    BackupError,
    RestoreRefusedError,
    backup_database,
    check_backup,
    encryption_key,
    opening_keys,
    restore_database,
)
from del_tool.security.privacy.anonymise import anonymise_citizen
from del_tool.security.privacy.export import export_citizen
from del_tool.security.privacy.pseudonyms import write_pseudonymised_csv
from del_tool.security.privacy.retention import RetentionPolicy, run_retention

CLI_ENDPOINT = "cli"


@click.group("privacy")
def privacy_group() -> None:
    """Right of access and erasure for one citizen."""


@privacy_group.command("export")
@click.argument("citizen_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["json", "pdf"]), default="json", help="Format.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File.")
@click.option(
    "--operator",
    help="Only what one data controller holds: 'region', or the code of a municipality that "
    "operates offers (its offers' stays and its own users' reads).",
)
@with_appcontext
def privacy_export(citizen_id: int, fmt: str, out: Path, operator: str | None) -> None:
    """Export everything about CITIZEN_ID (logged in the access log as an export)."""
    from del_tool.citizens.record_scope import operator_record
    from del_tool.organisation.models import Municipality

    try:
        with write_session() as session:
            partial = None
            if operator is not None:
                code = None if operator == "region" else operator
                if code is not None and session.get(Municipality, code) is None:
                    raise click.ClickException(f"no municipality with the code '{operator}'")
                partial = operator_record(session, code, citizen_id)
            data = export_citizen(
                session=session,
                citizen_id=citizen_id,
                user_id=None,
                fmt=fmt,
                endpoint=CLI_ENDPOINT,
                partial=partial,
            )
    except NotFoundError:
        raise click.ClickException(f"no citizen {citizen_id}") from None
    out.write_bytes(data)
    out.chmod(0o600)
    click.echo(f"Wrote {out} ({len(data)} bytes).")


@privacy_group.command("anonymise")
@click.argument("citizen_id", type=int)
@click.confirmation_option(prompt="Anonymise this citizen? This cannot be undone.")
@with_appcontext
def privacy_anonymise(citizen_id: int) -> None:
    """Remove CITIZEN_ID's personal data and free text, leaving a tombstone in the history.

    The database zeroes what it deletes (secure_delete), the write-ahead log is emptied after
    the commit, and the shared store of built reports and charts is cleared.
    """
    try:
        with write_session() as session:
            result = anonymise_citizen(session=session, citizen_id=citizen_id, user_id=None)
    except NotFoundError:
        raise click.ClickException(f"no citizen {citizen_id}") from None
    if result.already:
        click.echo(f"Citizen {citizen_id} was already anonymised.")
    else:
        click.echo(
            f"Citizen {citizen_id} anonymised; {result.history_events_erased} history events "
            "reduced to tombstones."
        )
    _fold_write_ahead_log()


def _fold_write_ahead_log() -> None:
    """After an erasure: empty SQLite's -wal file, where the erased values' old pages remain."""
    if not checkpoint_wal():
        click.echo(
            "warning: readers kept SQLite's write-ahead log busy, so the erased values may "
            "remain in its -wal file until the next checkpoint; run the command again when "
            "DEL is quiet (it repeats only this step).",
            err=True,
        )


@click.group("retention")
def retention_group() -> None:
    """The retention policy (see README)."""


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="Only report what would be done.")
@with_appcontext
def retention_run(dry_run: bool) -> None:
    """Anonymise citizens and delete log entries whose retention period has run out."""
    config = current_app.config
    policy = RetentionPolicy(
        years_after_discharge=int(config["RETENTION_YEARS_AFTER_DISCHARGE"]),
        login_event_days=int(config["LOGIN_EVENT_RETENTION_DAYS"]),
        access_event_years=int(config["ACCESS_EVENT_RETENTION_YEARS"]),
        years_by_operator={
            str(code): int(years)
            for code, years in (config.get("RETENTION_YEARS_BY_OPERATOR") or {}).items()
        },
    )
    with write_session() as session:
        report = run_retention(session=session, policy=policy, now=utcnow(), dry_run=dry_run)
        if dry_run:
            session.rollback()
    verb = "Would anonymise" if dry_run else "Anonymised"
    click.echo(
        f"{verb} {len(report.citizens)} citizen(s); "
        f"{'would delete' if dry_run else 'deleted'} {report.login_events} login event(s) and "
        f"{report.access_events} access event(s)."
    )
    if not dry_run:
        _fold_write_ahead_log()


@click.group("export")
def export_group() -> None:
    """Data exports for analysis."""


@export_group.command("pseudonymised")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="CSV.")
@with_appcontext
def export_pseudonymised(out: Path) -> None:
    """Write scores and goal reviews with keyed pseudonyms, no names or free text (CSV)."""
    key = current_app.config.get("PSEUDONYM_KEY")
    if not key or len(str(key)) < 16:
        raise click.ClickException(
            "set PSEUDONYM_KEY (at least 16 random characters) in instance/config.py; "
            "the same key gives the same pseudonyms in every export"
        )
    with write_session() as session, out.open("w", encoding="utf-8", newline="") as handle:
        count = write_pseudonymised_csv(session, str(key), handle)
    out.chmod(0o600)
    click.echo(f"Wrote {count} rows to {out}.")


@click.group("backup", invoke_without_command=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="File.")
@click.pass_context
@with_appcontext
def backup_command(ctx: click.Context, out: Path | None) -> None:
    """Back up the database (SQLite online backup, or pg_dump custom format), encrypted when
    BACKUP_ENCRYPTION_KEY is set; `backup verify FILE` checks a backup without touching the
    database, `backup run` makes a scheduled backup now."""
    if ctx.invoked_subcommand is not None:
        return
    if out is None:
        raise click.UsageError("give --out FILE, or a command such as `verify FILE`")
    try:
        key = encryption_key(current_app)
        backup_database(current_app.config["DATABASE_URL"], out, key=key)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    out.chmod(0o600)
    click.echo(f"Backup written to {out}{' (encrypted)' if key else ''}.")


@backup_command.command("run")
@with_appcontext
def backup_run() -> None:
    """Back up to BACKUP_DIR now and apply the retention policy, as BACKUP_SCHEDULE does (for a
    systemd timer or cron instead of the worker)."""
    from datetime import UTC, datetime

    from del_tool.security.backup_schedule import run_backup

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        run = run_backup(app, now=datetime.now(UTC))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backup written to {run.path} ({run.size} bytes).")
    click.echo(f"Retention: {len(run.kept)} kept, {len(run.deleted)} deleted.")


@backup_command.command("verify")
@click.argument("backup", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def backup_verify(backup: Path) -> None:
    """Check BACKUP on a scratch copy as a restore would: schema revision and schema, the
    history's triggers and chain; one line per problem, exit 1 if any."""
    _drill(backup)


def _drill(backup: Path) -> None:
    from del_tool.metrics.operations import record_drill

    try:
        problems, rows = check_backup(
            current_app.config["DATABASE_URL"], backup, keys=opening_keys(current_app)
        )
    except BackupError as exc:
        record_drill(problems=1)
        raise click.ClickException(str(exc)) from None
    record_drill(problems=len(problems))
    counts = ", ".join(f"{table} {n}" for table, n in rows.items())
    for problem in problems:
        click.echo(f"problem: {problem}", err=True)
    if problems:
        raise click.ClickException(f"{backup}: {len(problems)} problem(s); rows: {counts}")
    click.echo(f"{backup} is sound: it restores, its schema is this DEL's, its history verifies.")
    click.echo(f"Rows: {counts}.")


@click.command("restore")
@click.argument("backup", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Restore even when the checks find problems (they are listed as warnings).",
)
@click.option(
    "--drill",
    is_flag=True,
    help="Restore into a scratch database only, check it and report (the monthly drill).",
)
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@with_appcontext
def restore_command(backup: Path, force: bool, drill: bool, yes: bool) -> None:
    """Replace the database with BACKUP (stop the app first).

    The backup is checked first on a scratch copy: schema revision and schema, the history's
    append-only triggers and its hash chain. Any problem refuses the restore (exit status 1,
    nothing replaced), one line each, unless --force. With --drill nothing is replaced: the
    backup is restored into a scratch database, checked, and its rows reported.
    """
    if drill:
        _drill(backup)
        return
    if not yes:
        click.confirm("Replace the whole database with this backup?", abort=True)
    get_db().dispose()
    try:
        problems = restore_database(
            current_app.config["DATABASE_URL"],
            backup,
            force=force,
            keys=opening_keys(current_app),
        )
    except RestoreRefusedError as refused:
        for problem in refused.problems:
            click.echo(f"  {problem}", err=True)
        raise click.ClickException(
            f"{backup} was not restored: {len(refused.problems)} problem(s); "
            "--force restores it anyway"
        ) from None
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    for problem in problems:
        click.echo(f"  warning: {problem}", err=True)
    click.echo(f"Database restored from {backup}.")


COMMANDS = (
    audit_group,
    privacy_group,
    retention_group,
    export_group,
    backup_command,
    restore_command,
)
