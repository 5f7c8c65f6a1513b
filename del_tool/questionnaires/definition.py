"""A questionnaire definition: what is asked, how it is scored, and its fingerprint."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from numbers import Integral
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, PrivateAttr, StringConstraints, model_validator

from del_tool.questionnaires.errors import InvalidAnswers
from del_tool.questionnaires.schema import (
    VERSION_PATTERN,
    Id,
    Item,
    Licence,
    LocalText,
    Option,
    Scale,
    StrictModel,
    Text,
    bind_scale,
    normalise_lang,
)
from del_tool.questionnaires.scores import AssessmentScores
from del_tool.stats.scoring import score_frame

if TYPE_CHECKING:
    import pandas as pd

Version = Annotated[str, Field(strict=True), StringConstraints(pattern=VERSION_PATTERN)]


class QuestionnaireDefinition(StrictModel):
    """One version of one instrument, as read from ``questionnaires/<id>.yaml``."""

    id: Id
    version: Version
    titles: LocalText = Field(alias="title")
    instructions_text: LocalText | None = Field(default=None, alias="instructions")
    perspective: Literal["staff", "self_report"]
    licence: Licence
    options: Annotated[list[Option], Field(min_length=2)] | None = None
    items: Annotated[list[Item], Field(min_length=1)]
    scales: Annotated[list[Scale], Field(min_length=1)]
    sources: list[Text] = Field(default_factory=list)
    _items_by_id: dict[str, Item] = PrivateAttr(default_factory=dict)
    _overlay_titles: dict[str, str] = PrivateAttr(default_factory=dict)
    _overlay_instructions: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _bind(self) -> QuestionnaireDefinition:
        """Give items their options and numbers, and scales their scoring specification."""
        for number, item in enumerate(self.items, start=1):
            item._number = number
            if item.own_options is not None:
                item._options = list(item.own_options)
            else:
                # Copies, so that an overlay can label one item's options without the others'.
                item._options = [option.model_copy(deep=True) for option in self.options or []]
            self._items_by_id.setdefault(item.id, item)
        for scale in self.scales:
            bind_scale(scale, self._items_by_id)
        return self

    @property
    def key(self) -> str:
        """``<id>@<version>``, as written in the lock file and in messages."""
        return f"{self.id}@{self.version}"

    def title(self, lang: str) -> str:
        """The instrument's name in `lang` (an overlay may give the official translated name)."""
        lang = normalise_lang(lang)
        return self._overlay_titles.get(lang) or self.titles.get(lang)

    def instructions(self, lang: str) -> str | None:
        """The lead-in text shown above the items, if any."""
        lang = normalise_lang(lang)
        if lang in self._overlay_instructions:
            return self._overlay_instructions[lang]
        return self.instructions_text.get(lang) if self.instructions_text else None

    def wording_available(self, lang: str) -> bool:
        """Whether every item has real wording in `lang` (own text or an overlay)."""
        lang = normalise_lang(lang)
        return all(item.texts is not None or lang in item._overlay_texts for item in self.items)

    def item(self, item_id: str) -> Item:
        """The item with this id (KeyError if none)."""
        return self._items_by_id[item_id]

    def scale(self, scale_id: str) -> Scale:
        """The scale with this id (KeyError if none)."""
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        raise KeyError(f"{self.key} has no scale {scale_id!r}")

    def validate_answers(self, answers: Mapping[str, Any]) -> dict[str, int | None]:
        """Answers for every item (None where unanswered), checked against the options.

        Raises InvalidAnswers naming each unknown item, or each item whose value is not one of
        its options, with the allowed values.
        """
        problems: list[str] = []
        for item_id, value in answers.items():
            item = self._items_by_id.get(item_id)
            if item is None:
                known = ", ".join(self._items_by_id)
                problems.append(f"unknown item {item_id!r} (items are: {known})")
            elif value is not None and not _is_option(value, item):
                allowed = ", ".join(str(v) for v in item.option_values)
                problems.append(f"item {item_id!r}: {value!r} is not one of {allowed}")
        if problems:
            raise InvalidAnswers(f"{self.key}: " + "; ".join(problems))
        return {
            item.id: None if answers.get(item.id) is None else int(answers[item.id])
            for item in self.items
        }

    def score(self, answers: Mapping[str, Any]) -> AssessmentScores:
        """Score every scale; too few answers give a scale "no score" (None), never 0."""
        clean = self.validate_answers(answers)
        answered = sum(value is not None for value in clean.values())
        return AssessmentScores(
            scales={scale.id: scale.score(clean) for scale in self.scales},
            completeness=answered / len(self.items),
        )

    def score_frame(self, answers: pd.DataFrame) -> pd.DataFrame:
        """Score a frame with one row per assessment and one column per item id.

        Returns one column per scale id (NaN for no score) on the same index. Columns that are
        not item ids are ignored; a missing item column counts as unanswered. Raises
        InvalidAnswers for a value that is not one of its item's options.
        """
        import pandas as pd  # only reports and the demo score frames; the web app starts without

        for item in self.items:
            if item.id not in answers.columns:
                continue
            column = answers[item.id]
            bad = column.notna() & ~column.isin(item.option_values)
            if bad.any():
                row = bad.idxmax()
                allowed = ", ".join(str(v) for v in item.option_values)
                raise InvalidAnswers(
                    f"{self.key}: item {item.id!r}, row {_plain(row)!r}: "
                    f"{_plain(column[row])!r} is not one of {allowed}"
                )
        scores = {scale.id: score_frame(answers, scale.spec)["value"] for scale in self.scales}
        return pd.DataFrame(scores, index=answers.index)

    def fingerprint(self) -> str:
        """A stable hash of what is asked and how it is scored; texts and figures are left out.

        Covers id, version, perspective, item ids and order, ``required``, option values, and per
        scale its items, reverse items, method, multiplier, min_answered, direction and bands
        (ids and limits). Titles, wording, labels, licence, sources and published figures are
        not covered: correcting them does not change stored scores.
        """
        canonical = {
            "id": self.id,
            "version": self.version,
            "perspective": self.perspective,
            "items": [
                {"id": i.id, "required": i.required, "options": i.option_values} for i in self.items
            ],
            "scales": [_scale_canonical(scale) for scale in self.scales],
        }
        encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()
        return "sha256:" + hashlib.sha256(encoded).hexdigest()

    def with_texts(
        self,
        lang: str,
        *,
        title: str | None = None,
        instructions: str | None = None,
        items: Mapping[str, str] | None = None,
        option_labels: Mapping[str, Mapping[int, str]] | None = None,
        easy_items: Mapping[str, str] | None = None,
    ) -> QuestionnaireDefinition:
        """A copy with overlay texts for `lang`; ids and values must already be checked."""
        lang = normalise_lang(lang)
        copy = self.model_copy(deep=True)
        if title is not None:
            copy._overlay_titles[lang] = title
        if instructions is not None:
            copy._overlay_instructions[lang] = instructions
        for item_id, text in (items or {}).items():
            copy._items_by_id[item_id]._overlay_texts[lang] = text
        for item_id, text in (easy_items or {}).items():
            copy._items_by_id[item_id]._overlay_easy[lang] = text
        for item_id, labels in (option_labels or {}).items():
            for option in copy._items_by_id[item_id].options:
                if option.value in labels:
                    option._overlay_labels[lang] = labels[option.value]
        return copy


def _is_option(value: object, item: Item) -> bool:
    """Whether `value` is a whole number among the item's option values (bools are refused)."""
    return (
        isinstance(value, Integral) and not isinstance(value, bool) and value in item.option_values
    )


def _plain(value: object) -> object:
    """A numpy scalar as the Python value it holds (for readable messages)."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _scale_canonical(scale: Scale) -> dict[str, object]:
    """The parts of a scale that change its scores, in a stable form."""
    return {
        "id": scale.id,
        "items": list(scale.items),
        "reverse_items": sorted(scale.reverse_items),
        "method": scale.method,
        "multiplier": float(scale.multiplier),
        "min_answered": scale.min_answered,
        "higher_is_better": scale.higher_is_better,
        "bands": [[band.id, float(band.from_), float(band.to)] for band in scale.bands],
    }
