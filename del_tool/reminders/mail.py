"""The digest as an e-mail (Danish, then English) and sending mails over SMTP.

Settings (README "Reminders"): MAIL_SERVER (empty: no mail), MAIL_PORT, MAIL_SECURITY
("starttls", the default; "ssl" for implicit TLS; "none" only for a relay on the same host),
MAIL_USERNAME/MAIL_PASSWORD (optional), MAIL_FROM, PUBLIC_URL (the address links point to) and
REMINDER_DETAIL ("count": totals and a link; "units": also each unit's counts).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _

from del_tool.citizens.caseload_filters import week_end
from del_tool.i18n import format_day
from del_tool.reminders.digest import Digest

SECURITY_CHOICES = ("starttls", "ssl", "none")
DETAIL_CHOICES = ("count", "units")
TIMEOUT_SECONDS = 30


class MailError(RuntimeError):
    """The mail server cannot be reached or refuses us; the message is one line."""


def subject(digest: Digest) -> str:
    """The subject line in the current language."""
    return _(
        "DEL: %(overdue)s forfaldne opfølgninger, %(week)s denne uge",
        overdue=digest.overdue,
        week=digest.this_week,
    )


def _body(digest: Digest, today: date, base: str, detail: str) -> str:
    lines = [
        _("Ugens opfølgninger i DEL (uge %(week)s):", week=today.isocalendar()[1]),
        "",
        _("- Forfaldne: %(n)s", n=digest.overdue),
        _(
            "- Forfalder denne uge (til og med %(day)s): %(n)s",
            day=format_day(week_end(today)),
            n=digest.this_week,
        ),
    ]
    if digest.mine_overdue or digest.mine_this_week:
        lines.append(
            _(
                "Heraf hos borgere, du er kontaktperson for: %(overdue)s forfaldne, "
                "%(week)s denne uge.",
                overdue=digest.mine_overdue,
                week=digest.mine_this_week,
            )
        )
    if detail == "units":
        lines += ["", _("Pr. tilbud:")]
        lines += [
            _(
                "- %(unit)s: %(overdue)s forfaldne, %(week)s denne uge",
                unit=unit.unit_name,
                overdue=unit.overdue,
                week=unit.this_week,
            )
            for unit in digest.units
            if unit.overdue or unit.this_week
        ]
    lines += [
        "",
        _("Se listen i DEL: %(url)s", url=f"{base}/citizens/?status=overdue"),
        "",
        _(
            "Du får denne mail, fordi du har bedt om den. Slå den fra under Min konto: %(url)s",
            url=f"{base}/account/reminders",
        ),
    ]
    return "\n".join(lines)


def compose(
    digest: Digest, *, to: str, sender: str, today: date, base_url: str, detail: str
) -> EmailMessage:
    """The digest's mail to `to`: Danish first, English below, as plain text."""
    base = base_url.rstrip("/")
    with force_locale("da"):
        title = subject(digest)
        danish = _body(digest, today, base, detail)
    with force_locale("en"):
        english = _body(digest, today, base, detail)
    message = EmailMessage()
    message["Subject"] = title
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    message.set_content(f"{danish}\n\n-- English --\n\n{english}\n")
    return message


@contextmanager
def smtp_connection(app: Flask) -> Iterator[smtplib.SMTP]:
    """A connection to MAIL_SERVER, secured and logged in as configured; MailError otherwise."""
    config = app.config
    host = str(config.get("MAIL_SERVER") or "")
    port = int(config.get("MAIL_PORT") or 587)
    security = str(config.get("MAIL_SECURITY") or "starttls")
    try:
        connection: smtplib.SMTP
        if security == "ssl":
            connection = smtplib.SMTP_SSL(
                host, port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
            )
        else:
            connection = smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS)
        with connection:
            if security == "starttls":
                connection.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                connection.login(str(config["MAIL_USERNAME"]), str(config.get("MAIL_PASSWORD")))
            yield connection
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"mail server {host}:{port}: {_describe(exc)}") from None


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return str(exc) or type(exc).__name__


def send_all(
    connection: smtplib.SMTP, messages: Iterable[tuple[Any, EmailMessage]]
) -> Iterator[tuple[Any, str | None]]:
    """(key, None) for each message the server accepted, (key, reason) for each it refused."""
    for key, message in messages:
        try:
            connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            refusals = exc.recipients.values()
            yield (
                key,
                "; ".join(f"{code} {text.decode(errors='replace')}" for code, text in refusals),
            )
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            yield key, _describe(exc)
        else:
            yield key, None
