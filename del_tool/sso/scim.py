"""SCIM 2.0 (RFC 7643/7644) users at /scim/v2/Users, for a directory to provision DEL.

Authenticated by `Authorization: Bearer <SCIM_TOKEN>` (compared in constant time); no session,
no CSRF. Only users with an external identity are visible here (never local accounts such as
the break-glass administrator). `externalId` is the subject the OIDC login matches on; roles
map by OIDC_ROLE_MAP, the scope comes from DEL's extension (units, centre, municipality).
Deactivation (PATCH active false, PUT, DELETE) ends the user's sessions at once.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from sqlmodel import Session, col, select

from del_tool.audit.services import record_change
from del_tool.auth.models import User
from del_tool.auth.permissions import public
from del_tool.db import get_session
from del_tool.extensions import csrf
from del_tool.sso.claims import (
    ClaimsError,
    MappedClaims,
    roles_from_values,
    scope_from_claims,
    single_role,
)
from del_tool.sso.models import ExternalIdentity
from del_tool.sso.provisioning import (
    apply_scope,
    check_mapped_scope,
    create_sso_user,
    deactivate,
    find_identity,
)

bp = Blueprint("scim", __name__, url_prefix="/scim/v2")
csrf.exempt(bp)
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
DEL_SCHEMA = "urn:ietf:params:scim:schemas:extension:del:2.0:User"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
MEDIA_TYPE = "application/scim+json"


class ScimError(Exception):
    """A request SCIM answers with an error (status and detail)."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


def _answer(body: dict[str, Any], status: int = 200) -> ResponseReturnValue:
    response = jsonify(body)
    response.status_code = status
    response.content_type = MEDIA_TYPE
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(ScimError)
def _error(exc: ScimError) -> ResponseReturnValue:
    body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(exc.status)}
    body["detail"] = exc.detail
    if exc.scim_type:
        body["scimType"] = exc.scim_type
    return _answer(body, exc.status)


@bp.before_request
def _authenticate() -> ResponseReturnValue | None:
    token = str(current_app.config.get("SCIM_TOKEN") or "")
    header = request.headers.get("Authorization", "")
    given = header[7:] if header.startswith("Bearer ") else ""
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        response = _error(ScimError(401, "a valid bearer token is required"))
        response.headers["WWW-Authenticate"] = 'Bearer realm="scim"'  # type: ignore[union-attr]
        return response
    return None


def _issuer() -> str:
    return str(current_app.config.get("OIDC_ISSUER") or "scim")


def _resource(db: Session, user: User, identity: ExternalIdentity) -> dict[str, Any]:
    role_map: dict[str, str] = current_app.config["OIDC_ROLE_MAP"]
    values = [claim for claim, role in role_map.items() if role == user.role.value][:1]
    from del_tool.admin.services import user_unit_ids

    return {
        "schemas": [USER_SCHEMA, DEL_SCHEMA],
        "id": str(user.id),
        "externalId": identity.subject,
        "userName": user.username,
        "displayName": user.display_name,
        "active": user.active,
        "roles": [{"value": v} for v in values],
        DEL_SCHEMA: {
            "units": user_unit_ids(session=db, user_id=user.id or 0),
            "centre": user.centre_id,
            "municipality": user.municipality_code,
        },
        "meta": {"resourceType": "User", "location": f"{request.host_url}scim/v2/Users/{user.id}"},
    }


def _role_values(raw: Any) -> list[str]:
    if not isinstance(raw, list):
        raise ScimError(400, "roles must be a list", "invalidValue")
    return [str(r.get("value", "")) if isinstance(r, dict) else str(r) for r in raw]


def _mapped(body: dict[str, Any], subject: str) -> MappedClaims:
    """Role and scope of a SCIM user resource, by the OIDC mapping; ScimError if none maps."""
    if not isinstance(body, dict):
        raise ScimError(400, "the body must be a JSON object", "invalidSyntax")
    extension = body.get(DEL_SCHEMA) or {}
    if not isinstance(extension, dict):
        raise ScimError(400, f"{DEL_SCHEMA} must be an object", "invalidValue")
    names = current_app.config["OIDC_SCOPE_CLAIMS"]
    claims = {
        names.get(key, key): extension.get(key) for key in ("units", "centre", "municipality")
    }
    try:
        role = single_role(_role_values(body.get("roles", [])))
        scope = scope_from_claims(role, claims)
    except ClaimsError as exc:
        raise ScimError(400, str(exc), "invalidValue") from None
    name = str(body.get("displayName") or body.get("userName") or subject)[:200]
    hint = str(body.get("userName") or subject)
    return MappedClaims(subject=subject, display_name=name, username_hint=hint, scope=scope)


def _find(db: Session, user_id: int) -> tuple[User, ExternalIdentity]:
    identity = db.exec(select(ExternalIdentity).where(ExternalIdentity.user_id == user_id)).first()
    user = db.get(User, user_id) if identity else None
    if user is None or identity is None:
        raise ScimError(404, f"no SCIM user {user_id}")
    return user, identity


def _set_active(db: Session, user: User, active: bool) -> None:
    if not active:
        deactivate(db, user, action="scim_deactivate", actor_id=None)
    elif not user.active:
        user.active = True
        db.add(user)
        db.flush()
        record_change(
            session=db,
            user_id=None,
            action="scim_reactivate",
            entity="users",
            entity_id=user.id,
            citizen_id=None,
            changes={"active": [False, True]},
        )


