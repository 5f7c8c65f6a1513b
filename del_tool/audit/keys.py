"""The keys of the change history's MAC chain (docs/SECURITY-history.md).

`AUDIT_KEY` (instance/config.py or `DEL_AUDIT_KEY`) is the key new events are MAC'd with;
`AUDIT_RETIRED_KEYS` holds the keys of older segments, so that they can still be verified.
Neither is ever stored in the database: a writer of the database alone cannot forge an event.
A key is known in the history only by its id, a digest of the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

from flask import current_app

from del_tool.config import ConfigError

MIN_AUDIT_KEY_LENGTH = 32


class AuditKeyError(ConfigError):
    """The history's MAC key is missing or unusable; the message is one line."""


def key_id_of(key: bytes) -> str:
    """The public name of a key: 16 hex digits of a digest that does not reveal the key."""
    return hashlib.sha256(b"del-audit-key-id\n" + key).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class AuditKeys:
    """The current key (for writing) and every key verification may meet, by id."""

    current_id: str
    by_id: dict[str, bytes]

    @property
    def current(self) -> bytes:
        """The key new events are MAC'd with."""
        return self.by_id[self.current_id]

    @classmethod
    def from_secrets(cls, current: str, retired: tuple[str, ...] | list[str] = ()) -> AuditKeys:
        """Keys from their secret texts (each at least MIN_AUDIT_KEY_LENGTH characters)."""
        for secret in (current, *retired):
            if len(secret) < MIN_AUDIT_KEY_LENGTH:
                raise AuditKeyError(
                    f"an audit key is shorter than {MIN_AUDIT_KEY_LENGTH} characters: use "
                    "`python -c 'import secrets; print(secrets.token_hex(32))'`"
                )
        keys = [secret.encode() for secret in (current, *retired)]
        return cls(key_id_of(keys[0]), {key_id_of(key): key for key in keys})


def _retired(value: object) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise AuditKeyError("AUDIT_RETIRED_KEYS must be a list of key texts")
    return list(value)


def audit_keys() -> AuditKeys:
    """The app's history keys; raises AuditKeyError (one line) when AUDIT_KEY is not set."""
    config = current_app.config
    current = config.get("AUDIT_KEY")
    if not current:
        raise AuditKeyError(
            "DEL_AUDIT_KEY is not set: the change history is MAC'd with a key kept outside the "
            "database; `del-tool init` adds AUDIT_KEY to instance/config.py"
        )
    return AuditKeys.from_secrets(str(current), _retired(config.get("AUDIT_RETIRED_KEYS")))


def mac(key: bytes, message: str) -> str:
    """HMAC-SHA256 of `message` under `key`, as 64 hex digits."""
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    """Compare two MACs in constant time."""
    return hmac.compare_digest(a.encode(), b.encode())
