"""Text overlays: licensed wording per deployment in ``instance/questionnaires/<id>.<lang>.yaml``.

An overlay gives item texts and, optionally, option labels, the title and the instructions in one
language. It applies to every version of its questionnaire; ids and values it names must exist
in at least one version. Example::

    title: WHO-5 Trivselsindeks
    instructions: ...
    items:
      q1: ...                 # the item's wording
      q2: {text: ..., options: {0: ..., 5: ...}}   # wording and this item's option labels
      q3: {text: ..., easy_read: ...}              # and an easy-read wording (let at læse)
    options: {0: ..., 1: ...} # labels for every item's options with these values
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator

from del_tool.questionnaires.definition import QuestionnaireDefinition
from del_tool.questionnaires.errors import Problem
from del_tool.questionnaires.schema import LANGS, StrictModel, Text
from del_tool.questionnaires.yamlio import line_for, read_yaml, validation_problems

_FILE_NAME = re.compile(r"^(?P<id>[^.]+)\.(?P<lang>[^.]+)\.yaml$")


class OverlayItem(StrictModel):
    """An item's wording and, optionally, its own option labels."""

    text: Text
    options: dict[int, Text] = Field(default_factory=dict)
    easy_read: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        """A bare string is the item's text."""
        return {"text": data} if isinstance(data, str) else data


class Overlay(StrictModel):
    """The contents of one overlay file."""

    title: Text | None = None
    instructions: Text | None = None
    items: dict[str, OverlayItem] = Field(default_factory=dict)
    options: dict[int, Text] = Field(default_factory=dict)


@dataclass(frozen=True)
class OverlayFile:
    """A checked overlay: which questionnaire and language it is for, and its texts."""

    qid: str
    lang: str
    display: str
    overlay: Overlay


def read_overlays(
    overlay_dir: Path,
    definitions: Mapping[str, Sequence[QuestionnaireDefinition]],
    *,
    skip: Collection[str] = (),
) -> tuple[list[OverlayFile], list[Problem]]:
    """Check every ``*.yaml`` overlay against all versions of its questionnaire.

    Overlays of the ids in `skip` (whose definitions failed to load) are not checked: their
    definition's problems are reported instead.
    """
    found: list[OverlayFile] = []
    problems: list[Problem] = []
    for path in sorted(overlay_dir.glob("*.y*ml")):
        display = str(path)
        match = _FILE_NAME.match(path.name)
        if match is None:
            problems.append(
                Problem(display, "(file)", "name overlays <id>.<lang>.yaml, e.g. who5.da.yaml")
            )
            continue
        qid, lang = match["id"], match["lang"]
        if qid in skip:
            continue
        if lang not in LANGS:
            problems.append(
                Problem(
                    display, "(file)", f"language {lang!r} is not supported ({', '.join(LANGS)})"
                )
            )
            continue
        if qid not in definitions:
            problems.append(Problem(display, "(file)", f"no questionnaire with id {qid!r}"))
            continue
        data, lines, yaml_problems = read_yaml(path, display)
        problems.extend(yaml_problems)
        if data is None:
            continue
        try:
            overlay = Overlay.model_validate(data)
        except ValidationError as exc:
            problems.extend(validation_problems(exc, display, lines))
            continue
        found_problems = _reference_problems(overlay, definitions[qid], display, lines)
        problems.extend(found_problems)
        if not yaml_problems and not found_problems:
            found.append(OverlayFile(qid, lang, display, overlay))
    return found, problems


def apply_overlay(
    definition: QuestionnaireDefinition, overlay: OverlayFile
) -> QuestionnaireDefinition:
    """A copy of `definition` with the overlay's texts for the items and values it has."""
    texts = overlay.overlay
    item_texts: dict[str, str] = {}
    easy: dict[str, str] = {}
    labels: dict[str, dict[int, str]] = {}
    for item in definition.items:
        entry = texts.items.get(item.id)
        if entry is not None:
            item_texts[item.id] = entry.text
            if entry.easy_read is not None:
                easy[item.id] = entry.easy_read
        merged = {**texts.options, **(entry.options if entry else {})}
        labels[item.id] = {v: label for v, label in merged.items() if v in item.option_values}
    return definition.with_texts(
        overlay.lang,
        title=texts.title,
        instructions=texts.instructions,
        items=item_texts,
        option_labels=labels,
        easy_items=easy,
    )


def _reference_problems(
    overlay: Overlay,
    versions: Sequence[QuestionnaireDefinition],
    display: str,
    lines: Mapping[tuple[str | int, ...], int],
) -> list[Problem]:
    """Item ids and option values the overlay names must exist in some version."""
    problems: list[Problem] = []
    values: dict[str, set[int]] = {}
    for definition in versions:
        for item in definition.items:
            values.setdefault(item.id, set()).update(item.option_values)
    qid = versions[0].id
    for item_id, entry in overlay.items.items():
        if item_id not in values:
            known = ", ".join(values)
            reason = f"unknown item {item_id!r} of {qid} (items are: {known})"
            problems.append(
                Problem(display, f"items.{item_id}", reason, line_for(("items", item_id), lines))
            )
            continue
        for value in entry.options:
            if value not in values[item_id]:
                loc = ("items", item_id, "options", value)
                reason = f"item {item_id!r} has no option with value {value}"
                problems.append(
                    Problem(
                        display, f"items.{item_id}.options.{value}", reason, line_for(loc, lines)
                    )
                )
    every_value = set().union(*values.values()) if values else set()
    for value in overlay.options:
        if value not in every_value:
            reason = f"no item of {qid} has an option with value {value}"
            problems.append(
                Problem(display, f"options.{value}", reason, line_for(("options", value), lines))
            )
    return problems
