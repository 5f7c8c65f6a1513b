"""The second factor: time-based one-time passwords (RFC 6238, pyotp) and recovery codes."""

from __future__ import annotations

import hmac
import secrets

import pyotp
import segno
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlmodel import Session, col, delete, select

from del_tool.auth.models import RecoveryCode, User
from del_tool.modelbase import utcnow

RECOVERY_CODE_COUNT = 10
#: Recovery codes carry 60 random bits, so OWASP's lighter Argon2id profile (19 MiB, t=2) is
#: ample, and checking a code against ten hashes stays quick.
_code_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
#: Codes of the previous and next 30-second step are accepted too (clock drift).
VALID_WINDOW = 1


def new_secret() -> str:
    """A random base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    issuer = str(current_app.config["TOTP_ISSUER"])
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer)


def qr_code_data_uri(uri: str) -> str:
    """The URI as an SVG QR code in a data: URI (allowed by the CSP's img-src)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def matching_step(secret: str, code: str, *, last_step: int | None) -> int | None:
    """The time step `code` belongs to, if valid now and newer than `last_step` (no replay)."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(utcnow().timestamp()) // totp.interval
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code) and (
            last_step is None or step > last_step
        ):
            return step
    return None


def verify_code(*, session: Session, user: User, code: str) -> bool:
    """Check a TOTP code of an enrolled user; a used code is refused afterwards."""
    if not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code, last_step=user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    session.add(user)
    return True


def begin_enrolment(*, session: Session, user: User) -> str:
    """Give `user` a new pending secret (on their row, never in the cookie); flushes."""
    user.totp_pending_secret = new_secret()
    session.add(user)
    session.flush()
    return user.totp_pending_secret


def enable(*, session: Session, user: User, code: str) -> list[str] | None:
    """Turn the second factor on when `code` proves the app holds the pending secret; new
    recovery codes (None, and nothing changed, for a wrong code or no enrolment under way)."""
    secret = user.totp_pending_secret
    step = matching_step(secret, code, last_step=None) if secret else None
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_pending_secret = None
    user.totp_last_step = step
    session.add(user)
    return new_recovery_codes(session=session, user=user)


def disable(*, session: Session, user: User) -> None:
    """Turn the second factor off and drop the recovery codes."""
    user.totp_secret = None
    user.totp_pending_secret = None
    user.totp_last_step = None
    session.add(user)
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))


def new_recovery_codes(*, session: Session, user: User) -> list[str]:
    """Replace the user's recovery codes; returns the plain codes (shown once, stored hashed)."""
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    codes = [_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=_code_hasher.hash(code)))  # type: ignore[arg-type]
    session.flush()
    return codes


def use_recovery_code(*, session: Session, user: User, code: str) -> bool:
    """Accept an unused recovery code once."""
    raw = "".join(c for c in code.lower() if c.isalnum())
    if len(raw) != 12:
        return False
    normalised = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
    unused = session.exec(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, col(RecoveryCode.used_at).is_(None)
        )
    ).all()
    for stored in unused:
        if _code_matches(stored.code_hash, normalised):
            stored.used_at = utcnow()
            session.add(stored)
            return True
    return False


def remaining_recovery_codes(*, session: Session, user: User) -> int:
    """How many unused recovery codes the user has."""
    return len(
        session.exec(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, col(RecoveryCode.used_at).is_(None)
            )
        ).all()
    )


def totp_required(user: User) -> bool:
    """Whether the deployment requires a second factor for this user's role."""
    required = current_app.config["TOTP_REQUIRED_ROLES"]
    if isinstance(required, str):
        required = [r.strip() for r in required.split(",")]
    return user.role.value in set(required)


def _code_matches(code_hash: str, code: str) -> bool:
    try:
        return _code_hasher.verify(code_hash, code)
    except (VerificationError, InvalidHashError):
        return False


def _recovery_code() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
