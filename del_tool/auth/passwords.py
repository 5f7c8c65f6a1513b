"""Password hashing with Argon2id (argon2-cffi), and the password rules."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

MIN_LENGTH = 8
MAX_LENGTH = 128

#: argon2-cffi's defaults: Argon2id with RFC 9106's second recommended option (t=3, 64 MiB, p=4).
PRODUCTION_HASHER = PasswordHasher()
_hasher = PRODUCTION_HASHER


def use_hasher(hasher: PasswordHasher) -> None:
    """Hash with other Argon2 parameters from now on (the test suite uses cheap ones).

    Existing hashes stay verifiable; `needs_rehash` reports them, so logins upgrade them.
    """
    global _hasher
    _hasher = hasher


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash to verify against when the username is unknown, so both paths cost the same time.

    Made on first use, not at import: one Argon2 hash costs 0.1 s or more at every worker start.
    """
    return hasher.hash("not-a-real-password-used-for-timing-only")


def password_problems(password: str) -> list[str]:
    """What is wrong with `password` as a new password (empty when it is acceptable).

    Length (8 to 128 characters) and not a commonly used password; no composition rules
    (NIST SP 800-63B, OWASP ASVS 6.2).
    """
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_("Adgangskoden skal have mindst %(n)d tegn.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        problems.append(_("Adgangskoden må højst have %(n)d tegn.", n=MAX_LENGTH))
    if password.strip().lower() in common_passwords():
        problems.append(_("Adgangskoden er for almindelig. Vælg en, der er sværere at gætte."))
    return problems


#: 20,000 common passwords (those of 8+ characters kept); see the LICENSE file beside it.
COMMON_PASSWORDS_FILE = (
    Path(__file__).resolve().parent.parent / "security" / "data" / "common-passwords.txt.gz"
)


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list of common passwords, lower-cased."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def hash_password(password: str) -> str:
    """Argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no hash, spend the same time and return False."""
    try:
        dummy = _dummy_hash(_hasher)  # made at the first login of either kind: same time
        return _hasher.verify(password_hash or dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than the current ones."""
    return _hasher.check_needs_rehash(password_hash)
