"""The `del-tool` command: Flask's commands plus DEL's own (db, seed, demo, users, ...)."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from del_tool import create_app
from del_tool.audit.cli import witness_group
from del_tool.config import ConfigError
from del_tool.db import get_db
from del_tool.main.doctor import doctor_command
from del_tool.questionnaires.cli import questionnaires_cli


@click.group(cls=FlaskGroup, create_app=create_app)
def cli() -> None:
    """DEL (Dokumentation, Effekt og Læring): outcome documentation for social services."""


cli.add_command(questionnaires_cli)  # works without the app: it checks what the app would load
cli.add_command(witness_group)  # runs without the app, as another user (README, the history)
cli.add_command(doctor_command)  # checks a configuration the app may refuse to start with


#: One BLAS thread per process: DEL runs one process per core (gunicorn workers, job threads),
#: and OpenBLAS's own threads then only fight them for the cores (a report build took twice the
#: CPU and up to seven times as long with the other core busy). Set before numpy loads.
SINGLE_THREADED_BLAS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def main() -> None:
    """Console entry point: a configuration error is one line on stderr and exit status 1."""
    for name, value in SINGLE_THREADED_BLAS.items():
        os.environ.setdefault(name, value)
    try:
        cli.main(prog_name="del-tool")
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)


# -- instance set-up (no app needed: it creates what the app needs) ------------------------

INSTANCE_CONFIG_TEMPLATE = '''"""Configuration of this DEL deployment (from `del-tool init`)."""

SECRET_KEY = {secret!r}
# Served over plain HTTP on the loopback interface by `make run`; set True behind TLS.
SESSION_COOKIE_SECURE = {secure!r}
REMEMBER_COOKIE_SECURE = {secure!r}
# Password of the demo users created by `del-tool demo` (demo deployments only).
DEMO_PASSWORD = {demo_password!r}
# Roles that must use two-step verification (TOTP); see README "Security and privacy".
TOTP_REQUIRED_ROLES = {totp_roles!r}
# Key of the stable pseudonyms in `del-tool export pseudonymised`; keep it, and keep it secret.
PSEUDONYM_KEY = {pseudonym_key!r}
{audit_key}'''
#: Appended by `del-tool init` to a config.py from before the history was keyed.
AUDIT_KEY_TEMPLATE = """# Key of the change history's MAC chain (docs/SECURITY-history.md): keep it
# secret, keep a copy apart from the backups, never put it in the database.
AUDIT_KEY = {key!r}
"""


@cli.command("init", with_appcontext=False)
@click.option(
    "--instance",
    "instance_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("instance"),
    show_default=True,
    help="The instance folder to set up.",
)
@click.option(
    "--local-http/--https",
    default=True,
    show_default=True,
    help="Allow session cookies over plain HTTP (local demo) or require HTTPS.",
)
def init_command(instance_dir: Path, local_http: bool) -> None:
    """Create the instance folder and a config.py with a random secret, unless one exists."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    config_file = instance_dir / "config.py"
    if config_file.exists():
        text = config_file.read_text(encoding="utf-8")
        if "AUDIT_KEY" in text or os.environ.get("DEL_AUDIT_KEY"):
            click.echo(f"{config_file} exists; left unchanged.")
            return
        with config_file.open("a", encoding="utf-8") as handle:
            handle.write("\n" + AUDIT_KEY_TEMPLATE.format(key=secrets.token_hex(32)))
        click.echo(f"{config_file} exists; added a new AUDIT_KEY for the change history.")
        return
    config_file.write_text(
        INSTANCE_CONFIG_TEMPLATE.format(
            secret=secrets.token_hex(32),
            secure=not local_http,
            demo_password=secrets.token_urlsafe(12),
            totp_roles=() if local_http else ("admin", "leader", "analyst"),
            pseudonym_key=secrets.token_hex(32),
            audit_key=AUDIT_KEY_TEMPLATE.format(key=secrets.token_hex(32)),
        ),
        encoding="utf-8",
    )
    config_file.chmod(0o600)
    click.echo(f"Wrote {config_file} with a new secret key.")