def _replace(db: Session, user: User, body: dict[str, Any], subject: str) -> None:
    if not roles_from_values(_role_values(body.get("roles", []))):
        # No role maps any more: like an SSO login's refusal, the user is deactivated.
        deactivate(db, user, action="scim_deactivate", actor_id=None)
        return
    mapped = _mapped(body, subject)
    try:
        check_mapped_scope(db, mapped.scope)
    except ClaimsError as exc:
        raise ScimError(400, str(exc), "invalidValue") from None
    apply_scope(db, user, display_name=mapped.display_name, scope=mapped.scope, actor_id=None)
    if "active" in body:
        _set_active(db, user, bool(body["active"]))


@bp.route("/Users", methods=["GET"])
@public
def list_users() -> ResponseReturnValue:
    """Users with an external identity; `filter=userName eq "name"` (or externalId) narrows."""
    db = get_session()
    query = select(User, ExternalIdentity).where(ExternalIdentity.user_id == User.id)
    raw = request.args.get("filter", "").strip()
    if raw:
        attribute, _, rest = raw.partition(" eq ")
        value = rest.strip()
        if attribute.strip() not in ("userName", "externalId") or not (
            len(value) >= 2 and value[0] == value[-1] == '"'
        ):
            raise ScimError(400, 'only userName eq "..." and externalId eq "..."', "invalidFilter")
        value = value[1:-1]
        column = User.username if attribute.strip() == "userName" else ExternalIdentity.subject
        query = query.where(column == (value.lower() if column is User.username else value))
    rows = db.exec(query.order_by(col(User.id))).all()
    start = max(request.args.get("startIndex", 1, type=int) or 1, 1)
    count = min(max(request.args.get("count", 100, type=int) or 0, 0), 200)
    page = rows[start - 1 : start - 1 + count]
    return _answer(
        {
            "schemas": [LIST_SCHEMA],
            "totalResults": len(rows),
            "startIndex": start,
            "itemsPerPage": len(page),
            "Resources": [_resource(db, u, i) for u, i in page],
        }
    )


@bp.route("/Users", methods=["POST"])
@public
def create() -> ResponseReturnValue:
    """Create a user (externalId: the OIDC subject; userName if none is given)."""
    db = get_session()
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not body.get("userName"):
        raise ScimError(400, "userName is required", "invalidValue")
    subject = str(body.get("externalId") or body["userName"]).strip()[:255]
    if find_identity(db, _issuer(), subject) is not None:
        raise ScimError(409, "a user with this externalId exists", "uniqueness")
    mapped = _mapped(body, subject)
    try:
        check_mapped_scope(db, mapped.scope)
    except ClaimsError as exc:
        raise ScimError(400, str(exc), "invalidValue") from None
    user = create_sso_user(db, issuer=_issuer(), subject=subject, mapped=mapped, scim=True)
    if body.get("active") is False:
        _set_active(db, user, False)
    db.commit()
    return _answer(_resource(db, *_find(db, user.id or 0)), 201)


@bp.route("/Users/<int:user_id>", methods=["GET"])
@public
def get(user_id: int) -> ResponseReturnValue:
    """One user."""
    db = get_session()
    return _answer(_resource(db, *_find(db, user_id)))


@bp.route("/Users/<int:user_id>", methods=["PUT"])
@public
def put(user_id: int) -> ResponseReturnValue:
    """Replace name, role, scope and active."""
    db = get_session()
    user, identity = _find(db, user_id)
    _replace(db, user, request.get_json(silent=True) or {}, identity.subject)
    db.commit()
    return _answer(_resource(db, user, identity))


@bp.route("/Users/<int:user_id>", methods=["PATCH"])
@public
def patch(user_id: int) -> ResponseReturnValue:
    """PatchOp: replace active, displayName or roles; add or remove roles."""
    db = get_session()
    user, identity = _find(db, user_id)
    body = request.get_json(silent=True)
    operations = body.get("Operations") if isinstance(body, dict) else None
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, "Operations is required", "invalidSyntax")
    state = _resource(db, user, identity)
    for operation in operations:
        if not isinstance(operation, dict):
            raise ScimError(400, "an operation must be an object", "invalidSyntax")
        op = str(operation.get("op", "")).lower()
        path, value = operation.get("path"), operation.get("value")
        changes = {str(path): value} if path else value
        if op not in ("add", "replace", "remove") or not isinstance(changes, dict | type(None)):
            raise ScimError(400, f"unsupported operation {op!r}", "invalidSyntax")
        for key, item in (changes or {str(path): None}).items():
            if key not in ("active", "displayName", "roles"):
                raise ScimError(400, f"unsupported path {key!r}", "invalidPath")
            if key == "roles" and op != "replace":
                current = {r["value"] for r in state["roles"]}
                given = set(_role_values(item if isinstance(item, list) else [item]))
                new = current | given if op == "add" else current - given
                state["roles"] = [{"value": v} for v in sorted(new)]
            else:
                state[key] = item
    state["active"] = state["active"] not in (False, "false", "False")
    _replace(db, user, state, identity.subject)
    db.commit()
    return _answer(_resource(db, user, identity))


@bp.route("/Users/<int:user_id>", methods=["DELETE"])
@public
def delete(user_id: int) -> ResponseReturnValue:
    """Deactivate (DEL keeps the user for the history); their sessions end at once."""
    db = get_session()
    user, _ = _find(db, user_id)
    _set_active(db, user, False)
    db.commit()
    return "", 204
