"""Caseload, citizen profile, and the citizen and stay forms (blueprint `citizens`)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import Session

from del_tool.auth.permissions import Permission, has_permission, requires
from del_tool.citizens import merge_views, purpose_views, services, status_views, stay_views
from del_tool.citizens.access import Actor, get_citizen, get_unit_in_scope
from del_tool.citizens.caseload import caseload as load_caseload
from del_tool.citizens.caseload import search_citizens
from del_tool.citizens.caseload_filters import (
    NO_CONTACT,
    CaseloadFilter,
    DueStatus,
    SortKey,
    apply_filter,
    due_status,
    week_end,
)
from del_tool.citizens.chart_jobs import profile_charts
from del_tool.citizens.display import score_lines
from del_tool.citizens.duplicates import DuplicateCheck, check_key, check_new_citizen
from del_tool.citizens.forms import (
    CaseloadFilterForm,
    CitizenForm,
    NewCitizenForm,
    SearchForm,
)
from del_tool.citizens.merge import live_id
from del_tool.citizens.models import Citizen, Sex
from del_tool.citizens.profile import load_profile
from del_tool.citizens.purpose_progress import PurposeGoal, purpose_progress
from del_tool.citizens.stay_views import stay_choices, stay_data
from del_tool.citizens.viewhelpers import (
    current_actor,
    log_read,
    log_reads,
    ui_lang,
)
from del_tool.db import get_session
from del_tool.modelbase import local_today
from del_tool.organisation.models import Referral, ReferralOutcome, TargetGroup
from del_tool.questionnaires import current_registry
from del_tool.referrals.citizen_link import (
    admit_from_new_stay,
    prefill_from_referral,
    referral_to_admit,
)
from del_tool.saving import save_form

bp = Blueprint("citizens", __name__, url_prefix="/citizens", template_folder="templates")


def _citizen_data(form: CitizenForm) -> services.CitizenData:
    return services.CitizenData(
        name=form.name.data or "",
        birth_year=form.birth_year.data or 0,
        sex=Sex(form.sex.data),
        target_group=TargetGroup(form.target_group.data),
        case_reference=form.case_reference.data or None,
    )


@bp.route("/")
@requires(Permission.VIEW_CITIZENS)
def caseload():
    """The citizens of the user's units in a stay today, overdue follow-ups first; name search.

    GET parameters filter by unit, contact person and status and choose the order (see
    `CaseloadFilterForm`); a value that is not offered is ignored.
    """
    db = get_session()
    actor = current_actor()
    search = SearchForm(request.args)
    hits = None
    if search.q.data and search.validate():
        hits = search_citizens(session=db, actor=actor, query=search.q.data)
        log_read(db, actor=actor, action="search", citizen_id=None, detail=f"hits={len(hits)}")
    return _caseload_page(db, actor, search=search, hits=hits, mine=False)


@bp.route("/mine")
@requires(Permission.VIEW_CITIZENS)
def mine():
    """ "Mine borgere": the caseload's stays whose contact person is the user."""
    db = get_session()
    return _caseload_page(db, current_actor(), search=None, hits=None, mine=True)


def _caseload_page(
    db: Session, actor: Actor, *, search: SearchForm | None, hits: list | None, mine: bool
) -> str:
    """The caseload (all of it, or the user's own citizens), filtered as the URL says."""
    today = local_today()
    units = load_caseload(session=db, actor=actor, today=today)
    filters = CaseloadFilterForm(
        request.args,
        units=[(str(u.unit_id), u.unit_name) for u in units],
        contacts=_contacts_in(units),
    )
    chosen = filters.chosen()
    if mine:
        chosen.pop("contact", None)
    shown, counts = apply_filter(units, _caseload_filter(chosen, actor, mine=mine), today)
    if mine:
        shown = [unit for unit in shown if unit.rows]
    if hits is None:
        rows = sum(len(u.rows) for u in shown)
        detail = f"{'mine' if mine else 'caseload'} rows={rows}"
        log_read(db, actor=actor, action="list", citizen_id=None, detail=detail)
    return render_template(
        "citizens/caseload.html",
        units=shown,
        counts=counts,
        filters=filters,
        chosen=chosen,
        mine=mine,
        search=search,
        hits=hits,
        today=today,
        week_end=week_end(today),
        status_of=lambda row: due_status(row, today).value,
        can_edit=has_permission(current_user, Permission.EDIT_CITIZENS),
        overdue_actions=_overdue_actions(db, actor, today),
    )


