"""The self-report screen: start it for a citizen, answer one question per page, unlock.

Pages while locked use their own layout (`selfreport/screen.html`): no menu, no user name, no
other citizen, no earlier scores, only the question on screen and its answers.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask import session as cookie
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from del_tool.auth.permissions import Permission, requires
from del_tool.citizens.chart_jobs import citizen_changed
from del_tool.citizens.viewhelpers import current_actor, log_read, ui_lang
from del_tool.db import get_session
from del_tool.errors import RuleError
from del_tool.followups.forms import RATING_LABELS
from del_tool.i18n import format_day
from del_tool.modelbase import local_today, utcnow
from del_tool.questionnaires import current_registry
from del_tool.security.sessions import LOGIN_AT_KEY
from del_tool.security.throttle import login_wait, record_throttled
from del_tool.selfreport import services
from del_tool.selfreport.forms import AnswerForm, PinForm, StartForm, UnlockForm
from del_tool.selfreport.lock import G_KEY
from del_tool.selfreport.models import EndReason, SelfReportSession

bp = Blueprint("selfreport", __name__, template_folder="templates")

#: The buttons of a question page ("stay": the idle warning's "go on").
ACTIONS = ("next", "skip", "back", "stop", "stay")


@bp.route("/citizens/<int:citizen_id>/self-report", methods=["GET", "POST"])
@requires(Permission.EDIT_CITIZENS)
def prepare(citizen_id: int):
    """What the citizen will be asked today; the button hands the screen over."""
    db = get_session()
    actor = current_actor()
    registry = current_registry()
    lang = ui_lang()
    try:
        plan = services.plan_for(
            session=db,
            actor=actor,
            citizen_id=citizen_id,
            day=local_today(),
            registry=registry,
            lang=lang,
        )
    except RuleError as error:
        flash(str(error.message), "error")
        return redirect(url_for("citizens.profile", citizen_id=citizen_id))
    has_pin = services.has_pin(db, actor.user_id)
    can_unlock = has_pin or services.has_local_password(current_user)
    form = StartForm()
    if can_unlock and plan.questions and form.validate_on_submit():
        marker = cookie.get(LOGIN_AT_KEY)
        if isinstance(marker, int | float):
            services.start(session=db, actor=actor, plan=plan, login_marker=float(marker))
            db.commit()
            log_read(
                db, actor=actor, action="view", citizen_id=citizen_id, detail="self-report start"
            )
            return redirect(url_for("selfreport.question"))
        flash(_("Log ind igen, og start så borgerens besvarelse."), "error")
    log_read(db, actor=actor, action="view", citizen_id=citizen_id, detail="self-report plan")
    return render_template(
        "selfreport/prepare.html",
        plan=plan,
        form=form,
        lang=lang,
        has_pin=has_pin,
        can_unlock=can_unlock,
        idle_minutes=current_app.config["SELF_REPORT_IDLE_MINUTES"],
    )


def _open() -> SelfReportSession | None:
    return getattr(g, G_KEY, None)


def _end(row: SelfReportSession, reason: EndReason) -> None:
    """End the session, write its answers, and commit."""
    db = get_session()
    follow_up = services.finish(
        session=db,
        actor=current_actor(),
        row=row,
        reason=reason,
        registry=current_registry(),
    )
    db.commit()
    if follow_up is not None:
        citizen_changed(row.citizen_id)


@bp.route("/self-report/", methods=["GET", "POST"])
@requires(Permission.EDIT_CITIZENS)
def question():
    """The question on screen and its answers; the buttons answer, skip, go back or stop."""
    row = _open()
    if row is None:
        flash(_("Der er ingen borgerbesvarelse i gang."), "info")
        return redirect(url_for("citizens.caseload"))
    if row.ended_at is None and services.is_idle(row):
        _end(row, EndReason.IDLE)
    if row.ended_at is not None:
        return redirect(url_for("selfreport.done"))
    screen = _screen(row)
    form = AnswerForm()
    form.value.choices = [(str(v), label) for v, label, _description in screen["options"]]
    if request.method == "POST" and form.validate_on_submit():
        action = request.form.get("action", "next")
        if action not in ACTIONS:
            action = "next"
        if action == "stop":
            _end(row, EndReason.STOPPED)
            return redirect(url_for("selfreport.done"))
        if action == "stay":
            row.last_activity_at = utcnow()
            db = get_session()
            db.add(row)
            db.commit()
            return redirect(url_for("selfreport.question"))
        value = _chosen(form, screen)
        if action == "next" and value is None:
            form.value.errors = [_("Vælg et svar, eller tryk “Spring over”.")]
        else:
            services.answer(
                row,
                value if action != "skip" else None,
                move=-1 if action == "back" else 1,
            )
            db = get_session()
            db.add(row)
            if row.position >= len(row.questions):
                _end(row, EndReason.DONE)
                return redirect(url_for("selfreport.done"))
            db.commit()
            return redirect(url_for("selfreport.question"))
    elif request.method == "GET":
        given = services.current_value(row)
        form.value.data = None if given is None else str(given)
    return render_template(
        "selfreport/question.html",
        form=form,
        screen=screen,
        number=row.position + 1,
        total=len(row.questions),
        idle_seconds=int(services.idle_limit().total_seconds()),
    )


def _chosen(form: AnswerForm, screen: dict) -> int | None:
    """The posted answer if it is one of the question's options (else None)."""
    allowed = {str(v): v for v, _label, _description in screen["options"]}
    return allowed.get(str(form.value.data)) if form.value.data is not None else None


