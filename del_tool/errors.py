"""The two ways a service refuses a change that passed its form: a broken rule, a stale form.

Every form view handles them the same way (`del_tool.saving.save_form`): a `RuleError` becomes an
error beside the named form field, a `ConflictError` the conflict message; neither ever reaches
the user as a 500. Access errors (403, 404) live in `del_tool.auth.access`.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

#: Shown when a form was loaded before someone else saved the same record.
CONFLICT_MESSAGE = _l(
    "Posten er ændret af en anden, siden du åbnede den. Intet er gemt. "
    "Siden viser nu den gemte udgave; indtast dine ændringer igen."
)


class RuleError(ValueError):
    """Input that passed the form breaks a rule (overlap, dates, scope); shown beside `field`.

    `field` is a form field name ("goal_5.level" names a nested one); `message` stays lazy, so it
    is translated where it is shown.
    """

    def __init__(self, field: str, message: Any) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ConflictError(RuntimeError):
    """The record changed since the form was loaded (optimistic locking); nothing was written."""
