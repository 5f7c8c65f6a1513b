"""Token pages (blueprint `tokens`): a user's own tokens on /account/tokens, and every token
of the administrator's operator on /admin/tokens. A new token is shown once, on the answer to
the POST that made it (a redirect would have to store it somewhere)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import Session, col, select

from del_tool.admin.services import get_user, list_users
from del_tool.api.forms import AdminTokenForm, RevokeForm, TokenForm
from del_tool.api.models import ApiToken, TokenKind
from del_tool.api.tokens import (
    NewToken,
    TokenRequest,
    create_token,
    get_token,
    owner_unit_ids,
    revoke_token,
    token_state,
    token_unit_ids,
    tokens_of,
)
from del_tool.auth.models import Role, User
from del_tool.auth.permissions import Permission, requires
from del_tool.db import get_session
from del_tool.errors import RuleError
from del_tool.forms import apply_rule_error
from del_tool.organisation.models import Unit
from del_tool.organisation.operators import operator_units

bp = Blueprint("tokens", __name__, template_folder="templates")


def _unit_names(db: Session, ids: set[int] | frozenset[int] | None = None) -> dict[int, str]:
    query = select(Unit.id, Unit.name).order_by(col(Unit.name))
    if ids is not None:
        query = query.where(col(Unit.id).in_(sorted(ids)))
    return {unit_id: name for unit_id, name in db.exec(query).all() if unit_id is not None}


def _rows(db: Session, tokens: list[ApiToken]) -> list[dict]:
    """What the token tables show: the token, its state, owner and units."""
    units = token_unit_ids(db, [t.id for t in tokens if t.id is not None])
    names = _unit_names(db)
    owners = {
        u.id: u for u in db.exec(select(User).where(col(User.id).in_({t.user_id for t in tokens})))
    }
    return [
        {
            "token": token,
            "state": token_state(token),
            "owner": owners.get(token.user_id),
            "units": ", ".join(sorted(names.get(u, str(u)) for u in units.get(token.id or 0, []))),
        }
        for token in tokens
    ]


def _make(form: TokenForm, db: Session, owner: User, kind: TokenKind) -> NewToken | None:
    """Create the token from a valid form and commit; None (errors on the form) when refused."""
    wanted = TokenRequest(
        name=form.name.data or "",
        expires_on=form.expires_on.data,
        kind=kind,
        unit_ids=frozenset(form.units.data or ()),
    )
    try:
        made = create_token(session=db, maker_id=current_user.id, owner=owner, wanted=wanted)
        db.commit()
    except RuleError as problem:
        db.rollback()
        apply_rule_error(form, problem, fallback="name")
        return None
    return made


@bp.route("/account/tokens", methods=["GET", "POST"])
@requires(Permission.AUTHENTICATED)
def account() -> ResponseReturnValue:
    """The user's own tokens, and the form to make one (never beyond their role and scope)."""
    db = get_session()
    user: User = current_user
    own = owner_unit_ids(db, user) if user.role is Role.STAFF else frozenset()
    form = TokenForm(units=list(_unit_names(db, own).items()))
    made = None
    if form.validate_on_submit():
        made = _make(form, db, user, TokenKind.PERSONAL)
    rows = _rows(db, tokens_of(db, [user.id or 0]))
    return render_template(
        "api/account_tokens.html",
        form=form,
        rows=rows,
        made=made,
        revoke=RevokeForm(),
        staff=user.role is Role.STAFF,
    )


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@requires(Permission.AUTHENTICATED)
def account_revoke(token_id: int) -> ResponseReturnValue:
    """Revoke one of the user's own tokens (another's is a 404)."""
    return _revoke(token_id, [current_user.id], "tokens.account")


@bp.route("/admin/tokens", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def admin() -> ResponseReturnValue:
    """Every token of the administrator's operator's users; make one for any of them."""
    db = get_session()
    users = [row.user for row in list_users(session=db, actor=current_user)]
    units = operator_units(db, current_user.operator_code)
    form = AdminTokenForm(
        users=[(u.id or 0, f"{u.username} ({u.role.label})") for u in users if u.active],
        units=list(_unit_names(db, set(units)).items()),
    )
    made = None
    if form.validate_on_submit():
        owner = get_user(session=db, user_id=form.user.data, actor=current_user)
        made = _make(form, db, owner, TokenKind(form.kind.data))
    rows = _rows(db, tokens_of(db, [u.id or 0 for u in users]))
    return render_template(
        "api/admin_tokens.html", form=form, rows=rows, made=made, revoke=RevokeForm()
    )


@bp.route("/admin/tokens/<int:token_id>/revoke", methods=["POST"])
@requires(Permission.MANAGE_USERS)
def admin_revoke(token_id: int) -> ResponseReturnValue:
    """Revoke a token of a user of the administrator's operator (another's is a 404)."""
    db = get_session()
    users = list_users(session=db, actor=current_user)
    return _revoke(token_id, [row.user.id for row in users], "tokens.admin")


def _revoke(token_id: int, owner_ids: list, back: str) -> ResponseReturnValue:
    db = get_session()
    if not RevokeForm().validate_on_submit():
        flash(_("Formularen var udløbet eller ugyldig. Indlæs siden igen, og prøv igen."), "error")
        return redirect(url_for(back))
    token = get_token(db, token_id, owner_ids=[i for i in owner_ids if i is not None])
    revoke_token(session=db, maker_id=current_user.id, token=token)
    db.commit()
    flash(_("Nøglen %(name)s er tilbagekaldt.", name=token.name), "success")
    return redirect(url_for(back))
