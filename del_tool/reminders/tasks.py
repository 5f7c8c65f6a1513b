"""Sending the week's digests: the worker's job at REMINDER_SCHEDULE and `del-tool reminders send`.

Each subscriber gets at most one digest per ISO week (the week is stored once the server took
the mail, each in its own transaction, so a retried or repeated run sends only what is still
due); a week with nothing overdue and nothing due sends no mail. A refused address is reported
and the others go on; an unreachable server stops the run with one line (nothing is marked).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlmodel import col, select

from del_tool.auth.models import User
from del_tool.db import get_db
from del_tool.jobs import job
from del_tool.modelbase import local_today, utcnow
from del_tool.reminders.digest import digest_for, iso_week, receives_reminders
from del_tool.reminders.mail import MailError, compose, send_all, smtp_connection
from del_tool.reminders.models import ReminderSubscription
from del_tool.security.backup_schedule import parse_schedule, scheduled_slot

log = logging.getLogger(__name__)
LEASE_SECONDS = 8 * 24 * 3600


@dataclass(slots=True)
class ReminderRun:
    """What a run did: mails sent, subscribers with nothing due, refused addresses."""

    week: str
    sent: list[str] = field(default_factory=list)
    nothing_due: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    already_sent: int = 0


def _subscriptions() -> list[tuple[ReminderSubscription, User]]:
    with get_db().session(write=False) as session:
        rows = session.exec(
            select(ReminderSubscription, User)
            .join(User, col(User.id) == ReminderSubscription.user_id)
            .where(col(ReminderSubscription.weekly), col(User.active))
            .order_by(col(User.id))
        ).all()
        for subscription, user in rows:
            session.expunge(subscription)
            session.expunge(user)
    return [(s, u) for s, u in rows if receives_reminders(u)]


def _mark(user_id: int, week: str) -> None:
    with get_db().session(write=True) as session:
        subscription = session.get(ReminderSubscription, user_id)
        if subscription is not None:
            subscription.last_sent_week = week
            subscription.last_sent_at = utcnow()
            session.add(subscription)
        session.commit()


def send_reminders(app: Flask, *, today: date, dry_run: bool = False) -> ReminderRun:
    """Send this week's digests (`dry_run`: compose them and say to whom, send nothing).

    Raises MailError when the server cannot be reached, or when no MAIL_SERVER is set."""
    config = app.config
    if not config.get("MAIL_SERVER") and not dry_run:
        raise MailError("no MAIL_SERVER is configured (README, Reminders)")
    week = iso_week(today)
    run = ReminderRun(week=week)
    pending = []
    for subscription, user in _subscriptions():
        if subscription.last_sent_week == week:
            run.already_sent += 1
            continue
        with get_db().session(write=False) as session:
            digest = digest_for(session, user, today)
        if not (digest.overdue or digest.this_week):
            run.nothing_due.append(subscription.email)
            if not dry_run:
                _mark(subscription.user_id, week)
            continue
        message = compose(
            digest,
            to=subscription.email,
            sender=str(config.get("MAIL_FROM") or "del@localhost"),
            today=today,
            base_url=str(config.get("PUBLIC_URL") or ""),
            detail=str(config.get("REMINDER_DETAIL") or "count"),
        )
        pending.append(((subscription.user_id, subscription.email), message))
    if dry_run:
        run.sent = [email for (_user, email), _message in pending]
        return run
    if not pending:
        return run
    with smtp_connection(app) as connection:
        for (user_id, email), problem in send_all(connection, pending):
            if problem is None:
                _mark(user_id, week)
                run.sent.append(email)
            else:
                run.refused.append((email, problem))
    log.info(
        "reminders for %s: %d sent, %d with nothing due, %d refused",
        week,
        len(run.sent),
        len(run.nothing_due),
        len(run.refused),
    )
    return run


def schedule_of(app: Flask):  # type: ignore[no-untyped-def]
    """This deployment's reminder schedule; None without a mail server or a schedule."""
    if not app.config.get("MAIL_SERVER"):
        return None
    return parse_schedule(
        str(app.config.get("REMINDER_SCHEDULE") or ""),
        str(app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Copenhagen"),
        setting="REMINDER_SCHEDULE",
    )


@job(schedule=schedule_of)
def weekly_reminders(*, final_attempt: bool = True) -> int | None:
    """At REMINDER_SCHEDULE: send the week's digests (one worker per scheduled minute)."""
    from del_tool.store import get_store

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    slot = scheduled_slot(schedule_of(app), now)
    if not get_store().add_json(f"lease:reminders:{slot.isoformat()}", {}, LEASE_SECONDS):
        return None
    return len(send_reminders(app, today=local_today()).sent)


@click.group("reminders")
def reminders_group() -> None:
    """Weekly e-mail digests of follow-ups due (README "Reminders")."""


@reminders_group.command("send")
@click.option("--dry-run", is_flag=True, help="Compose the digests and list them; send nothing.")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="As of this day (default today).",
)
@with_appcontext
def reminders_send(dry_run: bool, day: datetime | None) -> None:
    """Send this week's digest to every subscriber who has not had it (exit 1 on a refusal)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    today = day.date() if day is not None else local_today()
    try:
        run = send_reminders(app, today=today, dry_run=dry_run)
    except MailError as exc:
        raise click.ClickException(str(exc)) from None
    verb = "would send" if dry_run else "sent"
    click.echo(
        f"{run.week}: {verb} {len(run.sent)}; nothing due for {len(run.nothing_due)}; "
        f"already sent {run.already_sent}; refused {len(run.refused)}"
    )
    for email, problem in run.refused:
        click.echo(f"refused: {email}: {problem}", err=True)
    if run.refused:
        raise SystemExit(1)
