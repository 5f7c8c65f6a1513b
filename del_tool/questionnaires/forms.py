"""WTForms form classes generated from a definition: one radio group per item.

The generated form is a plain `wtforms.Form` (no CSRF of its own): the follow-up form nests it
with `FormField` inside its CSRF-protected `FlaskForm`, and it can be used on its own.

Missing answers: an item with ``required: true`` must be answered. Other items may be left out
(the form offers "Ikke besvaret", not answered); a scale with fewer answers than its
``min_answered`` then gets no score, and `AssessmentForm.unscored_scales` says which, so the page
can tell the user.
A posted value that is not one of the item's options is refused with an error beside the item.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from wtforms import Form, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from del_tool.questionnaires.definition import QuestionnaireDefinition
from del_tool.questionnaires.schema import Item, Option, Scale, normalise_lang
from del_tool.questionnaires.scores import AssessmentScores

__all__ = ["AnswerField", "AssessmentForm", "ChoiceRow", "ItemRow", "assessment_form_class"]

INVALID_ANSWER = _l("Vælg et af de viste svar.")
MISSING_ANSWER = _l("Besvar spørgsmålet.")


class AnswerField(RadioField):
    """A radio group of whole-number options; an empty value means "not answered"."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Treat an empty posted value as no answer rather than as an invalid one."""
        if valuelist and valuelist[0] == "":
            self.data = None
            return
        super().process_formdata(valuelist)


@dataclass(frozen=True)
class ChoiceRow:
    """One radio button (a bound subfield) with the option it stands for."""

    subfield: Any
    option: Option


@dataclass(frozen=True)
class ItemRow:
    """One item as the template renders it: the definition's item, its field and its choices."""

    item: Item
    field: AnswerField
    choices: list[ChoiceRow]


class AssessmentForm(Form):
    """Base of generated forms; `definition` and `lang` are set on each generated class."""

    definition: ClassVar[QuestionnaireDefinition]
    lang: ClassVar[str]

    def item_rows(self) -> list[ItemRow]:
        """Each item with its bound field and its radio buttons, in definition order."""
        rows = []
        for item in self.definition.items:
            field = self._fields[item.id]
            choices = [
                ChoiceRow(subfield, option)
                for subfield, option in zip(field, item.options, strict=True)
            ]
            rows.append(ItemRow(item, field, choices))
        return rows

    def answers(self) -> dict[str, int | None]:
        """Answer by item id, None where unanswered or not one of the options."""
        result: dict[str, int | None] = {}
        for item in self.definition.items:
            data = self._fields[item.id].data
            result[item.id] = data if data in item.option_values else None
        return result

    def has_answers(self) -> bool:
        """Whether at least one item is answered."""
        return any(value is not None for value in self.answers().values())

    def unscored_scales(self) -> list[Scale]:
        """Scales that will get no score because fewer than `min_answered` items are answered."""
        answers = self.answers()
        return [
            scale
            for scale in self.definition.scales
            if sum(answers[item_id] is not None for item_id in scale.items) < scale.min_answered
        ]

    def scores(self) -> AssessmentScores:
        """The definition's scores for the current answers."""
        return self.definition.score(self.answers())


def assessment_form_class(
    definition: QuestionnaireDefinition, *, lang: str
) -> type[AssessmentForm]:
    """A form class for `definition` with labels in `lang`; one `AnswerField` per item."""
    lang = normalise_lang(lang)
    attrs: dict[str, Any] = {"definition": definition, "lang": lang}
    for item in definition.items:
        validators = [InputRequired(message=MISSING_ANSWER)] if item.required else [Optional()]
        attrs[item.id] = AnswerField(
            label=item.text(lang),
            description=item.hint(lang) or "",
            validators=validators,
            coerce=int,
            choices=[SelectChoice(value=str(o.value), label=o.label(lang)) for o in item.options],
            invalid_value_message=INVALID_ANSWER,
            invalid_choice_message=INVALID_ANSWER,
        )
    name = f"AssessmentForm_{definition.id}_{definition.version.replace('.', '_')}_{lang}"
    return type(name, (AssessmentForm,), attrs)
