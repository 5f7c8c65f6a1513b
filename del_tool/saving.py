"""Saving a validated form: the one place where form views commit, refuse and answer a stale form.

Every form view in DEL, staff and administration alike, ends the same way once its form is
valid: call a service, commit once, and answer

- saved: flash the success message and redirect (Post/Redirect/Get);
- `RuleError`: roll back and put the message beside its field; the view shows the form again
  with what the user typed;
- a stale form (`ConflictError`, or `StaleDataError` when two saves race past the version
  check): roll back, flash the conflict message and redirect to the same page, whose GET shows
  the stored record with its current version. Nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash, redirect, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm.exc import StaleDataError
from wtforms import Form

from del_tool.citizens.chart_jobs import citizen_changed
from del_tool.db import get_session
from del_tool.errors import CONFLICT_MESSAGE, ConflictError, RuleError
from del_tool.forms import apply_rule_error

T = TypeVar("T")


def save_form(
    form: Form,
    save: Callable[[], T],
    *,
    saved: Any,
    next_url: str | Callable[[T], str],
    fallback: str | None = None,
) -> ResponseReturnValue | None:
    """Run `save` (a service call), commit, and answer as the module docstring says.

    `saved` is the success message; `next_url` is where to go then, or a function of what
    `save` returned (a new record's page). `fallback` names the field beside which a RuleError
    for a field the form lacks is shown. Returns the response to send, or None when the view
    should show the form again with its errors.
    """
    db = get_session()
    try:
        result = save()
        db.commit()
    except RuleError as error:
        db.rollback()
        apply_rule_error(form, error, fallback=fallback)
        return None
    except (ConflictError, StaleDataError):
        db.rollback()
        flash(str(CONFLICT_MESSAGE), "error")
        return redirect(request.path)
    citizen_id = (request.view_args or {}).get("citizen_id")
    if isinstance(citizen_id, int):
        citizen_changed(citizen_id)  # the profile's charts are redrawn by the worker
    flash(str(saved), "success")
    return redirect(next_url(result) if callable(next_url) else next_url)
