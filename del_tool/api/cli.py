"""`del-tool tokens`: make, list and revoke API tokens from the command line."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext
from sqlmodel import col, select

from del_tool.api.models import ApiToken, TokenKind
from del_tool.api.tokens import TokenRequest, create_token, revoke_token, token_state
from del_tool.auth.models import User
from del_tool.auth.services import get_user_by_username
from del_tool.db import get_db, write_session
from del_tool.errors import RuleError


@click.group("tokens")
def tokens_group() -> None:
    """API tokens (README "API"): create, list, revoke."""


@tokens_group.command("create")
@click.option("--user", "username", required=True, help="The owner's username.")
@click.option("--name", required=True, help="What the token is for (shown in lists).")
@click.option(
    "--expires",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    required=True,
    help="Last day the token works (YYYY-MM-DD, at most a year ahead).",
)
@click.option(
    "--unit", "unit_ids", type=int, multiple=True, help="A staff owner's unit id; repeatable."
)
@click.option("--service", is_flag=True, help="A service token (a system, not a person).")
@with_appcontext
def create_command(
    username: str, name: str, expires: object, unit_ids: tuple[int, ...], service: bool
) -> None:
    """Create a token and print it once (it is stored only as a hash)."""
    expires_on = expires.date() if hasattr(expires, "date") else expires
    assert isinstance(expires_on, date)  # noqa: S101 - click.DateTime gives a datetime
    with write_session() as session:
        owner = get_user_by_username(session, username)
        if owner is None:
            raise click.ClickException(f"no user '{username}'")
        wanted = TokenRequest(
            name=name,
            expires_on=expires_on,
            kind=TokenKind.SERVICE if service else TokenKind.PERSONAL,
            unit_ids=frozenset(unit_ids),
        )
        try:
            made = create_token(session=session, maker_id=None, owner=owner, wanted=wanted)
        except RuleError as error:
            raise click.ClickException(str(error.message)) from None
        click.echo(f"Token {made.token.id} for {owner.username} ({owner.role.value}):")
        click.echo(made.secret)
        click.echo("It is shown only now; store it safely.")


@tokens_group.command("list")
@click.option("--user", "username", help="Only this user's tokens.")
@with_appcontext
def list_command(username: str | None) -> None:
    """List tokens: id, state, owner, role, name, prefix, expiry, last use."""
    with get_db().session(write=False) as session:
        query = select(ApiToken, User.username).join(User, col(User.id) == ApiToken.user_id)
        if username:
            owner = get_user_by_username(session, username)
            if owner is None:
                raise click.ClickException(f"no user '{username}'")
            query = query.where(ApiToken.user_id == owner.id)
        rows = session.exec(query.order_by(col(ApiToken.id))).all()
        for token, owner_name in rows:
            used = token.last_used_at.isoformat(timespec="minutes") if token.last_used_at else "-"
            click.echo(
                f"{token.id}\t{token_state(token)}\t{owner_name}\t{token.role.value}\t"
                f"{token.kind.value}\t{token.name}\t{token.prefix}…\t"
                f"{token.expires_at.date().isoformat()}\t{used}"
            )
        if not rows:
            click.echo("No tokens.")


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def revoke_command(token_id: int) -> None:
    """Revoke the token TOKEN_ID at once."""
    with write_session() as session:
        token = session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
        if token is None:
            raise click.ClickException(f"no token {token_id}")
        already = token.revoked_at is not None
        revoke_token(session=session, maker_id=None, token=token)
        click.echo(f"Token {token_id} was revoked already." if already else f"Revoked {token_id}.")
