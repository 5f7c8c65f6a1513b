"""`del-tool demo`: fill an empty database with the synthetic demo region.

The generator is imported when the command runs: it scores with pandas, which every app that
registers this command (each web worker) would otherwise load at start-up.
"""

from __future__ import annotations

import secrets
import sys
from datetime import datetime

import click
from click._termui_impl import ProgressBar
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import select

from del_tool.citizens.models import Citizen
from del_tool.db import write_session
from del_tool.modelbase import local_today


@click.command("demo")
@click.option(
    "--citizens",
    default=400,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help="Number of citizens to generate.",
)
@click.option(
    "--years",
    default=3,
    show_default=True,
    type=click.IntRange(1, 20),
    help="Years of follow-up history up to today.",
)
@click.option(
    "--seed",
    default=2026,
    show_default=True,
    type=int,
    help="Random seed; the same seed and date give the same data.",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The date the history ends (default: today), for reproducible data.",
)
@click.option(
    "--if-empty",
    is_flag=True,
    help="Do nothing (successfully) when the database already holds citizens.",
)
@click.option(
    "--password",
    default=None,
    help="Password for the demo users (default: DEL_DEMO_PASSWORD, else generated).",
)
@with_appcontext
def demo_command(
    citizens: int, years: int, seed: int, today: object, if_empty: bool, password: str | None
) -> None:
    """Generate the demo region: centres, units, tariffs, citizens, follow-ups, demo users."""
    from del_tool.demo.generator import DemoError, DemoOptions, create_demo_users, generate_demo

    password = password or current_app.config.get("DEMO_PASSWORD") or secrets.token_urlsafe(12)
    with write_session() as session:
        has_data = session.exec(select(Citizen.id).limit(1)).first() is not None
    if has_data and if_empty:
        click.echo("The database already holds citizens; demo data not loaded again.")
        _print_logins(current_app.config.get("DEMO_PASSWORD"))
        return
    options = DemoOptions(
        citizens=citizens,
        years=years,
        seed=seed,
        today=today.date() if isinstance(today, datetime) else local_today(),
    )
    registry = current_app.extensions["del_questionnaires"]
    bar: ProgressBar[int] = click.progressbar(
        length=citizens, label="Generating citizens", file=sys.stderr
    )
    try:
        with write_session() as session, bar:
            counts = generate_demo(
                session=session, options=options, registry=registry, progress=bar.update
            )
            create_demo_users(session=session, password=password)
    except DemoError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(", ".join(f"{n} {table}" for table, n in counts.items()))
    _print_logins(password)


def _print_logins(password: str | None) -> None:
    from del_tool.demo.generator import DEMO_USERS

    click.echo("Demo logins (username / password):")
    for spec in DEMO_USERS:
        shown = password or "(set by the run that created them; see DEMO_PASSWORD)"
        click.echo(f"  {spec.username:<12} / {shown}   {spec.role.value}")