def _overdue_actions(db: Session, actor: Actor, today: date) -> int:
    """A leader's open actions past their due date (0 for others: they do not follow them up)."""
    if not has_permission(current_user, Permission.RECORD_ACTIONS):
        return 0
    from del_tool.actions.services import overdue_count

    return overdue_count(db, actor, today=today)


def _contacts_in(units: list) -> list[tuple[str, str]]:
    """The contact persons of the caseload's stays as filter choices, by name."""
    names = {
        row.contact_user_id: row.contact_name
        for unit in units
        for row in unit.rows
        if row.contact_user_id is not None and row.contact_name
    }
    ordered = sorted(names.items(), key=lambda item: (item[1].casefold(), item[0]))
    return [(str(uid), name) for uid, name in ordered]


def _caseload_filter(chosen: dict[str, str], actor: Actor, *, mine: bool) -> CaseloadFilter:
    """The filter for the valid choices (`CaseloadFilterForm.chosen`)."""
    contact: int | str | None = chosen.get("contact")
    if mine:
        contact = actor.user_id
    elif contact is not None and contact != NO_CONTACT:
        contact = int(contact)
    status = chosen.get("status")
    return CaseloadFilter(
        unit_id=int(chosen["unit"]) if "unit" in chosen else None,
        contact=contact,
        status=DueStatus(status) if status else None,
        sort=SortKey(chosen.get("sort", SortKey.DUE)),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.EDIT_CITIZENS)
def create():
    """A new citizen with their first stay; asks first when the citizen resembles others.

    With `?referral=<id>` (a pending referral of a leader's unit) the stay is created from the
    referral: its unit, payer and section are filled in, and saving marks it admitted.
    """
    referral = referral_to_admit(request.args.get("referral"))
    if referral is not None and referral.outcome is not ReferralOutcome.PENDING:
        flash(_("Henvendelsen er allerede afgjort."), "info")
        return redirect(url_for("referrals.unit", unit_id=referral.unit_id))
    choices = stay_choices()
    if referral is not None:  # the stay belongs to the referral's unit
        choices["units"] = [c for c in choices["units"] if c[0] == referral.unit_id]
    form = NewCitizenForm(**choices)
    if referral is not None and not form.is_submitted():
        prefill_from_referral(form, referral)
    check = None
    if form.validate_on_submit():
        check = _duplicate_check(form)
        response = None if check is not None else _create(form, referral)
        if response is not None:
            return response
    return render_template(
        "citizens/citizen_form.html",
        form=form,
        citizen=None,
        check=check,
        today=local_today(),
        referral=referral,
    )


def _create(form: NewCitizenForm, referral: Referral | None) -> ResponseReturnValue | None:
    """Store the new citizen and their first stay (`save_form`), and admit the referral."""
    db = get_session()

    def save() -> Citizen:
        citizen = services.create_citizen(
            session=db, actor=current_actor(), citizen=_citizen_data(form), stay=stay_data(form)
        )
        if referral is not None:
            admit_from_new_stay(db, referral, citizen)
        return citizen

    return save_form(
        form,
        save,
        saved=_("Borgeren er oprettet og henvendelsen markeret som indskrevet.")
        if referral is not None
        else _("Borgeren er oprettet."),
        next_url=lambda citizen: url_for("citizens.profile", citizen_id=citizen.id),
        fallback="start_date",
    )


def _duplicate_check(form: NewCitizenForm) -> DuplicateCheck | None:
    """The similar citizens to ask about, or None when there are none or the user confirmed
    "another person" for this very name and birth year. A check is logged (access log), and
    made only for a stay in one of the user's units (a foreign unit id is a 403 first)."""
    name, year = form.name.data or "", form.birth_year.data or 0
    key = check_key(name, year)
    if form.confirm_new.data and form.checked_for.data == key:
        return None
    db = get_session()
    actor = current_actor()
    if get_unit_in_scope(db, actor, form.unit_id.data) is None:
        return None  # no such unit: the service puts the error beside the field
    check, events = check_new_citizen(
        db, actor, name=name, birth_year=year, endpoint=request.endpoint or ""
    )
    log_reads(db, events)
    if not check.found:
        return None
    form.checked_for.data = key
    form.confirm_new.data = False
    return check


