"""The action plan's purposes of a stay (`citizens` blueprint): list and add, correct, remove.

Registered on the blueprint in `views.py`. Only users who may edit the stay reach these pages
(`del_tool.citizens.purposes` checks the stay's unit is in scope); every page logs the read.
"""

from __future__ import annotations

from flask import render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from del_tool.auth.permissions import Permission, requires
from del_tool.citizens import purposes
from del_tool.citizens.access import get_citizen, get_stay
from del_tool.citizens.models import Stay
from del_tool.citizens.purpose_forms import PurposeForm, RemovePurposeForm
from del_tool.citizens.viewhelpers import current_actor, log_read
from del_tool.db import get_session
from del_tool.goals.models import Theme
from del_tool.saving import save_form

#: The prefix of the removal form's fields (it shares the edit page with the edit form).
REMOVE = "remove"


def _data(form: PurposeForm) -> purposes.PurposeData:
    return purposes.PurposeData(
        text=form.text.data or "", theme=Theme(form.theme.data) if form.theme.data else None
    )


def _list_url(stay_id: int) -> str:
    return url_for("citizens.stay_purposes", stay_id=stay_id)


@requires(Permission.EDIT_CITIZENS)
def stay_purposes(stay_id: int) -> ResponseReturnValue:
    """The stay's purposes, with their linked goals counted, and the form for a new one."""
    db = get_session()
    actor = current_actor()
    get_stay(db, actor, stay_id)
    form = PurposeForm()
    if form.validate_on_submit():
        response = save_form(
            form,
            lambda: purposes.add_purpose(
                session=db, actor=actor, stay_id=stay_id, data=_data(form)
            ),
            saved=_("Formålet er tilføjet."),
            next_url=_list_url(stay_id),
        )
        if response is not None:
            return response
    stay = get_stay(db, actor, stay_id)
    rows = [
        (p, purposes.linked_goal_count(db, p.id or 0))
        for p in purposes.purposes_of_stay(db, stay_id)
    ]
    return _page("citizens/purposes.html", stay, form=form, rows=rows)


@requires(Permission.EDIT_CITIZENS)
def edit_purpose(purpose_id: int) -> ResponseReturnValue:
    """Correct a purpose (optimistic locking); the page also offers its removal."""
    db = get_session()
    actor = current_actor()
    purpose = purposes.get_purpose(db, actor, purpose_id)
    stay_id = purpose.stay_id
    form = PurposeForm(obj=purpose)
    if form.validate_on_submit():
        response = save_form(
            form,
            lambda: purposes.update_purpose(
                session=db,
                actor=actor,
                purpose_id=purpose_id,
                data=_data(form),
                version=form.version.data,
            ),
            saved=_("Formålet er gemt."),
            next_url=_list_url(stay_id),
        )
        if response is not None:
            return response
    return _edit_page(purpose_id, form, RemovePurposeForm(obj=purpose, prefix=REMOVE))


@requires(Permission.EDIT_CITIZENS)
def remove_purpose(purpose_id: int) -> ResponseReturnValue:
    """Remove a purpose; refused (shown on the edit page) while goals link to it."""
    db = get_session()
    actor = current_actor()
    purpose = purposes.get_purpose(db, actor, purpose_id)
    stay_id = purpose.stay_id
    remove = RemovePurposeForm(prefix=REMOVE)
    if remove.validate_on_submit():
        response = save_form(
            remove,
            lambda: purposes.remove_purpose(
                session=db, actor=actor, purpose_id=purpose_id, version=remove.version.data
            ),
            saved=_("Formålet er fjernet."),
            next_url=_list_url(stay_id),
        )
        if response is not None:
            return response
    return _edit_page(purpose_id, PurposeForm(obj=purpose), remove)


def _edit_page(
    purpose_id: int, form: PurposeForm, remove: RemovePurposeForm
) -> ResponseReturnValue:
    db = get_session()
    actor = current_actor()
    purpose = purposes.get_purpose(db, actor, purpose_id)
    stay = get_stay(db, actor, purpose.stay_id)
    if remove.version.data is None:
        remove.version.data = purpose.version
    return _page(
        "citizens/purpose_form.html",
        stay,
        form=form,
        remove=remove,
        purpose=purpose,
        linked=purposes.linked_goal_count(db, purpose_id),
    )


def _page(template: str, stay: Stay, **context: object) -> ResponseReturnValue:
    """Show a purpose page (the read is logged) with the citizen and stay."""
    db = get_session()
    actor = current_actor()
    log_read(db, actor=actor, action="view", citizen_id=stay.citizen_id, detail="stay purposes")
    citizen = get_citizen(db, actor, stay.citizen_id)
    return render_template(template, citizen=citizen, stay=stay, **context)
