"""Goal forms: create/edit with the direction rule beside the target level, and close."""

from __future__ import annotations

import math
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError

from del_tool.forms import (
    PLANNING_HORIZON,
    DateRange,
    DelForm,
    LocalFloatField,
    VersionField,
    date_field,
    optional_int,
    select_choices,
    text_field,
)
from del_tool.goals.models import GoalDirection, GoalStatus, Theme, level_labels
from del_tool.goals.rules import direction_problem

#: The GAS fields, worst to best, with their score.
GAS_FIELDS = (
    ("gas_minus2", -2),
    ("gas_minus1", -1),
    ("gas_zero", 0),
    ("gas_plus1", 1),
    ("gas_plus2", 2),
)


_DIRECTIONS = frozenset(d.value for d in GoalDirection)


def level_choices() -> list[SelectChoice]:
    """The 0-4 functioning levels as radio choices."""
    return select_choices(level_labels().items())


def _gas_field(label: Any) -> StringField:
    return text_field(label, max_chars=500)


class GoalForm(DelForm):
    """A goal: theme, title, description, direction, levels, optional GAS texts, weight, dates."""

    theme = SelectField(
        _l("Tema"), choices=Theme.choices, validators=[InputRequired(_l("Vælg tema."))]
    )
    title = text_field(_l("Mål"), required=_l("Skriv målet."), max_chars=200)
    description = text_field(_l("Beskrivelse (valgfri)"), max_chars=4000, multiline=True)
    direction = RadioField(
        _l("Måltype"),
        choices=GoalDirection.choices,
        validators=[InputRequired(_l("Vælg måltype."))],
    )
    baseline_level = RadioField(
        _l("Udgangsniveau (nu)"),
        choices=level_choices,
        coerce=int,
        validators=[InputRequired(_l("Vælg udgangsniveau."))],
    )
    target_level = RadioField(
        _l("Målniveau"),
        choices=level_choices,
        coerce=int,
        validators=[InputRequired(_l("Vælg målniveau."))],
    )
    gas_minus2 = _gas_field(_l("-2: Meget mindre end forventet"))
    gas_minus1 = _gas_field(_l("-1: Mindre end forventet"))
    gas_zero = _gas_field(_l("0: Forventet resultat"))
    gas_plus1 = _gas_field(_l("+1: Mere end forventet"))
    gas_plus2 = _gas_field(_l("+2: Meget mere end forventet"))
    weight = LocalFloatField(
        _l("Vægt"),
        default=1.0,
        validators=[InputRequired(_l("Skriv en vægt mellem 0,1 og 10."))],
        render_kw={"inputmode": "decimal"},
    )
    start_date = date_field(_l("Startdato"), InputRequired(_l("Skriv startdatoen.")), DateRange())
    review_date = date_field(
        _l("Revurderes senest (valgfri)"), Optional(), DateRange(ahead=PLANNING_HORIZON)
    )
    purpose_id = SelectField(
        _l("Formål i handleplanen"),
        coerce=optional_int,
        choices=lambda: select_choices([("", _("Intet formål valgt"))]),
        validate_choice=False,  # the service checks that the purpose is one of the goal's stay
        invalid_value_message=_l("Vælg et formål fra listen."),
    )
    version = VersionField()

    def set_purposes(self, purposes: list[tuple[int, str]]) -> None:
        """Offer the purposes of the action plan (id, label) the goal may serve."""
        self.purpose_id.choices = select_choices([("", _("Intet formål valgt")), *purposes])

    def validate_target_level(self, field: Field) -> None:
        """The target fits the direction (develop: better, maintain: equal, limit: no better)."""
        direction, baseline = self.direction.data, self.baseline_level.data
        if field.data is None or baseline is None or direction not in _DIRECTIONS:
            return
        problem = direction_problem(GoalDirection(direction), baseline, field.data)
        if problem is not None:
            raise ValidationError(str(problem))

    def validate_weight(self, field: Field) -> None:
        """A finite number above 0 and at most 10."""
        if field.data is not None and not (math.isfinite(field.data) and 0 < field.data <= 10):
            raise ValidationError(_("Skriv en vægt mellem 0,1 og 10."))

    def validate_review_date(self, field: Field) -> None:
        """Not before the start date."""
        start = self.start_date.data
        if field.data is not None and start is not None and field.data < start:
            raise ValidationError(_("Revurderingsdatoen må ikke være før startdatoen."))

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields, then: with any GAS text, the expected outcome (0) must be described."""
        valid = super().validate(extra_validators)
        others = [self[name].data for name, score in GAS_FIELDS if score != 0]
        if not self.gas_zero.data and any(others):
            message = _("Beskriv det forventede resultat (0), når du bruger GAS.")
            self.gas_zero.errors = [*self.gas_zero.errors, message]
            return False
        return valid


class CloseGoalForm(DelForm):
    """End a goal: achieved or ended, on a date."""

    status = RadioField(
        _l("Hvordan slutter målet?"),
        choices=lambda: select_choices(
            [
                (GoalStatus.ACHIEVED.value, GoalStatus.ACHIEVED.label),
                (GoalStatus.ENDED.value, _l("Afsluttet uden at være nået")),
            ]
        ),
        validators=[InputRequired(_l("Vælg, hvordan målet slutter."))],
    )
    closed_on = date_field(_l("Dato"), InputRequired(_l("Skriv datoen.")), DateRange())
    version = VersionField()
