"""From an identity provider's claims to a DEL role and scope, by the configured mapping.

`OIDC_ROLE_CLAIM` names the claim holding the user's roles (app roles: a short list the
directory assigns to DEL, never the user's group memberships, which overflow in large
directories); `OIDC_ROLE_MAP` maps its values to DEL roles; `OIDC_SCOPE_CLAIMS` names the
claims with unit ids, a centre id and a municipality code. SCIM uses the same mapping for the
roles a directory sends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app

from del_tool.admin.services import UserScope
from del_tool.auth.models import Role


class ClaimsError(ValueError):
    """The claims give no usable role and scope; the message says why (for the log and page)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class MappedClaims:
    """What DEL takes from a login's claims."""

    subject: str
    display_name: str
    username_hint: str
    scope: UserScope


def _values(raw: Any) -> list[str]:
    """A claim as a list of strings: a list, or one value (space- or comma-separated)."""
    if raw is None:
        return []
    if isinstance(raw, list | tuple):
        return [str(v).strip() for v in raw if str(v).strip()]
    return [v for v in str(raw).replace(",", " ").split() if v]


def roles_from_values(values: Iterable[str]) -> set[Role]:
    """The DEL roles that claim values map to (unknown values are ignored)."""
    role_map: Mapping[str, str] = current_app.config["OIDC_ROLE_MAP"]
    return {Role(role_map[v]) for v in values if v in role_map}


def single_role(values: Iterable[str]) -> Role:
    """The one DEL role of these claim values; ClaimsError when none or several map."""
    roles = roles_from_values(values)
    if not roles:
        raise ClaimsError("sso_no_role", "no claim value maps to a DEL role")
    if len(roles) > 1:
        names = ", ".join(sorted(r.value for r in roles))
        raise ClaimsError("sso_many_roles", f"the claims map to several DEL roles ({names})")
    return roles.pop()


def scope_from_claims(role: Role, claims: Mapping[str, Any]) -> UserScope:
    """The scope the role needs, from the configured scope claims; ClaimsError if malformed."""
    names: Mapping[str, str] = current_app.config["OIDC_SCOPE_CLAIMS"]
    unit_values = _values(claims.get(names.get("units", ""))) if role is Role.STAFF else []
    if not all(v.isdigit() and len(v) < 10 for v in unit_values):
        raise ClaimsError("sso_bad_scope", "the unit claim holds something other than unit ids")
    centre_values = _values(claims.get(names.get("centre", ""))) if role is Role.LEADER else []
    if len(centre_values) > 1 or not all(v.isdigit() and len(v) < 10 for v in centre_values):
        raise ClaimsError("sso_bad_scope", "the centre claim is not one centre id")
    municipality = (
        _values(claims.get(names.get("municipality", ""))) if role is Role.COUNCIL else []
    )
    if len(municipality) > 1:
        raise ClaimsError("sso_bad_scope", "the municipality claim is not one municipality code")
    return UserScope(
        role=role,
        unit_ids=frozenset(int(v) for v in unit_values),
        centre_id=int(centre_values[0]) if centre_values else None,
        municipality_code=municipality[0] if municipality else None,
    )


def map_claims(claims: Mapping[str, Any]) -> MappedClaims:
    """Subject, name and role with scope from an ID token's claims; ClaimsError otherwise."""
    subject = str(claims.get(current_app.config["OIDC_SUBJECT_CLAIM"]) or "").strip()
    if not subject or len(subject) > 255:
        raise ClaimsError("sso_no_subject", "the token has no usable subject claim")
    role = single_role(_values(claims.get(current_app.config["OIDC_ROLE_CLAIM"])))
    scope = scope_from_claims(role, claims)
    name = str(claims.get("name") or claims.get("preferred_username") or subject)[:200]
    hint = str(claims.get("preferred_username") or claims.get("email") or subject)
    return MappedClaims(subject=subject, display_name=name, username_hint=hint, scope=scope)
