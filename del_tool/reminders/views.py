"""The reminder settings of one's own account (/account/reminders)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from del_tool.audit.services import record_create, record_update, snapshot
from del_tool.auth.permissions import Permission, requires
from del_tool.db import get_session
from del_tool.reminders.forms import ReminderForm
from del_tool.reminders.models import ReminderSubscription

bp = Blueprint("reminders", __name__, url_prefix="/account/reminders", template_folder="templates")
FIELDS = ("email", "weekly")


@bp.route("/", methods=["GET", "POST"])
@requires(Permission.RECEIVE_REMINDERS)
def settings():
    """Show and change where the weekly digest goes and whether it is sent."""
    db = get_session()
    subscription = db.get(ReminderSubscription, current_user.id)
    form = ReminderForm(obj=subscription)
    if form.validate_on_submit():
        email = form.email.data or ""
        weekly = bool(form.weekly.data)
        if subscription is None:
            if email:
                subscription = ReminderSubscription(
                    user_id=current_user.id, email=email, weekly=weekly
                )
                db.add(subscription)
                db.flush()
                record_create(
                    session=db,
                    user_id=current_user.id,
                    obj=subscription,
                    citizen_id=None,
                    fields=FIELDS,
                    entity_id=current_user.id,
                )
        else:
            before = snapshot(subscription, FIELDS)
            subscription.email = email or subscription.email
            subscription.weekly = weekly and bool(email)
            db.add(subscription)
            db.flush()
            record_update(
                session=db,
                user_id=current_user.id,
                obj=subscription,
                before=before,
                citizen_id=None,
                entity_id=current_user.id,
            )
        db.commit()
        flash(_("Dine påmindelser er gemt."), "success")
        return redirect(url_for("reminders.settings"))
    return render_template(
        "reminders/settings.html",
        form=form,
        subscription=subscription,
        mail_on=bool(current_app.config.get("MAIL_SERVER")),
        detail=current_app.config.get("REMINDER_DETAIL", "count"),
    )
