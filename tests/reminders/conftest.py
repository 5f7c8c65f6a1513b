"""Fixtures of the reminder tests: the staff world and a local SMTP server (aiosmtpd)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.support.staff import client_as, db, staff, user_as, world

__all__ = ["client_as", "db", "mail_server", "staff", "user_as", "world"]


class Inbox:
    """What the SMTP server received; addresses in `refuse` get 550 at RCPT."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages received for `address`."""
        return [message for rcpt, message in self.messages if address in rcpt]


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mail_server(app) -> Iterator[Any]:
    """A real SMTP server on loopback, and the app configured to send through it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port,
        MAIL_SECURITY="none",
        MAIL_FROM="del@region.example",
        PUBLIC_URL="https://del.region.example",
    )
    try:
        yield inbox
    finally:
        controller.stop()
