"""A new follow-up's form follows its date without losing what was entered.

Which goals and questionnaires the form has depends on the date (goals active then, the stay
then). The form carries the date it was drawn for (`shown_date`) and a key of what it holds
(`layout`); a POST whose date draws another form, or that presses "refresh", shows the form for
the new date again instead of saving, with every answer kept. Answers to goals or questionnaires
the new date lacks travel along as hidden fields, so changing the date back brings them back.
"""

from __future__ import annotations

import re
from datetime import date

from werkzeug.datastructures import MultiDict
from wtforms import Form

from del_tool.followups.context import FollowUpContext
from del_tool.forms import EARLIEST_DATE
from del_tool.modelbase import local_today

#: A field of a goal review or a questionnaire: goal_<id>-<name>, q_<id>-<item>.
_CARRIED_NAME = re.compile(r"(goal_[0-9]{1,18}|q_[a-z0-9_]{1,64})-[a-z0-9_]{1,64}")
#: At most this many fields (and characters each) travel along; more is not a real form.
_CARRIED_MAX = 400
_CARRIED_CHARS = 5000


def posted_day(raw: str | None) -> date | None:
    """A posted ISO date DEL accepts for a follow-up (1980 to today), else None."""
    try:
        day = date.fromisoformat(raw or "")
    except ValueError:
        return None
    return day if EARLIEST_DATE <= day <= local_today() else None


def layout_key(context: FollowUpContext) -> str:
    """What the form for this context holds: its goals and questionnaire versions."""
    goals = ",".join(str(goal.id) for goal in context.goals)
    definitions = ",".join(f"{d.id}:{d.version}" for d in context.definitions)
    return f"{goals}|{definitions}"


def _field_names(form: Form) -> set[str]:
    names = set()
    for field in form:
        names.add(field.name)
        nested = getattr(field, "form", None)
        if nested is not None:
            names.update(sub.name for sub in nested)
    return names


def carried_fields(form: Form, posted: MultiDict[str, str]) -> list[tuple[str, str]]:
    """The posted answers to goals and questionnaires this form does not hold, in order."""
    names = _field_names(form)
    carried: list[tuple[str, str]] = []
    for name in posted:
        if name in names or not _CARRIED_NAME.fullmatch(name):
            continue
        carried.extend((name, value[:_CARRIED_CHARS]) for value in posted.getlist(name))
    return carried[:_CARRIED_MAX]
