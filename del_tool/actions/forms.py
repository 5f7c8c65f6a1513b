"""Forms for an action, its follow-up (done, dropped, open again) and the action log's filter."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, SelectField
from wtforms.validators import InputRequired, Optional, ValidationError

from del_tool.actions.models import ActionStatus
from del_tool.actions.services import OWNER_MAX, WHAT_MAX
from del_tool.forms import DelForm, VersionField, date_field, select_choices, text_field
from del_tool.modelbase import local_today


def _not_past(_form: Any, field: Any) -> None:
    if field.data is not None and field.data < local_today() and field.data != field.object_data:
        raise ValidationError(_l("Fristen kan ikke ligge før i dag."))


class ActionForm(DelForm):
    """What will change, who owns it, by when, and whether the council may see it."""

    # DEL's free-text fields: cleaned, at most so many characters, no CPR-shaped numbers
    # (the council sees shared actions' text).
    what = text_field(
        _l("Hvad vil I ændre?"),
        max_chars=WHAT_MAX,
        required=_l("Skriv, hvad der skal ændres."),
        multiline=True,
    )
    owner = text_field(
        _l("Ansvarlig"), max_chars=OWNER_MAX, required=_l("Skriv, hvem der er ansvarlig.")
    )
    due_date = date_field(_l("Frist"), InputRequired(_l("Skriv en frist.")), _not_past)
    shared_with_council = BooleanField(_l("Del med kommunalbestyrelsen i rådspakken"))
    version = VersionField()


class SourceForm(DelForm):
    """The report figure a new action is recorded from (hidden; the server rereads the build)."""

    kind = HiddenField()
    scope = HiddenField()
    period = HiddenField()
    section = HiddenField()
    figure = HiddenField()
    table = HiddenField()
    row = HiddenField()

    class Meta(DelForm.Meta):
        """No CSRF of its own: it is read together with `ActionForm`."""

        csrf = False


class StatusForm(DelForm):
    """Mark an action done (with what came of it), dropped, or open again."""

    status = RadioField(
        _l("Status"),
        choices=ActionStatus.choices,
        validators=[InputRequired(_l("Vælg status."))],
    )
    outcome_note = text_field(_l("Hvad kom der ud af det?"), max_chars=WHAT_MAX, multiline=True)
    version = VersionField()

    def validate_outcome_note(self, field: Any) -> None:
        """Done needs an outcome note."""
        if self.status.data == ActionStatus.DONE.value and not (field.data or "").strip():
            raise ValidationError(_l("Skriv, hvad der kom ud af handlingen."))


STATUS_FILTERS = ("open", "overdue", "done", "dropped")


class LogFilterForm(DelForm):
    """The action log's filter: a unit or centre, and a status."""

    where = SelectField(_l("Tilbud eller center"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])

    class Meta(DelForm.Meta):
        """A GET form."""

        csrf = False

    def __init__(self, *args: Any, places: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.where.choices = select_choices([("", str(_l("Alle"))), *places])
        labels = {
            "open": _l("Åbne"),
            "overdue": _l("Forsinkede (åbne, fristen er overskredet)"),
            "done": _l("Gennemførte"),
            "dropped": _l("Opgivne"),
        }
        self.status.choices = select_choices(
            [("", str(_l("Alle"))), *((k, str(labels[k])) for k in STATUS_FILTERS)]
        )
