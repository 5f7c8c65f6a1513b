"""The merge pages of the `citizens` blueprint (leaders): find the other record, compare, merge.

Registered on the blueprint in `views.py`. GET pages only read (and log the reads); the merge
itself is a POST with CSRF, through `del_tool.citizens.merge`.
"""

from __future__ import annotations

from flask import render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms.validators import InputRequired

from del_tool.auth.permissions import Permission, requires
from del_tool.citizens.access import get_citizen
from del_tool.citizens.duplicates import similar_in_scope
from del_tool.citizens.merge import merge_citizens
from del_tool.citizens.models import Citizen
from del_tool.citizens.profile import load_profile
from del_tool.citizens.viewhelpers import current_actor, log_read
from del_tool.db import get_session
from del_tool.forms import DelForm, VersionField
from del_tool.modelbase import local_today
from del_tool.saving import save_form


class MergeForm(DelForm):
    """The confirmation of a merge, with the versions of both records as the page showed them."""

    keep_version = VersionField()
    other_version = VersionField()
    confirm = BooleanField(
        _l("Jeg har tjekket, at det er den samme person."),
        validators=[InputRequired(_l("Bekræft, at det er den samme person."))],
    )


@requires(Permission.MERGE_CITIZENS)
def merge(citizen_id: int) -> ResponseReturnValue:
    """The records in the leader's centre that may be the same person as this citizen."""
    db = get_session()
    actor = current_actor()
    citizen = _citizen(citizen_id)
    similar = similar_in_scope(db, actor, citizen.name, citizen.birth_year, exclude=citizen_id)
    log_read(db, actor=actor, action="search", citizen_id=citizen_id, detail="merge candidates")
    return render_template(
        "citizens/merge.html", citizen=citizen, similar=similar, today=local_today()
    )


def _citizen(citizen_id: int) -> Citizen:
    """The citizen in scope (403/404); whether it may be merged is for the POST to say."""
    return get_citizen(get_session(), current_actor(), citizen_id)


@requires(Permission.MERGE_CITIZENS)
def merge_confirm(citizen_id: int, other_id: int) -> ResponseReturnValue:
    """Both records side by side; the POST moves `other_id`'s records to `citizen_id`."""
    db = get_session()
    actor = current_actor()
    keep, other = _citizen(citizen_id), _citizen(other_id)
    form = MergeForm(data={"keep_version": keep.version, "other_version": other.version})
    if form.validate_on_submit():
        response = save_form(
            form,
            lambda: merge_citizens(
                session=db,
                actor=actor,
                keep_id=citizen_id,
                other_id=other_id,
                keep_version=form.keep_version.data,
                other_version=form.other_version.data,
            ),
            saved=_("Borgerne er lagt sammen. Den anden registrering fører nu hertil."),
            next_url=url_for("citizens.profile", citizen_id=citizen_id),
            fallback="confirm",
        )
        if response is not None:
            return response
    for shown in (citizen_id, other_id):
        log_read(db, actor=actor, action="view", citizen_id=shown, detail="merge comparison")
    profiles = [load_profile(session=db, actor=actor, citizen_id=i) for i in (citizen_id, other_id)]
    return render_template(
        "citizens/merge_confirm.html", form=form, profiles=profiles, today=local_today()
    )
