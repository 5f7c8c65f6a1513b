"""Turning one YAML file (or mapping) into a checked definition, or a list of problems."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from del_tool.questionnaires.definition import QuestionnaireDefinition
from del_tool.questionnaires.errors import DefinitionError, Problem
from del_tool.questionnaires.rules import definition_problems
from del_tool.questionnaires.yamlio import (
    LineMap,
    format_loc,
    line_for,
    read_yaml,
    validation_problems,
)


def parse_definition(
    data: Any, *, display: str, lines: LineMap | None = None
) -> tuple[QuestionnaireDefinition | None, list[Problem]]:
    """Validate structure, then cross-field rules; the definition is None when any problem."""
    lines = lines or {}
    try:
        definition = QuestionnaireDefinition.model_validate(data)
    except ValidationError as exc:
        return None, validation_problems(exc, display, lines)
    problems = [
        Problem(display, format_loc(loc), reason, line_for(loc, lines))
        for loc, reason in definition_problems(definition)
    ]
    return (None if problems else definition), problems


def read_definition(
    path: Path, display: str
) -> tuple[QuestionnaireDefinition | None, list[Problem]]:
    """Read and check one definition file."""
    data, lines, problems = read_yaml(path, display)
    if data is None:
        return None, problems
    definition, more = parse_definition(data, display=display, lines=lines)
    problems = problems + more
    return (None if problems else definition), problems


def definition_from_mapping(
    data: Mapping[str, Any], *, source: str = "<data>"
) -> QuestionnaireDefinition:
    """A checked definition from already-parsed data (tests, tools); raises DefinitionError."""
    definition, problems = parse_definition(data, display=source)
    if definition is None:
        raise DefinitionError(problems)
    return definition
