"""What the login log keeps of a typed username: a known account's name, else a keyed hash.

People type passwords into the username field. The log keeps the name only when it is the
name of an account; anything else is kept as an HMAC-SHA256 with `LOGIN_LOG_KEY` (by default
derived from `SECRET_KEY`), which still lets the throttle count repeated attempts at the same
unknown name and lets an administrator see that attempts belong together, but cannot be read
back without the key.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from sqlmodel import Session, select

from del_tool.auth.models import User

#: Marks a stored unknown username; the hex digest follows.
UNKNOWN_PREFIX = "unknown:"
_DERIVATION_LABEL = b"del login log: unknown usernames"


def normalise_username(username: str) -> str:
    """Usernames are case-insensitive and trimmed."""
    return username.strip().lower()


def _key() -> bytes:
    configured = current_app.config.get("LOGIN_LOG_KEY")
    if configured:
        return str(configured).encode()
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, _DERIVATION_LABEL, hashlib.sha256).digest()


def unknown_username_digest(name: str) -> str:
    """The keyed hash the log keeps of a name that is no account's."""
    digest = hmac.new(_key(), normalise_username(name).encode(), hashlib.sha256).hexdigest()
    return UNKNOWN_PREFIX + digest


def logged_username(session: Session, typed: str) -> str:
    """What the login log stores (and the throttle counts) for a typed username."""
    name = normalise_username(typed)[:150]
    known = session.exec(select(User.id).where(User.username == name)).first()
    return name if known is not None else unknown_username_digest(name)
