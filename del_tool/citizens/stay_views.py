"""The stay pages of the `citizens` blueprint: add, correct, end and move a stay.

Registered on the blueprint in `views.py`. Each change goes through `del_tool.citizens.services`,
which checks that the stay's unit (and a new unit) is in the user's scope.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlmodel import Session

from del_tool.auth.permissions import Permission, requires
from del_tool.citizens import services
from del_tool.citizens.access import Actor, get_citizen, get_stay, units_in_scope
from del_tool.citizens.forms import (
    EndStayForm,
    MoveStayForm,
    NewCitizenForm,
    StayFields,
    StayForm,
)
from del_tool.citizens.viewhelpers import (
    contact_choices,
    current_actor,
    log_read,
    municipality_choices,
    unit_choices,
)
from del_tool.db import get_session
from del_tool.forms import DelForm
from del_tool.modelbase import local_today
from del_tool.organisation.models import LegalSection
from del_tool.saving import save_form


def stay_data(form: StayForm | NewCitizenForm | MoveStayForm) -> services.StayData:
    """The stay fields of a valid form as the services take them."""
    end = getattr(form, "end_date", None)
    return services.StayData(
        unit_id=form.unit_id.data,
        municipality_code=form.municipality_code.data or "",
        legal_section=LegalSection(form.legal_section.data),
        start_date=form.start_date.data,
        end_date=end.data if end is not None else None,
        contact_user_id=form.contact_user_id.data,
    )


def stay_choices() -> dict[str, list]:
    """The unit, contact person (both in the user's scope) and municipality choices."""
    db = get_session()
    units = units_in_scope(db, current_actor())
    return {
        "units": unit_choices(units),
        "municipalities": municipality_choices(db),
        "contacts": contact_choices(db, units),
    }


@requires(Permission.EDIT_CITIZENS)
def add_stay(citizen_id: int) -> ResponseReturnValue:
    """A new stay for a citizen in scope."""
    db = get_session()
    actor = current_actor()
    get_citizen(db, actor, citizen_id)
    form = StayForm(**stay_choices())
    if form.validate_on_submit():
        response = save_form(
            form,
            lambda: services.add_stay(
                session=db, actor=actor, citizen_id=citizen_id, stay=stay_data(form)
            ),
            saved=_("Opholdet er oprettet."),
            next_url=url_for("citizens.profile", citizen_id=citizen_id),
        )
        if response is not None:
            return response
    return _stay_page("citizens/stay_form.html", form, citizen_id=citizen_id, stay_id=None)


@requires(Permission.EDIT_CITIZENS)
def edit_stay(stay_id: int) -> ResponseReturnValue:
    """Correct a stay (optimistic locking)."""

    def save(db: Session, actor: Actor, form: StayForm) -> object:
        """Store the corrected stay."""
        return services.update_stay(
            session=db,
            actor=actor,
            stay_id=stay_id,
            data=stay_data(form),
            version=form.version.data,
        )

    return _stay_change(stay_id, StayForm, "citizens/stay_form.html", save)


@requires(Permission.EDIT_CITIZENS)
def move_stay(stay_id: int) -> ResponseReturnValue:
    """End a stay and start the next one in another unit (or under another section)."""

    def save(db: Session, actor: Actor, form: MoveStayForm) -> object:
        """End the stay and start the new one."""
        return services.move_stay(
            session=db,
            actor=actor,
            stay_id=stay_id,
            new_stay=stay_data(form),
            version=form.version.data,
        )

    return _stay_change(stay_id, MoveStayForm, "citizens/move_form.html", save)


def _stay_change(
    stay_id: int, form_class: type[StayFields], template: str, save: Callable[..., object]
) -> ResponseReturnValue:
    """The shared flow of the stay forms: load in scope, validate, save, or show the form."""
    db = get_session()
    actor = current_actor()
    stay = get_stay(db, actor, stay_id)
    citizen_id = stay.citizen_id
    form = form_class(obj=stay, **stay_choices())
    if isinstance(form, MoveStayForm) and request.method == "GET":
        form.start_date.data = None
    if form.validate_on_submit():
        response = save_form(
            form,
            lambda: save(db, actor, form),
            saved=_("Opholdet er gemt."),
            next_url=url_for("citizens.profile", citizen_id=citizen_id),
        )
        if response is not None:
            return response
    return _stay_page(template, form, citizen_id=citizen_id, stay_id=stay_id)


@requires(Permission.EDIT_CITIZENS)
def end_stay(stay_id: int) -> ResponseReturnValue:
    """End a stay on a date; its active goals end with it."""
    db = get_session()
    actor = current_actor()
    stay = get_stay(db, actor, stay_id)
    citizen_id = stay.citizen_id
    form = EndStayForm(obj=stay)
    if request.method == "GET" and form.end_date.data is None:
        form.end_date.data = local_today()
    if form.validate_on_submit():
        response = save_form(
            form,
            lambda: services.end_stay(
                session=db,
                actor=actor,
                stay_id=stay_id,
                end_date=form.end_date.data,
                version=form.version.data,
            ),
            saved=_("Opholdet er afsluttet."),
            next_url=url_for("citizens.profile", citizen_id=citizen_id),
        )
        if response is not None:
            return response
    return _stay_page("citizens/end_stay.html", form, citizen_id=citizen_id, stay_id=stay_id)


def _stay_page(
    template: str, form: DelForm, *, citizen_id: int, stay_id: int | None
) -> ResponseReturnValue:
    """Show a stay form (the read is logged), with the citizen and stay as stored now."""
    db = get_session()
    actor = current_actor()
    log_read(db, actor=actor, action="view", citizen_id=citizen_id, detail="stay form")
    stay = get_stay(db, actor, stay_id) if stay_id is not None else None
    citizen = get_citizen(db, actor, citizen_id)
    return render_template(template, form=form, citizen=citizen, stay=stay)
