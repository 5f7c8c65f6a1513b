"""Checkpoints of the change history, signed by a witness the web app cannot impersonate.

A witness process (`del-tool witness run`, as another OS user) holds an Ed25519 private key the
app never sees. It reads the chain's head (count, newest id, newest MAC), checks that the chain
still continues its previous checkpoint, signs a checkpoint and appends it as one JSON line to
a file the app cannot rewrite (and optionally to syslog). The app holds only the public key;
`del-tool audit verify` compares the chain with the checkpoints, so truncation and rewrites of
witnessed events are found even by someone who holds the MAC key (docs/SECURITY-history.md).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, func, select
from sqlmodel import col

from del_tool.audit.chain import ChainWalk, Finding, canonical
from del_tool.audit.models import AuditEvent
from del_tool.config import ConfigError
from del_tool.modelbase import utcnow


class WitnessError(ConfigError):
    """The witness cannot (or must not) sign; the message is one line."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """What the witness saw: the chain's length, newest id and newest MAC, and when."""

    seq: int
    count: int
    last_id: int
    last_mac: str
    at: str

    def message(self) -> bytes:
        """The signed bytes."""
        return f"del-audit-checkpoint\n{canonical(asdict(self))}".encode()


# -- keys ----------------------------------------------------------------------------------