@bp.route("/<int:citizen_id>")
@requires(Permission.VIEW_CITIZENS)
def profile(citizen_id: int):
    """Stays, goals, follow-up timeline and charts of one citizen.

    A record merged into another leads there (when that one is in scope: 403 otherwise).
    """
    db = get_session()
    actor = current_actor()
    merged_into = live_id(db, citizen_id)
    if merged_into is not None:
        get_citizen(db, actor, merged_into)
        flash(_("Borgeren er lagt sammen med denne registrering."), "info")
        return redirect(url_for("citizens.profile", citizen_id=merged_into))
    get_citizen(db, actor, citizen_id)
    log_read(db, actor=actor, action="view", citizen_id=citizen_id, detail="profile")
    data = load_profile(session=db, actor=actor, citizen_id=citizen_id)
    registry = current_registry()
    lang = ui_lang()
    # The charts show the whole record: not for a view limited to a former centre's stays.
    charts, stale = (None, False) if data.partial else profile_charts(db, citizen_id, lang)
    return render_template(
        "citizens/profile.html",
        profile=data,
        charts=charts,
        charts_stale=stale,
        former_days=current_app.config["FORMER_STAY_ACCESS_DAYS"],
        score_lines=score_lines(data.follow_ups, registry, lang),
        today=local_today(),
        can_edit=has_permission(current_user, Permission.EDIT_CITIZENS),
        can_merge=has_permission(current_user, Permission.MERGE_CITIZENS),
        purposes=purpose_progress(
            db, data.stays, (PurposeGoal(g.goal, g.latest_level, g.met) for g in data.goals)
        ),
    )


@bp.route("/<int:citizen_id>/edit", methods=["GET", "POST"])
@requires(Permission.EDIT_CITIZENS)
def edit(citizen_id: int):
    """Change a citizen's details (optimistic locking)."""
    db = get_session()
    actor = current_actor()
    citizen = get_citizen(db, actor, citizen_id)
    form = CitizenForm(obj=citizen)
    if form.validate_on_submit():
        response = save_form(
            form,
            lambda: services.update_citizen(
                session=db,
                actor=actor,
                citizen_id=citizen_id,
                data=_citizen_data(form),
                version=form.version.data,
            ),
            saved=_("Ændringerne er gemt."),
            next_url=url_for("citizens.profile", citizen_id=citizen_id),
        )
        if response is not None:
            return response
    log_read(db, actor=actor, action="view", citizen_id=citizen_id, detail="citizen form")
    citizen = get_citizen(db, actor, citizen_id)
    return render_template("citizens/citizen_form.html", form=form, citizen=citizen)


#: The stay pages (del_tool/citizens/stay_views.py): rule, endpoint, view.
for rule, endpoint, view in (
    ("/<int:citizen_id>/stays/new", "add_stay", stay_views.add_stay),
    ("/stays/<int:stay_id>/edit", "edit_stay", stay_views.edit_stay),
    ("/stays/<int:stay_id>/end", "end_stay", stay_views.end_stay),
    ("/stays/<int:stay_id>/move", "move_stay", stay_views.move_stay),
):
    bp.add_url_rule(rule, endpoint, view, methods=["GET", "POST"])

#: The action plan's purposes of a stay (del_tool/citizens/purpose_views.py).
bp.add_url_rule(
    "/stays/<int:stay_id>/purposes",
    "stay_purposes",
    purpose_views.stay_purposes,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/stays/purposes/<int:purpose_id>/edit",
    "edit_purpose",
    purpose_views.edit_purpose,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/stays/purposes/<int:purpose_id>/remove",
    "remove_purpose",
    purpose_views.remove_purpose,
    methods=["POST"],
)

#: The merge pages (del_tool/citizens/merge_views.py), for leaders.
bp.add_url_rule("/<int:citizen_id>/merge", "merge", merge_views.merge)
bp.add_url_rule(
    "/<int:citizen_id>/merge/<int:other_id>",
    "merge_confirm",
    merge_views.merge_confirm,
    methods=["GET", "POST"],
)

#: The status statement (del_tool/citizens/status_views.py), page and PDF.
bp.add_url_rule("/<int:citizen_id>/status", "status", status_views.status)
bp.add_url_rule("/<int:citizen_id>/status.pdf", "status_pdf", status_views.status_pdf)
