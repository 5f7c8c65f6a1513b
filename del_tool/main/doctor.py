"""`del-tool doctor`: is this deployment's configuration fit to run? One line per problem.

It loads the configuration as the app would (instance/config.py, then DEL_* variables), checks
what the app refuses to start without (the secret and the history's MAC key), then reaches the
database, the job queue and the shared store with a timeout each, and looks at the settings that
are unsafe in production (cookies over plain HTTP, debug). Notes are advice, not problems: a
deployment behind a proxy must set PROXY_FIX_X_FOR, and the history is only anchored with a
witness key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import click
from flask import Flask

from del_tool.config import ConfigError, check_database_url, load_config


@dataclass(slots=True)
class Findings:
    """What `doctor` found: problems fail the check, notes do not."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def examine(app: Flask) -> Findings:
    """Check `app`'s configuration (loaded but not yet started) and what it connects to."""
    found = Findings()
    config = app.config
    try:
        check_database_url(config["DATABASE_URL"])
    except ConfigError as exc:
        found.problems.append(str(exc))
        return found
    _secrets(app, found)
    if config.get("DEBUG"):
        found.problems.append("DEBUG is on: never in production (it shows tracebacks)")
    if not config.get("SESSION_COOKIE_SECURE", True):
        found.problems.append(
            "SESSION_COOKIE_SECURE is off: session cookies would travel over plain HTTP "
            "(only `make run` on loopback may do that)"
        )
    if not config.get("REMEMBER_COOKIE_SECURE", True):
        found.problems.append("REMEMBER_COOKIE_SECURE is off: set it with SESSION_COOKIE_SECURE")
    _connections(app, found)
    if not int(config.get("PROXY_FIX_X_FOR", 0)):
        found.notes.append(
            "PROXY_FIX_X_FOR is 0: right when browsers reach DEL directly; behind a reverse "
            "proxy set it to the number of proxies, or every login is throttled as the proxy's"
        )
    if not config.get("WITNESS_PUBLIC_KEY"):
        found.notes.append(
            "WITNESS_PUBLIC_KEY is not set: the change history is keyed but not anchored "
            "(README, the change history: `del-tool witness keygen`)"
        )
    if str(config["DATABASE_URL"]).startswith("sqlite"):
        found.notes.append("the database is SQLite: fine on one machine; PostgreSQL for more")
    return found


def _secrets(app: Flask, found: Findings) -> None:
    from del_tool.config import DEFAULT_SECRET_KEY, MIN_SECRET_KEY_LENGTH

    secret = str(app.config.get("SECRET_KEY") or "")
    if secret == DEFAULT_SECRET_KEY or len(secret) < MIN_SECRET_KEY_LENGTH:
        found.problems.append(
            f"SECRET_KEY is missing or too weak: at least {MIN_SECRET_KEY_LENGTH} random "
            "characters (`del-tool init` writes one)"
        )
    if len(str(app.config.get("AUDIT_KEY") or "")) < MIN_SECRET_KEY_LENGTH:
        found.problems.append(
            f"AUDIT_KEY is missing or too weak: at least {MIN_SECRET_KEY_LENGTH} random "
            "characters, kept outside the database (`del-tool init` writes one)"
        )


def _connections(app: Flask, found: Findings) -> None:
    """Reach the database, the queue and the store as a worker would."""
    from del_tool import db
    from del_tool.jobs import init_app as init_jobs
    from del_tool.main.readiness import probes, within
    from del_tool.store import init_app as init_store

    try:
        db.init_app(app)
        init_jobs(app)
        init_store(app)
    except Exception as exc:
        found.problems.append(f"cannot set up the connections: {exc}")
        return
    seconds = float(app.config.get("READY_TIMEOUT", 2.0))
    names = {"database": "DATABASE_URL", "jobs": "JOBS_URL", "store": "STORE_URL"}
    for name, probe in probes(app).items():
        why = within(seconds, probe)
        if why is not None:
            found.problems.append(f"{names[name]}: the {name} cannot be reached ({why})")


@click.command("doctor")
def doctor_command() -> None:
    """Check this deployment's configuration: one line per problem, exit 1 if any."""
    app = Flask("del_tool", instance_relative_config=True)
    load_config(app, None)
    found = examine(app)
    for note in found.notes:
        click.echo(f"note: {note}")
    for problem in found.problems:
        click.echo(f"problem: {problem}", err=True)
    if found.problems:
        raise SystemExit(1)
    click.echo("The configuration is fit to run.")
