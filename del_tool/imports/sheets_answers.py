"""The questionnaire answers sheet (Svar): one row per (follow-up, questionnaire, item) answer
(see `sheets_followups` for why the follow-up sheets are long). An answer's questionnaire, item
(by id or by number) and value are checked against the questionnaire's definition in the
registry: its current version here, the version a stored assessment was answered with in the
dry run (`plan_answers`)."""

from __future__ import annotations

from typing import Annotated, Any

from flask_babel import lazy_gettext as _l
from pydantic import BeforeValidator, ValidationInfo, model_validator

from del_tool.imports.sheets import (
    ColumnSpec,
    ColumnType,
    ImportRow,
    Kind,
    SheetSpec,
    _lookups,
    _whole,
    refusal,
    text,
)
from del_tool.imports.sheets_followups import _part, composite_ref, followup_ref_column


class AnswerRow(ImportRow):
    """One answer to one questionnaire item at one follow-up."""

    external_ref: str = ""
    followup_ref: Annotated[str, text(50)]
    questionnaire: Annotated[str, text(50)]
    item: Annotated[str, text(50)]
    value: Annotated[int, BeforeValidator(_whole)]

    @model_validator(mode="before")
    @classmethod
    def _reference(cls, values: Any) -> Any:
        if isinstance(values, dict):
            parts = (
                _part(values.get("followup_ref")),
                _part(values.get("questionnaire")).lower(),
                _part(values.get("item")),
            )
            values = {**values, "external_ref": composite_ref(*parts) if all(parts) else ""}
        return values

    @model_validator(mode="after")
    def _definition(self, info: ValidationInfo) -> AnswerRow:
        """The questionnaire is known, the item is one of its items (by id or number), the
        value one of the item's options (the definition's own check)."""
        registry = _lookups(info).registry
        qid = self.questionnaire.lower()
        if registry is None or qid not in registry:
            raise refusal("questionnaire", _l("Ukendt skema. Vælg et fra listen."))
        definition = registry.get(qid)
        item_id = item_of(definition, self.item)
        if item_id is None:
            raise refusal(
                "item",
                _l("Skemaet %(q)s har intet spørgsmål %(item)s.", q=qid, item=self.item),
            )
        item = definition.item(item_id)
        if self.value not in item.option_values:
            allowed = ", ".join(str(v) for v in item.option_values)
            raise refusal("value", _l("Svaret skal være et af %(values)s.", values=allowed))
        object.__setattr__(self, "questionnaire", qid)
        object.__setattr__(self, "item", item_id)
        return self


def item_of(definition: Any, given: str) -> str | None:
    """The id of an item given by its id (any case) or its number in the questionnaire."""
    ids = [item.id for item in definition.items]
    if given in ids:
        return given
    lowered = {i.lower(): i for i in ids}
    if given.lower() in lowered:
        return lowered[given.lower()]
    if given.isdigit() and 1 <= int(given) <= len(ids):
        return ids[int(given) - 1]
    return None


ANSWER_COLUMNS = (
    followup_ref_column(_l("Opfølgningens id som på arket Opfølgninger.")),
    ColumnSpec(
        "questionnaire",
        _l("Skema"),
        ("Skema-ID", "Spørgeskema", "Questionnaire", "Instrument"),
        ColumnType.CHOICE,
        True,
        _l("Skemaets id, fra listen. Tilbuddet skal bruge skemaet."),
        None,
        "questionnaires",
    ),
    ColumnSpec(
        "item",
        _l("Spørgsmål"),
        ("Spørgsmål-ID", "Item", "Item ID", "Question"),
        ColumnType.CHOICE,
        True,
        _l("Spørgsmålets id (fra listen) eller nummer i skemaet."),
        None,
        "items",
    ),
    ColumnSpec(
        "value",
        _l("Svar"),
        ("Værdi", "Score", "Answer", "Value"),
        ColumnType.INT,
        True,
        _l("Svarets værdi, en af spørgsmålets muligheder (fx 0-4). Ubesvaret: ingen række."),
        None,
    ),
)

ANSWER_SHEET = SheetSpec(
    Kind.ANSWERS,
    _l("Svar"),
    ("Skemasvar", "Besvarelser", "Answers", "Questionnaire answers"),
    ANSWER_COLUMNS,
    ("followup_ref", "questionnaire", "item"),
    AnswerRow,
)
