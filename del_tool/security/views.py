"""The user's own account: password, second factor, ending sessions; the login's code step."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import Session

from del_tool.auth.models import User
from del_tool.auth.passwords import hash_password, verify_password
from del_tool.auth.permissions import Permission, has_permission, public, requires
from del_tool.auth.services import record_second_factor
from del_tool.db import get_session
from del_tool.modelbase import utcnow
from del_tool.security import totp
from del_tool.security.forms import (
    CodeForm,
    EnrolmentStartForm,
    PasswordChangeForm,
    PasswordConfirmForm,
    TotpDisableForm,
    TotpSetupForm,
)
from del_tool.security.sessions import end_all_sessions, end_current_session, start_session
from del_tool.security.throttle import login_wait, record_throttled
from del_tool.security.twofactor import forget_pending, pending_user

bp = Blueprint("account", __name__, url_prefix="/account", template_folder="templates")


@bp.route("/")
@requires(Permission.AUTHENTICATED)
def index():
    """The account page: second-factor status and the security actions."""
    remaining = totp.remaining_recovery_codes(session=get_session(), user=current_user)
    return render_template(
        "security/account.html",
        remaining=remaining,
        required=totp.totp_required(current_user),
        disable_form=TotpDisableForm(),
        reminders=has_permission(current_user, Permission.RECEIVE_REMINDERS),
        self_report=has_permission(current_user, Permission.EDIT_CITIZENS),
    )


def _end_other_sessions(db: Session, user: User) -> None:
    """End every other session of `user` (commits); this browser gets a fresh one."""
    end_all_sessions(session=db, user=user)
    db.commit()
    start_session(user)


@bp.route("/password", methods=["GET", "POST"])
@requires(Permission.AUTHENTICATED)
def change_password():
    """Change the password; every session of the user ends, this one included."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data or ""):
            form.current_password.errors.append(_("Adgangskoden er forkert."))
        else:
            db = get_session()
            user = current_user._get_current_object()
            user.password_hash = hash_password(form.new_password.data or "")
            user.password_changed_at = utcnow()
            user.must_change_password = False
            end_all_sessions(session=db, user=user)
            db.commit()
            end_current_session()
            flash(_("Din adgangskode er skiftet. Log ind med den nye."), "success")
            return redirect(url_for("auth.login"))
    return render_template("security/password.html", form=form)


@bp.route("/logout-everywhere", methods=["POST"])
@requires(Permission.AUTHENTICATED)
def logout_everywhere():
    """End every session of the user on every device."""
    db = get_session()
    end_all_sessions(session=db, user=current_user._get_current_object())
    db.commit()
    end_current_session()
    flash(_("Du er logget ud på alle enheder."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/two-factor/setup", methods=["GET", "POST"])
@requires(Permission.AUTHENTICATED)
def totp_setup():
    """Enrol an authenticator app: begin (a POST stores a new secret on the user's row, never in
    the session cookie), show the QR code, confirm with a code, show the recovery codes."""
    if current_user.totp_secret:
        return redirect(url_for("account.index"))
    user = current_user._get_current_object()
    if request.method == "POST" and "start" in request.form:
        if EnrolmentStartForm().validate_on_submit():
            db = get_session()
            totp.begin_enrolment(session=db, user=user)
            db.commit()
        return redirect(url_for("account.totp_setup"))
    secret = user.totp_pending_secret
    if secret is None:
        return render_template("security/totp_setup.html", start_form=EnrolmentStartForm())
    form = TotpSetupForm()
    if form.validate_on_submit():
        db = get_session()
        codes = totp.enable(session=db, user=user, code=form.code.data or "")
        if codes is not None:
            db.commit()
            if form.end_other_sessions.data:
                _end_other_sessions(db, user)
                flash(_("Dine andre sessioner er afsluttet."), "success")
            flash(_("Totrinsbekræftelse er slået til."), "success")
            return render_template("security/recovery_codes.html", codes=codes)
        form.code.errors.append(_("Koden passer ikke. Prøv med den næste kode fra appen."))
    uri = totp.provisioning_uri(current_user, secret)
    return render_template(
        "security/totp_setup.html",
        form=form,
        start_form=EnrolmentStartForm(),
        secret=secret,
        qr=totp.qr_code_data_uri(uri),
    )


@bp.route("/two-factor/disable", methods=["POST"])
@requires(Permission.AUTHENTICATED)
def totp_disable():
    """Turn the second factor off (not allowed for roles that require it); optionally end the
    user's other sessions."""
    form = TotpDisableForm()
    if totp.totp_required(current_user):
        flash(_("Din rolle kræver totrinsbekræftelse; den kan ikke slås fra."), "error")
    elif form.validate_on_submit() and verify_password(
        current_user.password_hash, form.password.data or ""
    ):
        db = get_session()
        user = current_user._get_current_object()
        totp.disable(session=db, user=user)
        db.commit()
        if form.end_other_sessions.data:
            _end_other_sessions(db, user)
            flash(_("Dine andre sessioner er afsluttet."), "success")
        flash(_("Totrinsbekræftelse er slået fra."), "success")
    else:
        flash(_("Adgangskoden er forkert; intet er ændret."), "error")
    return redirect(url_for("account.index"))


@bp.route("/two-factor/recovery-codes", methods=["POST"])
@requires(Permission.AUTHENTICATED)
def recovery_codes():
    """Replace the recovery codes (after the password) and show the new ones once."""
    form = PasswordConfirmForm()
    if not current_user.totp_secret:
        return redirect(url_for("account.index"))
    if form.validate_on_submit() and verify_password(
        current_user.password_hash, form.password.data or ""
    ):
        db = get_session()
        user = current_user._get_current_object()
        codes = totp.new_recovery_codes(session=db, user=user)
        db.commit()
        return render_template("security/recovery_codes.html", codes=codes)
    flash(_("Adgangskoden er forkert; intet er ændret."), "error")
    return redirect(url_for("account.index"))


@bp.route("/two-factor", methods=["GET", "POST"])
@public
def two_factor():
    """The login's second step: a code from the app or a recovery code."""
    user = pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        db = get_session()
        address = request.remote_addr or ""
        wait = login_wait(session=db, username=user.username, address=address).seconds
        if wait:
            record_throttled(session=db, username=user.username, address=address)
            db.commit()
            forget_pending()
            flash(
                _("For mange mislykkede forsøg. Prøv igen om %(seconds)s sekunder.", seconds=wait),
                "error",
            )
            return redirect(url_for("auth.login"))
        code = form.code.data or ""
        ok = totp.verify_code(session=db, user=user, code=code) or totp.use_recovery_code(
            session=db, user=user, code=code
        )
        record_second_factor(session=db, user=user, address=address, ok=ok)
        db.commit()
        if ok:
            start_session(user)
            return redirect(url_for("main.index"))
        form.code.errors.append(_("Koden er forkert eller allerede brugt."))
    return render_template("security/two_factor.html", form=form)
