"""Pseudonymous ids per receiving system: DEL holds no CPR number, so a receiving system knows
DEL's citizens (and their stays, goals and follow-ups) only by keyed pseudonyms.

Every id is HMAC-SHA256(PSEUDONYM_KEY, "fhir:<system>:<kind>:<DEL id>"), cut to 80 bits and
written in 20 letters a-p (hexadecimal with letters for digits, so no id looks like a CPR
number, which the import would refuse):
stable for one receiving system across exports, different for another system (so two
receivers cannot link their copies by id), and never DEL's database id in clear. The same key
serves the analysis exports (`del_tool.security.privacy.pseudonyms`); the "fhir:<system>"
prefix keeps the two sets of pseudonyms apart.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from del_tool.interop.fhir.codes import IDENTIFIER

#: A receiving system's name: what `--system` takes (it becomes part of identifier systems).
SYSTEM_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
#: The shortest key accepted (as for the analysis exports).
KEY_MIN_CHARS = 16


#: Hexadecimal digits written as letters.
_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")


def letters(data: bytes) -> str:
    """`data` as hexadecimal in the letters a-p (no digits, so never CPR-shaped)."""
    return data.hex().translate(_LETTERS)


class IdentityError(ValueError):
    """The receiving system's name or the key cannot be used."""


@dataclass(frozen=True, slots=True)
class Identity:
    """The ids one receiving system gets."""

    system: str
    key: str

    @classmethod
    def make(cls, system: str, key: str | None) -> Identity:
        """Checked: a plain system name, a key of at least `KEY_MIN_CHARS` characters."""
        if not SYSTEM_NAME.fullmatch(system):
            raise IdentityError(
                "the receiving system's name is 1-40 letters, digits, '.', '_' or '-'"
            )
        if not key or len(key) < KEY_MIN_CHARS:
            raise IdentityError(
                "set PSEUDONYM_KEY (at least 16 random characters) in instance/config.py; "
                "the same key gives the same ids in every export"
            )
        return cls(system, key)

    def id(self, kind: str, entity_id: int) -> str:
        """The resource id of DEL's record `entity_id` of `kind` ("citizen", "goal", ...)."""
        message = f"fhir:{self.system}:{kind}:{entity_id}".encode()
        return letters(hmac.new(self.key.encode(), message, hashlib.sha256).digest()[:10])

    @property
    def citizen_system(self) -> str:
        """The identifier system of the citizens' pseudonyms for this receiving system."""
        return f"{IDENTIFIER}:{self.system}:citizen"