def generate_key(path: Path) -> str:
    """Write a new private key to `path` (mode 0600, refusing to overwrite); the public key."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return public_text(key.public_key())


def public_text(key: Ed25519PublicKey) -> str:
    """A public key as the base64 text WITNESS_PUBLIC_KEY holds."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The witness's private key; WitnessError when it cannot be read."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise WitnessError(f"cannot read the witness key {path}: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise WitnessError(f"{path} is not an Ed25519 private key")
    return key


def load_public_key(text: str) -> Ed25519PublicKey:
    """The public key from WITNESS_PUBLIC_KEY; WitnessError when it is malformed."""
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except (ValueError, binascii.Error):
        raise WitnessError("WITNESS_PUBLIC_KEY is not a base64 Ed25519 public key") from None


# -- the checkpoint file ---------------------------------------------------------------------


def read_checkpoints(
    path: Path, public_key: Ed25519PublicKey | None
) -> tuple[list[Checkpoint], list[str]]:
    """The checkpoints in `path` whose signature holds, and one line per bad line or gap."""
    problems: list[str] = []
    checkpoints: list[Checkpoint] = []
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    for number, line in enumerate(lines, 1):
        try:
            data = json.loads(line)
            signature = base64.b64decode(data.pop("sig"), validate=True)
            checkpoint = Checkpoint(**data)
            if public_key is not None:
                public_key.verify(signature, checkpoint.message())
        except (ValueError, TypeError, KeyError, AttributeError, binascii.Error):
            problems.append(f"checkpoint: line {number} of {path}: not a checkpoint")
            continue
        except InvalidSignature:
            problems.append(f"checkpoint: line {number} of {path}: the signature is forged")
            continue
        expected = checkpoints[-1].seq + 1 if checkpoints else 1
        if checkpoint.seq != expected:
            problems.append(
                f"checkpoint: line {number} of {path}: checkpoint {checkpoint.seq} follows "
                f"{expected - 1} (checkpoints were removed)"
            )
        checkpoints.append(checkpoint)
    return checkpoints, problems


def append_checkpoint(path: Path, checkpoint: Checkpoint, key: Ed25519PrivateKey) -> str:
    """Sign `checkpoint` and append it to `path` (created 0644, written through); the line."""
    signature = base64.b64encode(key.sign(checkpoint.message())).decode()
    line = json.dumps({**asdict(checkpoint), "sig": signature}, sort_keys=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, f"{line}\n".encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return line


# -- witnessing ------------------------------------------------------------------------------


def witness_once(conn: Connection, key: Ed25519PrivateKey, path: Path) -> str | None:
    """Sign a checkpoint of the chain's head unless it is unchanged; the line written.

    Raises WitnessError, and signs nothing, when the chain no longer continues the previous
    checkpoint (its event is gone or changed, or an event after it does not link).
    """
    checkpoints, _problems = read_checkpoints(path, key.public_key())
    last = checkpoints[-1] if checkpoints else None
    count = int(conn.execute(select(func.count()).select_from(AuditEvent)).scalar_one())
    rows = conn.execution_options(yield_per=10_000).execute(
        select(col(AuditEvent.id), col(AuditEvent.prev_hash), col(AuditEvent.hash))
        .where(col(AuditEvent.id) >= (last.last_id if last else 0))
        .order_by(col(AuditEvent.id))
    )
    head = None
    for row in rows:
        if (
            head is None
            and last is not None
            and (row.id, row.hash) != (last.last_id, last.last_mac)
        ):
            raise WitnessError(
                f"event {last.last_id} differs from checkpoint {last.seq} ({last.at}): "
                "the history was truncated or rewritten; not signing"
            )
        if head is not None and row.prev_hash != head.hash:
            raise WitnessError(f"event {row.id} does not link to event {head.id}; not signing")
        head = row
    if last is not None and (head is None or count < last.count):
        raise WitnessError(
            f"the history holds fewer events than checkpoint {last.seq} ({last.at}): "
            "it was truncated; not signing"
        )
    if head is None or (last is not None and head.id == last.last_id and count == last.count):
        return None
    checkpoint = Checkpoint(
        seq=(last.seq if last else 0) + 1,
        count=count,
        last_id=int(head.id),
        last_mac=str(head.hash),
        at=utcnow().isoformat(timespec="seconds"),
    )
    return append_checkpoint(path, checkpoint, key)


# -- comparing the chain with the checkpoints ---------------------------------------------


def compare(
    walk: ChainWalk, checkpoints: Sequence[Checkpoint]
) -> tuple[list[Finding], list[Finding]]:
    """(problems, notices): witnessed events removed or rewritten; events not yet witnessed."""
    problems: list[Finding] = []
    previous_id, mismatched = 0, []
    for checkpoint in checkpoints:
        if checkpoint.last_id <= walk.last_id:
            seen = walk.marks.get(checkpoint.last_id)
            if seen != (checkpoint.count, checkpoint.last_mac):
                mismatched.append((previous_id, checkpoint))
        previous_id = max(previous_id, checkpoint.last_id)
    if mismatched:
        after, first = mismatched[0]
        later = f"; {len(mismatched) - 1} later checkpoint(s) differ too" if mismatched[1:] else ""
        problems.append(
            Finding(
                "rewritten",
                span=(after + 1, first.last_id),
                detail=f"removed or rewritten since checkpoint {first.seq} ({first.at}){later}",
            )
        )
    newest = checkpoints[-1] if checkpoints else None
    if newest is not None and newest.last_id > walk.last_id:
        problems.append(
            Finding(
                "truncated",
                span=(walk.last_id + 1, newest.last_id),
                detail=f"witnessed by checkpoint {newest.seq} ({newest.at}), "
                "missing from the history",
            )
        )
    notices: list[Finding] = []
    if newest is not None and walk.last_id > newest.last_id:
        notices.append(
            Finding(
                "unwitnessed",
                span=(newest.last_id + 1, walk.last_id),
                detail=f"{walk.count - newest.count} event(s) written after the newest checkpoint "
                f"({newest.seq}, {newest.at}); not yet anchored",
            )
        )
    return problems, notices


def parse_every(text: str) -> int:
    """Seconds in '90s', '5m', '1h' (a bare number is seconds)."""
    units = {"s": 1, "m": 60, "h": 3600}
    number, unit = (text[:-1], text[-1]) if text and text[-1] in units else (text, "s")
    try:
        seconds = int(number) * units[unit]
    except ValueError:
        raise WitnessError(f"--every {text!r}: give seconds or a number with s, m or h") from None
    if seconds < 1:
        raise WitnessError("--every must be at least one second")
    return seconds
