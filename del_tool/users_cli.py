"""`del-tool users`: create users and reset passwords from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlmodel import select

from del_tool.auth.models import Role, User
from del_tool.auth.passwords import hash_password, password_problems
from del_tool.auth.services import create_user, get_user_by_username
from del_tool.db import write_session
from del_tool.modelbase import utcnow
from del_tool.organisation.models import Municipality


@click.group("users")
def users_group() -> None:
    """Manage user accounts."""


def _check_password(password: str) -> None:
    """Refuse a password the policy rejects, in the policy's own words."""
    problems = password_problems(password)
    if problems:
        raise click.BadParameter(" ".join(str(p) for p in problems), param_hint="--password")


@users_group.command("create")
@click.option("--username", required=True, help="Login name (case-insensitive).")
@click.option("--name", "display_name", required=True, help="The person's name as shown in DEL.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True, help="Role.")
@click.option("--centre", "centre_id", type=int, help="Centre id (required for leaders).")
@click.option("--municipality", "municipality_code", help="Municipality code (councils).")
@click.option("--unit", "unit_ids", type=int, multiple=True, help="Unit id for staff; repeatable.")
@click.option(
    "--operator",
    "operator_code",
    help="For an administrator: the code of the municipality whose offers they manage "
    "(omit for the region's administrator).",
)
@click.password_option(help="The initial password (prompted when omitted).")
@with_appcontext
def create_command(
    username: str,
    display_name: str,
    role: str,
    centre_id: int | None,
    municipality_code: str | None,
    unit_ids: tuple[int, ...],
    operator_code: str | None,
    password: str,
) -> None:
    """Create a user."""
    _check_password(password)
    if operator_code and role != Role.ADMIN.value:
        raise click.ClickException("--operator is for administrators only")
    with write_session() as session:
        if get_user_by_username(session, username):
            raise click.ClickException(f"user '{username}' already exists")
        if operator_code and session.get(Municipality, operator_code) is None:
            raise click.ClickException(f"no municipality with the code '{operator_code}'")
        user = create_user(
            session=session,
            username=username,
            display_name=display_name,
            password=password,
            role=Role(role),
            centre_id=centre_id,
            municipality_code=municipality_code,
            unit_ids=unit_ids,
        )
        user.operator_code = operator_code
        session.add(user)
        click.echo(f"Created user {user.username} ({user.role.value}).")


@users_group.command("set-password")
@click.argument("username")
@click.password_option(help="The new password (prompted when omitted).")
@with_appcontext
def set_password_command(username: str, password: str) -> None:
    """Set USERNAME's password and end all of that user's sessions."""
    _check_password(password)
    with write_session() as session:
        user = get_user_by_username(session, username)
        if user is None:
            raise click.ClickException(f"no user '{username}'")
        user.password_hash = hash_password(password)
        user.password_changed_at = utcnow()
        user.session_version += 1
        session.add(user)
    click.echo(f"Password of {username} changed; existing sessions ended.")


@users_group.command("list")
@with_appcontext
def list_command() -> None:
    """List users with role and status."""
    with write_session() as session:
        for user in session.exec(select(User).order_by(User.username)).all():
            state = "active" if user.active else "inactive"
            click.echo(f"{user.username:<20} {user.role.value:<8} {state:<8} {user.display_name}")