# -- database ---------------------------------------------------------------------------


@click.group("db")
def db_group() -> None:
    """Database schema: migrate, inspect, check."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (creates it when empty)."""
    from del_tool import migrate

    migrate.upgrade(current_app, revision)
    click.echo(f"Database at revision {migrate.current_revision(current_app)}.")


@db_group.command("downgrade")
@click.option("--revision", required=True, help="Target revision; 'base' removes every table.")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION."""
    from del_tool import migrate

    migrate.downgrade(current_app, revision)
    click.echo(f"Database at revision {migrate.current_revision(current_app) or 'base'}.")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Print the database's revision and whether it is the newest."""
    from del_tool import migrate

    current, head = migrate.current_revision(current_app), migrate.head_revision()
    state = "up to date" if current == head else f"behind (head is {head})"
    click.echo(f"{current or 'base'}: {state}")


@db_group.command("check")
@with_appcontext
def db_check() -> None:
    """Fail when the database is not at head or the models differ from the migrations."""
    from del_tool import migrate

    if not migrate.is_up_to_date(current_app):
        raise click.ClickException("the database is not at the newest revision; run 'db upgrade'")
    drift = migrate.schema_drift(current_app)
    if drift:
        for diff in drift:
            click.echo(f"  {diff}", err=True)
        raise click.ClickException(f"{len(drift)} difference(s) between models and migrations")
    click.echo("Models and migrations agree.")


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the revision changes, in a few words.")
@with_appcontext
def db_revision(message: str) -> None:
    """Autogenerate a new revision from the models (the database must be at head)."""
    from alembic import command

    from del_tool import migrate

    if not migrate.is_up_to_date(current_app):
        raise click.ClickException("upgrade the database to head before generating a revision")
    config = migrate.alembic_config()
    with get_db(current_app).write_engine.connect() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
        connection.commit()


# -- data ---------------------------------------------------------------------------------


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Load the 98 municipalities and the region's centres and units (idempotent)."""
    from del_tool.db import write_session
    from del_tool.organisation.services import seed_all

    with write_session() as session:
        result = seed_all(session=session)
    click.echo(
        f"Seeded {result.municipalities} municipalities, {result.centres} centres, "
        f"{result.units} units."
    )


@click.command("setup")
@click.option(
    "--demo/--no-demo",
    default=False,
    show_default=True,
    help="Also load the demo region when the database holds no citizens.",
)
@click.pass_context
@with_appcontext
def setup_command(ctx: click.Context, demo: bool) -> None:
    """Migrate the database, seed the organisation, and (with --demo) load demo data if empty."""
    ctx.invoke(db_upgrade)
    ctx.invoke(seed_command)
    if demo:
        from del_tool.demo.cli import demo_command

        ctx.invoke(demo_command, if_empty=True)


def register_app_commands(app: Flask) -> None:
    """Attach the commands that need the app, so `flask --app del_tool` has them too."""
    from del_tool.api.cli import tokens_group
    from del_tool.demo.cli import demo_command
    from del_tool.imports.cli import import_group
    from del_tool.jobs.worker import serve_command, worker_command
    from del_tool.organisation.cli import organisation_group
    from del_tool.reminders.tasks import reminders_group
    from del_tool.reports.cli import reports_group
    from del_tool.security.cli import COMMANDS as SECURITY_COMMANDS
    from del_tool.users_cli import users_group

    for command in (
        db_group,
        seed_command,
        setup_command,
        demo_command,
        users_group,
        organisation_group,
        import_group,
        reminders_group,
        reports_group,
        tokens_group,
        worker_command,
        serve_command,
    ):
        app.cli.add_command(command)
    for command in SECURITY_COMMANDS:
        app.cli.add_command(command)
    _register_fhir_commands()


def _register_fhir_commands() -> None:
    """`export fhir` and `import fhir` join the export and import groups."""
    from del_tool.imports.cli import import_group
    from del_tool.interop.fhir.cli import export_fhir_command, import_fhir_command
    from del_tool.security.cli import export_group

    export_group.add_command(export_fhir_command)
    import_group.add_command(import_fhir_command)
