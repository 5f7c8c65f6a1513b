"""Referral pages (blueprint `referrals`): the units, a unit's referrals and the forms.

Leaders read and record the referrals of their centre's units; analysts read every unit's;
others are refused (`del_tool.referrals.access`). The unit or referral is loaded in scope before
any form is read, so a foreign id is a 403 whatever was posted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import Session, col, func, select

from del_tool.audit.services import access_event
from del_tool.auth.permissions import Permission, requires
from del_tool.citizens.models import Stay
from del_tool.citizens.viewhelpers import log_reads, municipality_choices
from del_tool.db import get_session
from del_tool.i18n import format_day
from del_tool.modelbase import local_today
from del_tool.organisation.models import (
    Centre,
    LegalSection,
    Municipality,
    Referral,
    ReferralOutcome,
    Unit,
)
from del_tool.referrals import services
from del_tool.referrals.access import ReferralActor, ensure_records, get_referral, get_unit
from del_tool.referrals.forms import DecisionForm, ReferralForm
from del_tool.saving import save_form

bp = Blueprint("referrals", __name__, url_prefix="/referrals", template_folder="templates")
#: Decided referrals stay on a unit's page this long (older ones are in the reports).
DECIDED_SHOWN = timedelta(days=365)


def _actor() -> ReferralActor:
    return ReferralActor.of(current_user, session=get_session())


@bp.route("/")
@requires(Permission.VIEW_REFERRALS)
def index() -> ResponseReturnValue:
    """The units the user sees, by centre, with how many referrals wait and the longest wait."""
    db = get_session()
    actor = _actor()
    query = (
        select(Unit, Centre.name)
        .join(Centre, col(Centre.id) == col(Unit.centre_id))
        .order_by(col(Centre.name), col(Unit.name))
    )
    if actor.actor.scope.unit_ids is not None:
        query = query.where(col(Unit.id).in_(sorted(actor.actor.scope.unit_ids)))
    waiting = dict(
        db.exec(
            select(Referral.unit_id, func.min(Referral.referred_on))
            .where(col(Referral.outcome) == ReferralOutcome.PENDING)
            .group_by(col(Referral.unit_id))
        ).all()
    )
    counts = dict(
        db.exec(
            select(Referral.unit_id, func.count())
            .where(col(Referral.outcome) == ReferralOutcome.PENDING)
            .group_by(col(Referral.unit_id))
        ).all()
    )
    today = local_today()
    groups: dict[str, list[dict[str, Any]]] = {}
    for unit, centre in db.exec(query).all():
        oldest = waiting.get(int(unit.id or 0))
        groups.setdefault(centre, []).append(
            {
                "unit": unit,
                "pending": counts.get(int(unit.id or 0), 0),
                "longest": (today - oldest).days if oldest else None,
            }
        )
    return render_template("referrals/index.html", groups=groups, records=actor.records)


@bp.route("/units/<int:unit_id>")
@requires(Permission.VIEW_REFERRALS)
def unit(unit_id: int) -> ResponseReturnValue:
    """A unit's referrals: those waiting first (longest first, with days waited so far), then
    those decided in the last year, newest first."""
    db = get_session()
    actor = _actor()
    row = get_unit(db, actor, unit_id)
    today = local_today()
    referrals = db.exec(
        select(Referral, Municipality.name)
        .join(Municipality, col(Municipality.code) == col(Referral.municipality_code))
        .where(col(Referral.unit_id) == unit_id)
    ).all()
    pending = sorted(
        (r for r in referrals if r[0].outcome is ReferralOutcome.PENDING),
        key=lambda r: (r[0].referred_on, r[0].id or 0),
    )
    since = today - DECIDED_SHOWN
    decided = sorted(
        (
            r
            for r in referrals
            if r[0].outcome is not ReferralOutcome.PENDING
            and r[0].decided_on is not None
            and r[0].decided_on >= since
        ),
        key=lambda r: (r[0].decided_on, r[0].id or 0),
        reverse=True,
    )
    return render_template(
        "referrals/unit.html",
        unit=row,
        pending=pending,
        decided=decided,
        today=today,
        since=since,
        records=actor.records,
        stay_starts=_stay_starts(db, [r[0] for r in decided]),
    )


def _stay_starts(db: Session, referrals: list[Referral]) -> dict[int, Any]:
    """The first day of each linked stay (shown beside an admission; no name)."""
    ids = [r.stay_id for r in referrals if r.stay_id is not None]
    if not ids:
        return {}
    rows = db.exec(select(col(Stay.id), col(Stay.start_date)).where(col(Stay.id).in_(ids))).all()
    return {int(stay_id or 0): start for stay_id, start in rows}


def _referral_data(form: ReferralForm) -> services.ReferralData:
    section = form.legal_section.data
    return services.ReferralData(
        municipality_code=form.municipality_code.data or "",
        legal_section=LegalSection(section) if section else None,
        referred_on=form.referred_on.data,
    )


@bp.route("/units/<int:unit_id>/new", methods=["GET", "POST"])
@requires(Permission.RECORD_REFERRALS)
def create(unit_id: int) -> ResponseReturnValue:
    """Record a municipality's referral to a unit (leaders)."""
    db = get_session()
    actor = _actor()
    row = get_unit(db, actor, unit_id)
    ensure_records(actor)
    form = ReferralForm(municipalities=municipality_choices(db))
    if not form.is_submitted() and form.referred_on.data is None:
        form.referred_on.data = local_today()
    if form.validate_on_submit():
        response = save_form(
            form,
            lambda: services.create_referral(
                session=db, actor=actor, unit_id=unit_id, data=_referral_data(form)
            ),
            saved=_("Henvendelsen er registreret."),
            next_url=url_for("referrals.unit", unit_id=unit_id),
        )
        if response is not None:
            return response
    return render_template("referrals/form.html", form=form, unit=row, referral=None)