def _screen(row: SelfReportSession) -> dict:
    """What the current question shows: its text (and easy-read wording), the options with
    their anchor descriptions; nothing about earlier answers of earlier follow-ups."""
    lang = ui_lang()
    question = row.questions[row.position]
    if "goal" in question:
        from del_tool.goals.models import Goal

        goal = get_session().get(Goal, question["goal"])
        anchors = {value: str(label) for value, label in RATING_LABELS.items()}
        return {
            "kind": "goal",
            "heading": _("Hvordan synes du, det går med dit mål?"),
            "text": goal.title if goal is not None else "",
            "easy": None,
            "instructions": None,
            "title": _("Dine mål"),
            "options": [(v, anchors.get(v, str(v)), None) for v in services.RATINGS],
        }
    definition = current_registry().get(question["q"], question.get("v"))
    item = definition.item(question["item"])
    return {
        "kind": "item",
        "heading": item.text(lang),
        "text": item.hint(lang),
        "easy": item.easy_text(lang),
        "instructions": definition.instructions(lang),
        "title": definition.title(lang),
        "options": [(o.value, o.label(lang), o.description(lang)) for o in item.options],
    }


@bp.route("/self-report/done")
@requires(Permission.EDIT_CITIZENS)
def done():
    """Thanks, and the unlock form for the staff member."""
    row = _open()
    if row is None:
        return redirect(url_for("citizens.caseload"))
    if row.ended_at is None and services.is_idle(row):
        _end(row, EndReason.IDLE)
    if row.ended_at is None:
        return redirect(url_for("selfreport.question"))
    return render_template("selfreport/done.html", form=UnlockForm(), row=row)


@bp.route("/self-report/unlock", methods=["POST"])
@requires(Permission.EDIT_CITIZENS)
def unlock():
    """Unlock with the starter's password or PIN; throttled like a login, logged like one."""
    row = _open()
    if row is None:
        return redirect(url_for("citizens.caseload"))
    if row.ended_at is None:
        _end(row, EndReason.STOPPED)
    form = UnlockForm()
    if not form.validate_on_submit():
        return render_template("selfreport/done.html", form=form, row=row)
    db = get_session()
    user = current_user._get_current_object()
    address = request.remote_addr or ""
    wait = login_wait(session=db, username=user.username, address=address)
    if wait.seconds:
        record_throttled(session=db, username=user.username, address=address)
        db.commit()
        form.secret.errors = [
            _("For mange forkerte forsøg. Prøv igen om %(seconds)s sekunder.", seconds=wait.seconds)
        ]
        return render_template("selfreport/done.html", form=form, row=row), 429
    ok = services.unlock(
        session=db, user=user, row=row, secret=form.secret.data or "", address=address
    )
    db.commit()
    if not ok:
        form.secret.errors = [_("Adgangskoden eller pinkoden passer ikke.")]
        return render_template("selfreport/done.html", form=form, row=row)
    if row.follow_up_id is not None:
        flash(
            _(
                "Skærmen er låst op. Borgerens svar er gemt i opfølgningen den %(date)s; "
                "udfyld din del af den her.",
                date=format_day(row.day),
            ),
            "success",
        )
        return redirect(url_for("followups.edit", follow_up_id=row.follow_up_id))
    flash(_("Skærmen er låst op. Borgeren svarede ikke på noget, så intet er gemt."), "info")
    return redirect(url_for("citizens.profile", citizen_id=row.citizen_id))


@bp.route("/account/self-report-pin", methods=["GET", "POST"])
@requires(Permission.EDIT_CITIZENS)
def pin() -> str | Response:
    """Set the PIN that unlocks the self-report screen (confirmed with one's password)."""
    db = get_session()
    form = PinForm()
    if not services.has_local_password(current_user):
        # Signed in through the organisation's login: no DEL password to confirm with; the
        # login itself is the proof (and the PIN is then the only way to unlock).
        del form.password
    if form.validate_on_submit():
        from del_tool.auth.passwords import verify_password

        local = services.has_local_password(current_user)
        if local and not verify_password(current_user.password_hash, form.password.data or ""):
            form.password.errors = [_("Adgangskoden passer ikke.")]
        else:
            services.set_pin(db, current_user.id, form.pin.data or "")
            db.commit()
            flash(_("Din pinkode til borgerens skærm er gemt."), "success")
            return redirect(url_for("selfreport.pin"))
    return render_template(
        "selfreport/pin.html", form=form, has_pin=services.has_pin(db, current_user.id)
    )
