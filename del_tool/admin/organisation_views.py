"""Unit and tariff administration pages; routed in `del_tool.admin.views`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from del_tool.admin.economy import unit_places
from del_tool.admin.organisation import (
    TariffValues,
    create_tariff,
    end_tariff,
    get_tariff,
    get_unit,
    list_tariffs,
    unit_choices,
    unit_questionnaire_ids,
    units_by_centre,
    update_tariff,
    update_unit,
)
from del_tool.admin.organisation_forms import TariffEditForm, TariffEndForm, TariffForm, UnitForm
from del_tool.admin.pages import actor
from del_tool.auth.permissions import Permission, requires
from del_tool.db import get_session
from del_tool.organisation.models import LegalSection, OfferKind, Tariff
from del_tool.questionnaires import current_registry
from del_tool.saving import save_form


def _questionnaire_titles() -> dict[str, str]:
    """Id -> title (in the UI language) of the registry's current definitions."""
    lang = str(get_locale() or "da")
    return {d.id: d.title(lang) for d in current_registry().current()}


@requires(Permission.MANAGE_ORGANISATION)
def units() -> ResponseReturnValue:
    """Centres and their units with follow-up interval, status and questionnaires."""
    groups = units_by_centre(session=get_session(), actor=actor())
    return render_template("admin/units.html", groups=groups, titles=_questionnaire_titles())


@requires(Permission.MANAGE_ORGANISATION)
def edit_unit(unit_id: int) -> ResponseReturnValue:
    """Change a unit's follow-up interval, active flag and questionnaires."""
    db = get_session()
    unit = get_unit(session=db, unit_id=unit_id, actor=actor())
    titles = _questionnaire_titles()
    initial = {
        "followup_interval_days": unit.followup_interval_days,
        "active": unit.active,
        "offer_kind": unit.offer_kind.value if unit.offer_kind else "",
        "questionnaires": unit_questionnaire_ids(session=db, unit_id=unit_id),
        "version": unit.version,
    }
    form = UnitForm(
        questionnaires=list(titles.items()), data=initial if request.method == "GET" else None
    )
    if form.validate_on_submit():
        response = save_form(
            form,
            lambda: update_unit(
                session=db,
                actor=actor(),
                unit_id=unit_id,
                version=form.version.data,
                followup_interval_days=form.followup_interval_days.data or 0,
                active=bool(form.active.data),
                offer_kind=_offer_kind(form),
                questionnaire_ids=form.questionnaires.data or [],
                available_questionnaires=list(titles),
            ),
            saved=_("Ændringerne er gemt."),
            next_url=url_for("admin.units"),
            fallback="followup_interval_days",
        )
        if response is not None:
            return response
    history = unit_places(session=db, unit_id=unit_id)
    return render_template("admin/unit_form.html", form=form, unit=unit, history=history)


def _offer_kind(form: UnitForm) -> OfferKind | Literal["keep"] | None:
    """The chosen kind of offer; "keep" when the form did not post the field at all."""
    if not form.offer_kind.raw_data:
        return "keep"
    return OfferKind(form.offer_kind.data) if form.offer_kind.data else None


@requires(Permission.MANAGE_TARIFFS)
def tariffs() -> ResponseReturnValue:
    """Tariffs per unit and legal section; `?unit=<id>` shows one unit's."""
    db = get_session()
    unit_id = request.args.get("unit", type=int)
    rows = list_tariffs(session=db, actor=actor(), unit_id=unit_id)
    return render_template(
        "admin/tariffs.html",
        rows=rows,
        unit_id=unit_id,
        unit_groups=unit_choices(session=db, actor=actor()),
    )


def _values(form: TariffForm) -> TariffValues:
    return TariffValues(
        unit_id=form.unit.data,  # validated: not None
        legal_section=LegalSection(form.legal_section.data),
        valid_from=form.valid_from.data,  # validated: required
        valid_to=form.valid_to.data,
        daily_amount=form.daily_amount.data,  # type: ignore[arg-type] # validated: required
        level=form.level.data or "",
        occupancy_basis=form.occupancy_basis.data,
    )


def _save_tariff(
    form: FlaskForm, save: Callable[[], Tariff], *, fallback: str = "valid_from"
) -> ResponseReturnValue | None:
    """Save a tariff form; then the tariff list of its unit (see `save_form`)."""
    return save_form(
        form,
        save,
        saved=_("Taksten er gemt."),
        next_url=lambda tariff: url_for("admin.tariffs", unit=tariff.unit_id),
        fallback=fallback,
    )


@requires(Permission.MANAGE_TARIFFS)
def create_tariff_page() -> ResponseReturnValue:
    """Add a tariff; `?unit=<id>` preselects the unit."""
    db = get_session()
    initial: dict[str, Any] = {"unit": request.args.get("unit", type=int)}
    form = TariffForm(
        units=unit_choices(session=db, actor=actor()),
        data=initial if request.method == "GET" else None,
    )
    if form.validate_on_submit():
        response = _save_tariff(
            form, lambda: create_tariff(session=db, actor=actor(), values=_values(form))
        )
        if response is not None:
            return response
    return render_template("admin/tariff_form.html", form=form, tariff=None)


@requires(Permission.MANAGE_TARIFFS)
def edit_tariff(tariff_id: int) -> ResponseReturnValue:
    """Change a tariff's unit, section, level, period, amount or occupancy basis."""
    db = get_session()
    tariff = get_tariff(session=db, tariff_id=tariff_id, actor=actor())
    initial = {
        "unit": tariff.unit_id,
        "legal_section": tariff.legal_section.value,
        "valid_from": tariff.valid_from,
        "valid_to": tariff.valid_to,
        "daily_amount": tariff.daily_amount,
        "level": tariff.level,
        "occupancy_basis": tariff.occupancy_basis,
        "version": tariff.version,
    }
    form = TariffEditForm(
        units=unit_choices(session=db, actor=actor()),
        data=initial if request.method == "GET" else None,
    )
    if form.validate_on_submit():
        response = _save_tariff(
            form,
            lambda: update_tariff(
                session=db,
                actor=actor(),
                tariff_id=tariff_id,
                version=form.version.data,
                values=_values(form),
            ),
        )
        if response is not None:
            return response
    return render_template("admin/tariff_form.html", form=form, tariff=tariff)


@requires(Permission.MANAGE_TARIFFS)
def end_tariff_page(tariff_id: int) -> ResponseReturnValue:
    """End a tariff: set its last valid day."""
    db = get_session()
    tariff = get_tariff(session=db, tariff_id=tariff_id, actor=actor())
    initial = {"valid_to": tariff.valid_to, "version": tariff.version}
    form = TariffEndForm(data=initial if request.method == "GET" else None)
    unit = get_unit(session=db, unit_id=tariff.unit_id, actor=actor())
    if form.validate_on_submit():
        response = _save_tariff(
            form,
            lambda: end_tariff(
                session=db,
                actor=actor(),
                tariff_id=tariff_id,
                version=form.version.data,
                valid_to=form.valid_to.data,  # validated: required
            ),
            fallback="valid_to",
        )
        if response is not None:
            return response
    return render_template("admin/tariff_end.html", form=form, tariff=tariff, unit=unit)
