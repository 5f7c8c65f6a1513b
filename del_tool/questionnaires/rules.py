"""Cross-field rules of a definition that the pydantic models cannot check field by field.

Each rule yields ``(location, reason)``; the location is a pydantic-style tuple such as
``("scales", 0, "items", 2)`` so that the loader can name the field and its YAML line.
"""

from __future__ import annotations

from collections.abc import Iterator

from del_tool.questionnaires.definition import QuestionnaireDefinition
from del_tool.questionnaires.schema import Option, Scale

Loc = tuple[str | int, ...]
Finding = tuple[Loc, str]

#: Item ids that would clash with attributes of the generated WTForms form.
RESERVED_ITEM_IDS = frozenset(
    {
        "answers",
        "data",
        "definition",
        "errors",
        "form_errors",
        "has_answers",
        "item_rows",
        "lang",
        "meta",
        "populate_obj",
        "post_process",
        "process",
        "scores",
        "unscored_scales",
        "validate",
    }
)


def definition_problems(definition: QuestionnaireDefinition) -> list[Finding]:
    """Every cross-field problem of a structurally valid definition."""
    return [
        *_option_problems(definition.options or [], ("options",)),
        *_item_problems(definition),
        *_scale_problems(definition),
    ]


def _option_problems(options: list[Option], loc: Loc) -> Iterator[Finding]:
    """Option values must be unique within one list."""
    seen: set[int] = set()
    for k, option in enumerate(options):
        if option.value in seen:
            yield (*loc, k, "value"), f"duplicate option value {option.value}"
        seen.add(option.value)


def _item_problems(definition: QuestionnaireDefinition) -> Iterator[Finding]:
    """Unique, unreserved ids, and options for every item."""
    first: dict[str, int] = {}
    for i, item in enumerate(definition.items):
        if item.id in first:
            yield (
                ("items", i, "id"),
                f"duplicate item id {item.id!r} (also items[{first[item.id]}])",
            )
        first.setdefault(item.id, i)
        if item.id in RESERVED_ITEM_IDS:
            yield ("items", i, "id"), f"{item.id!r} is reserved (it names a form attribute)"
        if item.own_options is not None:
            yield from _option_problems(item.own_options, ("items", i, "options"))
        elif not definition.options:
            yield ("items", i), "no options: give the item options or the definition shared options"


def _scale_problems(definition: QuestionnaireDefinition) -> Iterator[Finding]:
    """Scales refer to known items, prorate sensibly, and have ordered bands inside the range."""
    seen: set[str] = set()
    item_ids = {item.id for item in definition.items}
    for s, scale in enumerate(definition.scales):
        loc: Loc = ("scales", s)
        if scale.id in seen:
            yield (*loc, "id"), f"duplicate scale id {scale.id!r}"
        seen.add(scale.id)
        members_ok = True
        for k, item_id in enumerate(scale.items):
            if item_id not in item_ids:
                members_ok = False
                yield (*loc, "items", k), f"unknown item {item_id!r}"
            elif item_id in scale.items[:k]:
                members_ok = False
                yield (*loc, "items", k), f"item {item_id!r} is listed twice"
        for k, item_id in enumerate(scale.reverse_items):
            if item_id not in scale.items:
                yield (*loc, "reverse_items", k), f"{item_id!r} is not one of this scale's items"
            elif item_id in scale.reverse_items[:k]:
                yield (*loc, "reverse_items", k), f"item {item_id!r} is listed twice"
        if scale.min_answered > len(scale.items):
            yield (
                (*loc, "min_answered"),
                f"{scale.min_answered} is more than the scale's {len(scale.items)} items",
            )
        elif members_ok:
            yield from _prorating_problems(definition, scale, loc)
        if scale._spec is not None:
            yield from _range_problems(scale, loc)


def _prorating_problems(
    definition: QuestionnaireDefinition, scale: Scale, loc: Loc
) -> Iterator[Finding]:
    """Prorating assumes unanswered items are on the same scale as the answered ones."""
    if not scale.prorates:
        return
    values = {item_id: definition.item(item_id).option_values for item_id in scale.items}
    first = scale.items[0]
    for item_id in scale.items[1:]:
        if sorted(values[item_id]) != sorted(values[first]):
            yield (
                (*loc, "min_answered"),
                f"prorating (min_answered {scale.min_answered} of {len(scale.items)} items) needs "
                f"items with the same option values; {first!r} and {item_id!r} differ",
            )
            return


def _range_problems(scale: Scale, loc: Loc) -> Iterator[Finding]:
    """The declared range matches the computed one; bands are ordered and inside it."""
    lo, hi = scale.score_min, scale.score_max
    if scale.score_range is not None and tuple(scale.score_range) != (lo, hi):
        declared = f"[{_num(scale.score_range[0])}, {_num(scale.score_range[1])}]"
        yield (
            (*loc, "score_range"),
            f"{declared} does not match the range the items give ({_num(lo)} to {_num(hi)})",
        )
    ids: set[str] = set()
    previous = None
    for k, band in enumerate(scale.bands):
        band_loc = (*loc, "bands", k)
        if band.id in ids:
            yield (*band_loc, "id"), f"duplicate band id {band.id!r}"
        ids.add(band.id)
        if band.from_ > band.to:
            yield band_loc, f"'from' ({_num(band.from_)}) is greater than 'to' ({_num(band.to)})"
        elif band.from_ < lo or band.to > hi:
            yield (
                band_loc,
                f"{_num(band.from_)} to {_num(band.to)} is outside the score range "
                f"{_num(lo)} to {_num(hi)}",
            )
        if previous is not None and band.from_ <= previous.to:
            yield (
                band_loc,
                f"overlaps or precedes band {previous.id!r} ({_num(previous.from_)} to "
                f"{_num(previous.to)}); list bands in ascending order without overlap",
            )
        previous = band


def _num(value: float) -> str:
    """A number as a person writes it: 4 rather than 4.0."""
    return str(int(value)) if float(value).is_integer() else str(value)