@bp.route("/<int:referral_id>/edit", methods=["GET", "POST"])
@requires(Permission.RECORD_REFERRALS)
def edit(referral_id: int) -> ResponseReturnValue:
    """Correct a referral's payer, section or day (leaders; optimistic locking)."""
    db = get_session()
    actor = _actor()
    referral = get_referral(db, actor, referral_id, write=True)
    form = ReferralForm(obj=referral, municipalities=municipality_choices(db))
    if not form.is_submitted() and referral.legal_section is not None:
        form.legal_section.data = referral.legal_section.value

    def save() -> object:
        return services.update_referral(
            session=db,
            actor=actor,
            referral_id=referral_id,
            data=_referral_data(form),
            version=form.version.data,
        )

    return _form_page(form, referral, save, "referrals/form.html", actor=actor)


@bp.route("/<int:referral_id>/decide", methods=["GET", "POST"])
@requires(Permission.RECORD_REFERRALS)
def decide(referral_id: int) -> ResponseReturnValue:
    """Record what became of a referral: admitted (with the stay), declined or withdrawn."""
    db = get_session()
    actor = _actor()
    referral = get_referral(db, actor, referral_id, write=True)
    candidates = services.stay_candidates(db, referral)
    stays = [(stay.id, _stay_label(stay, citizen)) for stay, citizen in candidates]
    form = DecisionForm(obj=referral, stays=stays)
    if not form.is_submitted():
        form.outcome.data = referral.outcome.value
        if referral.decided_on is None:
            form.decided_on.data = local_today()

    def save() -> object:
        return services.decide_referral(
            session=db,
            actor=actor,
            referral_id=referral_id,
            decision=services.Decision(
                ReferralOutcome(form.outcome.data),
                form.decided_on.data if form.outcome.data != ReferralOutcome.PENDING else None,
                form.stay_id.data,
            ),
            version=form.version.data,
        )

    return _form_page(
        form, referral, save, "referrals/decide.html", actor=actor, candidates=candidates
    )


def _stay_label(stay: Any, citizen: Any) -> str:
    """ "Anna Hansen (f. 1984), ophold fra 06.05.2026" for the stay choice."""
    return _(
        "%(name)s (f. %(year)s), ophold fra %(start)s",
        name=citizen.name,
        year=citizen.birth_year,
        start=format_day(stay.start_date),
    )


def _form_page(
    form: ReferralForm | DecisionForm,
    referral: Referral,
    save: Callable[[], object],
    template: str,
    *,
    actor: ReferralActor,
    candidates: list[Any] | None = None,
) -> ResponseReturnValue:
    """Validate, save and go back to the unit's list, or show the form (a listing of stays
    with the citizens' names is written to the access log, one entry per citizen)."""
    db = get_session()
    if form.validate_on_submit():
        response = save_form(
            form,
            save,
            saved=_("Henvendelsen er gemt."),
            next_url=url_for("referrals.unit", unit_id=referral.unit_id),
        )
        if response is not None:
            return response
    if candidates:
        events = [
            access_event(
                user_id=actor.user_id,
                action="list",
                citizen_id=citizen.id,
                endpoint=request.endpoint or "",
                detail="referral stay choice",
            )
            for _stay, citizen in candidates
        ]
        log_reads(db, events)
    return render_template(
        template,
        form=form,
        unit=db.get(Unit, referral.unit_id),
        referral=referral,
        municipality=db.get(Municipality, referral.municipality_code),
        candidates=candidates or [],
        today=local_today(),
    )
