"""Price index, places and settlement pages; routed in `del_tool.admin.views`.

The price index and settlements are economy data, kept by those who keep the tariffs
(Permission.MANAGE_TARIFFS: administrators and analysts); a unit's places belong with the unit's
page (Permission.MANAGE_ORGANISATION). Thin views: validate, `save_form` calls a service,
commits once, flashes and redirects; a RuleError is shown beside its field.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from del_tool.admin.economy import (
    SettlementValues,
    add_places,
    create_index,
    create_settlement,
    get_index,
    get_settlement,
    list_index,
    list_settlements,
    unit_places,
    update_index,
    update_settlement,
)
from del_tool.admin.economy_forms import (
    PlacesForm,
    PriceIndexEditForm,
    PriceIndexForm,
    SettlementEditForm,
    SettlementForm,
)
from del_tool.admin.organisation import get_unit, municipality_choices, unit_choices
from del_tool.admin.pages import actor
from del_tool.auth.permissions import Permission, requires
from del_tool.db import get_session
from del_tool.saving import save_form


@requires(Permission.MANAGE_TARIFFS)
def price_index() -> ResponseReturnValue:
    """Every year's price and wage index."""
    rows = list_index(session=get_session(), actor=actor())
    return render_template("admin/price_index.html", rows=rows)


@requires(Permission.MANAGE_TARIFFS)
def create_price_index() -> ResponseReturnValue:
    """Add a year's index."""
    db = get_session()
    form = PriceIndexForm()
    if form.validate_on_submit():
        response = save_form(
            form,
            lambda: create_index(
                session=db,
                actor=actor(),
                year=form.year.data,  # validated: required
                percent=form.percent.data,  # type: ignore[arg-type] # validated: required
                note=form.note.data,
            ),
            saved=_("Indekset er gemt."),
            next_url=url_for("admin.price_index"),
            fallback="year",
        )
        if response is not None:
            return response
    return render_template("admin/price_index_form.html", form=form, row=None)


@requires(Permission.MANAGE_TARIFFS)
def edit_price_index(year: int) -> ResponseReturnValue:
    """Change a year's index: its year, percent or note."""
    db = get_session()
    row = get_index(session=db, year=year)
    initial = {"year": row.year, "percent": row.percent, "note": row.note, "version": row.version}
    form = PriceIndexEditForm(data=initial if request.method == "GET" else None)
    if form.validate_on_submit():
        response = save_form(
            form,
            lambda: update_index(
                session=db,
                actor=actor(),
                year=year,
                version=form.version.data,
                new_year=form.year.data,  # validated: required
                percent=form.percent.data,  # type: ignore[arg-type] # validated: required
                note=form.note.data,
            ),
            saved=_("Indekset er gemt."),
            next_url=url_for("admin.price_index"),
            fallback="year",
        )
        if response is not None:
            return response
    return render_template("admin/price_index_form.html", form=form, row=row)


@requires(Permission.MANAGE_ORGANISATION)
def places(unit_id: int) -> ResponseReturnValue:
    """A unit's places over time, and a form to add a change from a day on."""
    db = get_session()
    unit = get_unit(session=db, unit_id=unit_id, actor=actor())
    form = PlacesForm()
    if form.validate_on_submit():
        response = save_form(
            form,
            lambda: add_places(
                session=db,
                actor=actor(),
                unit_id=unit_id,
                valid_from=form.valid_from.data,  # validated
                places=form.places.data,  # validated: required
            ),
            saved=_("Ændringen af pladserne er gemt."),
            next_url=url_for("admin.edit_unit", unit_id=unit_id),
            fallback="valid_from",
        )
        if response is not None:
            return response
    history = unit_places(session=db, unit_id=unit_id)
    return render_template("admin/places_form.html", form=form, unit=unit, history=history)


@requires(Permission.MANAGE_TARIFFS)
def settlements() -> ResponseReturnValue:
    """Year-end settlements; `?unit=<id>` shows one unit's."""
    db = get_session()
    unit_id = request.args.get("unit", type=int)
    rows = list_settlements(session=db, actor=actor(), unit_id=unit_id)
    return render_template(
        "admin/settlements.html",
        rows=rows,
        unit_id=unit_id,
        unit_groups=unit_choices(session=db, actor=actor()),
    )


def _settlement_values(form: SettlementForm) -> SettlementValues:
    return SettlementValues(
        unit_id=form.unit.data,  # validated: not None
        municipality_code=form.municipality.data,  # validated
        year=form.year.data,  # validated: required
        amount=form.amount.data,  # type: ignore[arg-type] # validated: required
        note=form.note.data,
    )


def _choices() -> dict[str, Any]:
    db = get_session()
    return {
        "units": unit_choices(session=db, actor=actor()),
        "municipalities": municipality_choices(session=db),
    }


def _save_settlement(form: SettlementForm, save: Any) -> ResponseReturnValue | None:
    return save_form(
        form,
        save,
        saved=_("Efterreguleringen er gemt."),
        next_url=lambda row: url_for("admin.settlements", unit=row.unit_id),
        fallback="year",
    )


@requires(Permission.MANAGE_TARIFFS)
def create_settlement_page() -> ResponseReturnValue:
    """Add a settlement; `?unit=<id>` preselects the unit."""
    db = get_session()
    initial: dict[str, Any] = {"unit": request.args.get("unit", type=int)}
    form = SettlementForm(**_choices(), data=initial if request.method == "GET" else None)
    if form.validate_on_submit():
        response = _save_settlement(
            form,
            lambda: create_settlement(session=db, actor=actor(), values=_settlement_values(form)),
        )
        if response is not None:
            return response
    return render_template("admin/settlement_form.html", form=form, row=None)


@requires(Permission.MANAGE_TARIFFS)
def edit_settlement(settlement_id: int) -> ResponseReturnValue:
    """Change a settlement's unit, municipality, year, amount or note."""
    db = get_session()
    row = get_settlement(session=db, settlement_id=settlement_id, actor=actor())
    initial = {
        "unit": row.unit_id,
        "municipality": row.municipality_code,
        "year": row.year,
        "amount": row.amount,
        "note": row.note,
        "version": row.version,
    }
    form = SettlementEditForm(**_choices(), data=initial if request.method == "GET" else None)
    if form.validate_on_submit():
        response = _save_settlement(
            form,
            lambda: update_settlement(
                session=db,
                actor=actor(),
                settlement_id=settlement_id,
                version=form.version.data,
                values=_settlement_values(form),
            ),
        )
        if response is not None:
            return response
    return render_template("admin/settlement_form.html", form=form, row=row)
