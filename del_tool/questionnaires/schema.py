"""Pydantic models of a questionnaire definition: texts, options, items, scales and figures.

The models check structure and types; cross-field rules (unknown items in a scale, overlapping
bands, ...) live in `rules.py`, and `loader.py` runs both. Scoring and the definition itself are
in `definition.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    model_validator,
)

from del_tool.questionnaires.scores import ScaleScore
from del_tool.stats.scoring import ScaleSpec, band_index, score_scale

#: Languages every definition text is given in; the first is the default.
LANGS: tuple[str, ...] = ("da", "en")
DEFAULT_LANG = "da"
#: What an item shows when no wording is available (third-party wording comes by overlay).
NEUTRAL_ITEM_LABEL = {"da": "Spørgsmål {n}", "en": "Item {n}"}

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
VERSION_PATTERN = r"^[0-9]+(\.[0-9]+)*$"
URL_PATTERN = r"^https?://\S+$"

Id = Annotated[StrictStr, StringConstraints(pattern=ID_PATTERN)]
Text = Annotated[StrictStr, StringConstraints(min_length=1)]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Positive = Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)]


def normalise_lang(lang: str) -> str:
    """``"da"``/``"en"`` from a locale such as ``"en_GB"``; anything else gives the default."""
    base = lang.replace("-", "_").split("_")[0].lower()
    return base if base in LANGS else DEFAULT_LANG


class StrictModel(BaseModel):
    """Immutable, and unknown keys are an error (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalText(StrictModel):
    """A text in Danish and English."""

    da: Text
    en: Text

    def get(self, lang: str) -> str:
        """The text in `lang` (normalised, see `normalise_lang`)."""
        return self.da if normalise_lang(lang) == "da" else self.en


class Reliability(StrictModel):
    """A published reliability coefficient of a scale, with its source."""

    value: Annotated[float, Field(strict=True, ge=0, le=1)]
    kind: Literal["cronbach_alpha", "test_retest", "omega"]
    source: Text


class Figure(StrictModel):
    """A published positive figure (an SD, a minimal important change), with its source."""

    value: Positive
    source: Text


class Norm(StrictModel):
    """Mean and SD of a reference sample (for Jacobson-Truax cut-offs), with its source."""

    mean: Number
    sd: Positive
    n: Annotated[int, Field(strict=True, gt=0)] | None = None
    sample: Text | None = None
    source: Text


class Norms(StrictModel):
    """Clinical (dysfunctional) and functional (general population) reference samples."""

    clinical: Norm | None = None
    functional: Norm | None = None


class Band(StrictModel):
    """A labelled score range, such as PHQ-9 "moderate" (10-14)."""

    id: Id
    from_: Number = Field(alias="from")
    to: Number
    labels: LocalText = Field(alias="label")

    def label(self, lang: str) -> str:
        """The band's label in `lang`."""
        return self.labels.get(lang)


class Option(StrictModel):
    """A response option: a whole-number value, an optional label and anchor description."""

    value: StrictInt
    labels: LocalText | None = Field(default=None, alias="label")
    descriptions: LocalText | None = Field(default=None, alias="description")
    _overlay_labels: dict[str, str] = PrivateAttr(default_factory=dict)

    def label(self, lang: str) -> str:
        """Overlay label, else the definition's label, else the value itself (``"3"``)."""
        lang = normalise_lang(lang)
        if lang in self._overlay_labels:
            return self._overlay_labels[lang]
        return self.labels.get(lang) if self.labels else str(self.value)

    def description(self, lang: str) -> str | None:
        """The anchor description in `lang`, if the definition gives one."""
        return self.descriptions.get(lang) if self.descriptions else None


class Item(StrictModel):
    """One question; its options are its own or the definition's shared ``options``."""

    id: Id
    texts: LocalText | None = Field(default=None, alias="text")
    hints: LocalText | None = Field(default=None, alias="hint")
    #: An easy-read wording (let at læse) for the citizen's own screen (`del_tool.selfreport`).
    easy_texts: LocalText | None = Field(default=None, alias="easy_read")
    required: StrictBool = False
    own_options: Annotated[list[Option], Field(min_length=2)] | None = Field(
        default=None, alias="options"
    )
    _options: list[Option] = PrivateAttr(default_factory=list)
    _number: int = PrivateAttr(default=0)
    _overlay_texts: dict[str, str] = PrivateAttr(default_factory=dict)
    _overlay_easy: dict[str, str] = PrivateAttr(default_factory=dict)

    @property
    def options(self) -> list[Option]:
        """The response options in the order they are shown."""
        return self._options

    @property
    def number(self) -> int:
        """The item's position in the definition, counting from 1."""
        return self._number

    @property
    def option_values(self) -> list[int]:
        """The allowed answer values."""
        return [option.value for option in self._options]

    def text(self, lang: str) -> str:
        """Overlay wording, else the definition's wording, else a neutral label ("Item 3")."""
        lang = normalise_lang(lang)
        if lang in self._overlay_texts:
            return self._overlay_texts[lang]
        if self.texts:
            return self.texts.get(lang)
        return NEUTRAL_ITEM_LABEL[lang].format(n=self._number)

    def hint(self, lang: str) -> str | None:
        """A short help text shown under the question, if the definition gives one."""
        return self.hints.get(lang) if self.hints else None

    def easy_text(self, lang: str) -> str | None:
        """The easy-read wording in `lang` (an overlay's, else the definition's), if any."""
        lang = normalise_lang(lang)
        if lang in self._overlay_easy:
            return self._overlay_easy[lang]
        return self.easy_texts.get(lang) if self.easy_texts else None


class Scale(StrictModel):
    """A score computed from items: sum or mean, reverse items, multiplier, prorating, figures."""

    id: Id
    titles: LocalText = Field(alias="title")
    items: Annotated[list[Id], Field(min_length=1)]
    reverse_items: list[Id] = Field(default_factory=list)
    method: Literal["sum", "mean"]
    multiplier: Positive = 1.0
    min_answered: Annotated[int, Field(strict=True, ge=1)]
    higher_is_better: StrictBool
    score_range: tuple[Number, Number] | None = None
    reliability: Reliability | None = None
    reference_sd: Figure | None = None
    norms: Norms | None = None
    mic: Figure | None = None
    bands: list[Band] = Field(default_factory=list)
    bands_source: Text | None = None
    sources: list[Text] = Field(default_factory=list)
    _spec: ScaleSpec | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _default_min_answered(cls, data: Any) -> Any:
        """Without ``min_answered`` every item must be answered (no prorating)."""
        if isinstance(data, Mapping) and "min_answered" not in data:
            items = data.get("items")
            # With no usable item list the error is reported on `items`; 1 keeps it the only one.
            count = len(items) if isinstance(items, list) and items else 1
            return {**data, "min_answered": count}
        return data

    def title(self, lang: str) -> str:
        """The scale's name in `lang`."""
        return self.titles.get(lang)

    @property
    def spec(self) -> ScaleSpec:
        """The scoring specification (bound when the definition is validated)."""
        if self._spec is None:
            raise RuntimeError(f"scale {self.id!r} is not bound; load definitions with the loader")
        return self._spec

    @property
    def score_min(self) -> float:
        """The lowest possible score."""
        return self.spec.score_range[0]

    @property
    def score_max(self) -> float:
        """The highest possible score."""
        return self.spec.score_range[1]

    @property
    def prorates(self) -> bool:
        """Whether a score is given with some items unanswered."""
        return self.min_answered < len(self.items)

    def band(self, band_id: str) -> Band:
        """The band with this id (KeyError if none)."""
        for band in self.bands:
            if band.id == band_id:
                return band
        raise KeyError(f"scale {self.id!r} has no band {band_id!r}")

    def band_for(self, value: float | None) -> Band | None:
        """The band a score falls in (see `del_tool.stats.scoring.band_index`), or None."""
        index = band_index(value, [(band.from_, band.to) for band in self.bands])
        return None if index is None else self.bands[index]

    def score(self, answers: Mapping[str, int | None]) -> ScaleScore:
        """Score this scale from already validated answers by item id."""
        result = score_scale(answers, self.spec)
        band = self.band_for(result.value)
        return ScaleScore(
            value=result.value,
            raw=result.raw,
            n_answered=result.n_answered,
            n_items=result.n_items,
            prorated=result.prorated,
            band=band.id if band else None,
        )


class Licence(StrictModel):
    """Who holds the instrument, its terms, and whether its wording ships or comes by overlay."""

    name: Text
    holder: Text | None = None
    url: Annotated[StrictStr, StringConstraints(pattern=URL_PATTERN)] | None = None
    terms_text: LocalText = Field(alias="terms")
    wording: Literal["included", "overlay"]

    def terms(self, lang: str) -> str:
        """The licence terms in `lang`."""
        return self.terms_text.get(lang)

    @property
    def wording_by_overlay(self) -> bool:
        """True when the item wording must be supplied per deployment (licensed text)."""
        return self.wording == "overlay"


def bind_scale(scale: Scale, items: Mapping[str, Item]) -> None:
    """Attach the scoring specification; left unbound when the scale's items are not valid."""
    try:
        members = [items[item_id] for item_id in scale.items]
        if any(not item.options for item in members):
            return
        spec = ScaleSpec(
            items=tuple(scale.items),
            low=tuple(min(item.option_values) for item in members),
            high=tuple(max(item.option_values) for item in members),
            reverse=frozenset(scale.reverse_items),
            method=scale.method,
            multiplier=scale.multiplier,
            min_answered=scale.min_answered,
        )
    except (KeyError, ValueError):
        return
    scale._spec = spec
