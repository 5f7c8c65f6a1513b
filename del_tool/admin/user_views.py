"""User administration pages (Permission.MANAGE_USERS); routed in `del_tool.admin.views`."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from del_tool.admin.forms import (
    ActionForm,
    PasswordResetForm,
    ScopeChoices,
    UserCreateForm,
    UserEditForm,
    UserForm,
)
from del_tool.admin.organisation import centre_choices, municipality_choices, unit_choices
from del_tool.admin.pages import actor, password_page
from del_tool.admin.services import (
    UserScope,
    create_account,
    edit_token,
    generate_password,
    get_user,
    list_users,
    reset_password,
    set_active,
    update_account,
    user_unit_ids,
)
from del_tool.auth.models import Role
from del_tool.auth.permissions import Permission, requires
from del_tool.auth.services import get_user_by_username
from del_tool.db import get_session
from del_tool.errors import RuleError
from del_tool.forms import apply_rule_error
from del_tool.organisation.operators import operator_centres, operator_units
from del_tool.saving import save_form
from del_tool.security.throttle import unlock_login


def _scope_choices() -> ScopeChoices:
    """The units and centres of the administrator's own operator (the region's, or their
    municipality's offers), and the municipalities (council users: the region's only)."""
    db = get_session()
    operator = actor().operator_code
    units = operator_units(db, operator)
    centres = operator_centres(db, operator)
    groups = [
        (name, [(u, label) for u, label in members if u in units])
        for name, members in unit_choices(session=db)
    ]
    return ScopeChoices(
        unit_groups=[(name, members) for name, members in groups if members],
        centres=[(c, name) for c, name in centre_choices(session=db) if c in centres],
        municipalities=municipality_choices(session=db) if operator is None else [],
    )


def _scope_of(form: UserForm) -> UserScope:
    return UserScope(
        role=Role(form.role.data),
        unit_ids=frozenset(form.units.data or ()),
        centre_id=form.centre.data,
        municipality_code=form.municipality.data or None,
    )


@requires(Permission.MANAGE_USERS)
def users() -> ResponseReturnValue:
    """Every user with role, scope and status."""
    rows = list_users(session=get_session(), actor=actor())
    return render_template("admin/users.html", rows=rows)


@requires(Permission.MANAGE_USERS)
def create_user() -> ResponseReturnValue:
    """Create a user; an empty password field means "generate one" (shown once).

    The steps of `save_form` spelled out: a generated password is shown in this very response
    (a redirect would have to store it somewhere), and a username that a parallel request took
    is an error beside the field.
    """
    db = get_session()
    form = UserCreateForm(scope_choices=_scope_choices())
    if form.validate_on_submit():
        password = form.password.data or generate_password()
        try:
            user = create_account(
                session=db,
                actor=actor(),
                username=form.username.data or "",
                display_name=form.display_name.data or "",
                password=password,
                scope=_scope_of(form),
                generated=not form.password.data,
            )
            db.commit()
        except RuleError as problem:
            db.rollback()
            apply_rule_error(form, problem, fallback="username")
        except IntegrityError:
            db.rollback()  # another administrator took the username a moment ago
            if get_user_by_username(db, form.username.data or "") is None:
                raise
            form.username.errors = [_("Brugernavnet er optaget.")]
        else:
            flash(_("Brugeren %(name)s er oprettet.", name=user.username), "success")
            if not form.password.data:
                return password_page(user, password)
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@requires(Permission.MANAGE_USERS)
def edit_user(user_id: int) -> ResponseReturnValue:
    """Change a user's name, role and scope (optimistic locking on the user's version)."""
    db = get_session()
    user = get_user(session=db, user_id=user_id, actor=actor())
    initial = {
        "display_name": user.display_name,
        "role": user.role.value,
        "units": user_unit_ids(session=db, user_id=user_id),
        "centre": user.centre_id,
        "municipality": user.municipality_code or "",
        "edit_token": edit_token(session=db, user=user),
    }
    form = UserEditForm(
        scope_choices=_scope_choices(), data=initial if request.method == "GET" else None
    )
    if form.validate_on_submit():
        response = save_form(
            form,
            lambda: update_account(
                session=db,
                actor=actor(),
                user_id=user_id,
                token=form.edit_token.data,
                display_name=form.display_name.data or "",
                scope=_scope_of(form),
            ),
            saved=_("Ændringerne er gemt."),
            next_url=url_for("admin.users"),
            fallback="role",
        )
        if response is not None:
            return response
    return render_template("admin/user_form.html", form=form, user=user, action_form=ActionForm())


def _set_active(user_id: int, *, active: bool) -> ResponseReturnValue:
    """Deactivate or reactivate a user (POST with CSRF), then go back to the user."""
    if not ActionForm().validate_on_submit():
        abort(400)
    db = get_session()
    try:
        user = set_active(session=db, actor=actor(), user_id=user_id, active=active)
        db.commit()
    except RuleError as problem:
        db.rollback()
        flash(str(problem.message), "error")
    else:
        if active:
            flash(_("%(name)s kan logge ind igen.", name=user.username), "success")
        else:
            flash(_("%(name)s er deaktiveret og logget ud.", name=user.username), "success")
    return redirect(url_for("admin.edit_user", user_id=user_id))


@requires(Permission.MANAGE_USERS)
def deactivate_user(user_id: int) -> ResponseReturnValue:
    """Deactivate a user; every session of theirs ends at once."""
    return _set_active(user_id, active=False)


@requires(Permission.MANAGE_USERS)
def reactivate_user(user_id: int) -> ResponseReturnValue:
    """Let a deactivated user log in again."""
    return _set_active(user_id, active=True)


@requires(Permission.MANAGE_USERS)
def unlock_user_login(user_id: int) -> ResponseReturnValue:
    """Lift the delay that failed logins put on a user's account (written to the history)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    db = get_session()
    user = get_user(session=db, user_id=user_id, actor=actor())
    unlock_login(session=db, actor=actor(), user=user)
    db.commit()
    flash(_("%(name)s kan logge ind igen uden ventetid.", name=user.username), "success")
    return redirect(url_for("admin.edit_user", user_id=user_id))


@requires(Permission.MANAGE_USERS)
def reset_user_password(user_id: int) -> ResponseReturnValue:
    """Set or generate a new password for a user; all of the user's sessions end.

    Not `save_form`, for the reason `create_user` gives: a generated password is shown at once.
    """
    db = get_session()
    user = get_user(session=db, user_id=user_id, actor=actor())
    form = PasswordResetForm()
    if form.validate_on_submit():
        generated = form.mode.data == "generate"
        password = generate_password() if generated else form.password.data or ""
        try:
            reset_password(
                session=db, actor=actor(), user_id=user_id, password=password, generated=generated
            )
            db.commit()
        except RuleError as problem:
            db.rollback()
            apply_rule_error(form, problem, fallback="password")
        else:
            flash(_("Adgangskoden er skiftet, og brugeren er logget ud overalt."), "success")
            if generated:
                return password_page(user, password)
            return redirect(url_for("admin.edit_user", user_id=user_id))
    return render_template("admin/password_form.html", form=form, user=user)
