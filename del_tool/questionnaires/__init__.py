"""Questionnaires: versioned YAML definitions, validation, scoring, text overlays and forms.

The pure parts (loading, checking, scoring) need no Flask; `current_registry` and the form
builder in `forms.py` are for the web app.
"""

from __future__ import annotations

from del_tool.questionnaires.definition import QuestionnaireDefinition
from del_tool.questionnaires.errors import (
    DefinitionError,
    InvalidAnswers,
    Problem,
    UnknownQuestionnaireError,
)
from del_tool.questionnaires.loader import definition_from_mapping
from del_tool.questionnaires.registry import (
    Registry,
    check_definitions,
    default_definitions_dir,
    default_overlay_dir,
    load_registry,
)
from del_tool.questionnaires.schema import Band, Item, Licence, Option, Scale
from del_tool.questionnaires.scores import AssessmentScores, ScaleScore

__all__ = [
    "EXTENSION_KEY",
    "AssessmentScores",
    "Band",
    "DefinitionError",
    "InvalidAnswers",
    "Item",
    "Licence",
    "Option",
    "Problem",
    "QuestionnaireDefinition",
    "Registry",
    "Scale",
    "ScaleScore",
    "UnknownQuestionnaireError",
    "check_definitions",
    "current_registry",
    "default_definitions_dir",
    "default_overlay_dir",
    "definition_from_mapping",
    "load_registry",
]

#: Where the app keeps its registry: ``app.extensions[EXTENSION_KEY]``.
EXTENSION_KEY = "del_questionnaires"


def current_registry() -> Registry:
    """The registry the running app loaded at start-up (needs an app context)."""
    from flask import current_app

    registry = current_app.extensions[EXTENSION_KEY]
    if not isinstance(registry, Registry):
        raise RuntimeError(f"app.extensions[{EXTENSION_KEY!r}] is not a questionnaire Registry")
    return registry
