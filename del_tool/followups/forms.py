"""The follow-up form, built per citizen and date from their goals and the unit's questionnaires.

`followup_form_class` returns a FlaskForm class with one nested review form per goal
(`goal_<id>`) and one generated assessment form per questionnaire (`q_<id>`, from
`del_tool.questionnaires.forms.assessment_form_class`). A questionnaire left completely
unanswered is "not done this time": its required items do not block saving.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, FormField, HiddenField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError

from del_tool.followups.models import FollowUpKind
from del_tool.forms import (
    DateRange,
    DelForm,
    DelSubForm,
    VersionField,
    date_field,
    optional_int,
    select_choices,
    text_field,
)
from del_tool.goals.models import Goal
from del_tool.questionnaires import QuestionnaireDefinition
from del_tool.questionnaires.forms import AssessmentForm, assessment_form_class

NOTE_MAX = 4000
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
GOAL_PREFIX = "goal_"
QUESTIONNAIRE_PREFIX = "q_"

LEVEL_SHORT = {
    0: _l("0 Ingen"),
    1: _l("1 Let"),
    2: _l("2 Moderat"),
    3: _l("3 Svær"),
    4: _l("4 Fuldstændig"),
}
RATING_LABELS = {1: _l("1 Meget dårligt"), 5: _l("5 Meget godt")}
MOTIVATION_LABELS = {1: _l("1 Ingen motivation"), 5: _l("5 Meget motiveret")}


def _scale_choices(anchors: dict[int, Any]) -> list[SelectChoice]:
    """1-5 with labelled ends, plus "not stated"."""
    return select_choices(
        [*((value, anchors.get(value, value)) for value in range(1, 6)), ("", _("Ikke besvaret"))]
    )


def _signed(score: int) -> str:
    """GAS scores as written: -2, -1, 0, +1, +2."""
    return f"{score:+d}" if score else "0"


def _gas_choices(goal: Goal) -> list[SelectChoice]:
    texts = (
        (-2, goal.gas_minus2),
        (-1, goal.gas_minus1),
        (0, goal.gas_zero),
        (1, goal.gas_plus1),
        (2, goal.gas_plus2),
    )
    return select_choices(
        [
            *(
                (score, f"{_signed(score)}: {text}" if text else _signed(score))
                for score, text in texts
            ),
            ("", _("Ikke vurderet")),
        ]
    )


def review_form_class(goal: Goal) -> type[DelSubForm]:
    """The review of one goal: level (required), GAS where defined, rating, motivation, note."""
    attrs: dict[str, Any] = {
        "level": RadioField(
            _l("Funktionsevneniveau nu"),
            choices=lambda: select_choices(LEVEL_SHORT.items()),
            coerce=optional_int,
            validators=[InputRequired(_l("Vælg niveauet for målet."))],
        ),
        "citizen_rating": RadioField(
            _l("Borgerens egen vurdering af, hvordan det går"),
            choices=lambda: _scale_choices(RATING_LABELS),
            coerce=optional_int,
            validators=[Optional()],
            default="",
        ),
        "motivation": RadioField(
            _l("Borgerens motivation"),
            choices=lambda: _scale_choices(MOTIVATION_LABELS),
            coerce=optional_int,
            validators=[Optional()],
            default="",
        ),
        "note": text_field(_l("Notat til målet (valgfrit)"), max_chars=NOTE_MAX, multiline=True),
    }
    if goal.has_gas:
        attrs["gas_score"] = RadioField(
            _l("GAS-score"),
            choices=_gas_choices(goal),
            coerce=optional_int,
            validators=[Optional()],
            default="",
        )
    return type(f"GoalReviewForm_{goal.id}", (DelSubForm,), attrs)


class FollowUpForm(DelForm):
    """The fixed part of a follow-up: date, kind, note, the one-time token and the version."""

    followup_date = date_field(
        _l("Dato for opfølgningen"), InputRequired(_l("Skriv datoen.")), DateRange()
    )
    kind = RadioField(
        _l("Type"),
        choices=FollowUpKind.choices,
        validators=[InputRequired(_l("Vælg typen af opfølgning."))],
    )
    note = text_field(_l("Samlet notat (valgfrit)"), max_chars=NOTE_MAX, multiline=True)
    submission_token = HiddenField()
    version = VersionField()

    def validate_submission_token(self, field: Field) -> None:
        """A token as the form was given it (only checked when one is posted)."""
        if field.data and not TOKEN_PATTERN.match(field.data):
            raise ValidationError(_("Formularen er ugyldig. Indlæs siden igen."))

    def goal_forms(self) -> Iterator[tuple[int, FormField]]:
        """(goal id, nested review field) in form order."""
        for name, field in self._fields.items():
            if name.startswith(GOAL_PREFIX):
                yield int(name.removeprefix(GOAL_PREFIX)), field

    def assessment_forms(self) -> Iterator[AssessmentForm]:
        """The nested assessment forms in form order."""
        for name, field in self._fields.items():
            if name.startswith(QUESTIONNAIRE_PREFIX):
                yield field.form

    def validate(self, extra_validators: Any = None) -> bool:
        """Validate; a questionnaire with nothing posted is not done, so its errors are dropped."""
        valid = super().validate(extra_validators)
        if valid:
            return True
        for subform in self.assessment_forms():
            if not _has_posted_answer(subform):
                for field in subform:
                    field.errors = []
        return not self.errors


def _has_posted_answer(form: AssessmentForm) -> bool:
    return any(field.raw_data and field.raw_data[0] != "" for field in form)


def followup_form_class(
    goals: Sequence[Goal], definitions: Sequence[QuestionnaireDefinition], lang: str
) -> type[FollowUpForm]:
    """A follow-up form for these goals and questionnaires (labels in `lang`)."""
    attrs: dict[str, Any] = {}
    for goal in goals:
        attrs[f"{GOAL_PREFIX}{goal.id}"] = FormField(review_form_class(goal), label=goal.title)
    for definition in definitions:
        attrs[f"{QUESTIONNAIRE_PREFIX}{definition.id}"] = FormField(
            assessment_form_class(definition, lang=lang), label=definition.title(lang)
        )
    return type("FollowUpFormFor", (FollowUpForm,), attrs)
