"""Fixtures for the questionnaire tests: a test definition with reverse items, files, an app."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask

from del_tool.questionnaires import Registry, default_definitions_dir, load_registry

SHIPPED_IDS = ("del_functioning", "gad7", "phq9", "who5")

#: A small valid definition that exercises what the shipped ones do not: reverse items,
#: prorating of a sum, a multiplier on a mean, per-item options, bands and a required item.
TEST_DEFINITION: dict[str, Any] = {
    "id": "tst",
    "version": "1",
    "title": {"da": "Testskema", "en": "Test questionnaire"},
    "perspective": "self_report",
    "licence": {
        "name": "CC0",
        "terms": {"da": "Fri brug.", "en": "Free to use."},
        "wording": "included",
    },
    "options": [{"value": v} for v in range(5)],
    "items": [
        {"id": "a", "text": {"da": "Spørgsmål A", "en": "Question A"}, "required": True},
        {"id": "b", "text": {"da": "Spørgsmål B", "en": "Question B"}},
        {"id": "c", "text": {"da": "Spørgsmål C", "en": "Question C"}},
        {"id": "d", "text": {"da": "Spørgsmål D", "en": "Question D"}},
        {
            "id": "e",
            "text": {"da": "Spørgsmål E", "en": "Question E"},
            "options": [
                {"value": 1, "label": {"da": "Nej", "en": "No"}},
                {"value": 2, "label": {"da": "Ja", "en": "Yes"}},
            ],
        },
    ],
    "scales": [
        {
            "id": "total",
            "title": {"da": "I alt", "en": "Total"},
            "items": ["a", "b", "c", "d"],
            "reverse_items": ["b", "d"],
            "method": "sum",
            "min_answered": 3,
            "higher_is_better": False,
            "score_range": [0, 16],
            "reliability": {"value": 0.8, "kind": "cronbach_alpha", "source": "Made up for tests."},
            "bands": [
                {"id": "low", "from": 0, "to": 7, "label": {"da": "Lav", "en": "Low"}},
                {"id": "high", "from": 8, "to": 16, "label": {"da": "Høj", "en": "High"}},
            ],
        },
        {
            "id": "ab",
            "title": {"da": "A og B", "en": "A and B"},
            "items": ["a", "b"],
            "method": "mean",
            "multiplier": 25,
            "higher_is_better": True,
            "score_range": [0, 100],
        },
        {
            "id": "yes",
            "title": {"da": "Ja", "en": "Yes"},
            "items": ["e"],
            "method": "sum",
            "higher_is_better": True,
        },
    ],
}


@pytest.fixture
def definition_data() -> dict[str, Any]:
    """A fresh, mutable copy of the test definition."""
    return copy.deepcopy(TEST_DEFINITION)


@pytest.fixture
def shipped_dir() -> Path:
    """The repository's questionnaires/ directory."""
    return default_definitions_dir()


@pytest.fixture
def shipped_registry(shipped_dir: Path) -> Registry:
    """The shipped definitions, without overlays."""
    return load_registry(shipped_dir)


@pytest.fixture
def write_yaml() -> Callable[[Path, Any], Path]:
    """Factory: write_yaml(path, data) dumps data as YAML (creating folders) and returns path."""

    def write(path: Path, data: Any) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def definitions_dir(
    tmp_path: Path, definition_data: dict[str, Any], write_yaml: Callable[[Path, Any], Path]
) -> Path:
    """A definitions directory holding only the test definition (unpublished)."""
    directory = tmp_path / "questionnaires"
    write_yaml(directory / "tst.yaml", definition_data)
    return directory


@pytest.fixture
def form_app(tmp_path: Path) -> Flask:
    """The real app (no database needed to render forms), with the template blueprint."""
    from del_tool import create_app
    from del_tool.questionnaires.blueprint import bp

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-checks",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'forms.sqlite3'}",
            "WTF_CSRF_ENABLED": False,
        }
    )
    if "questionnaires" not in app.blueprints:
        # create_app does not register the template blueprint yet (asked for in the issue 3
        # report); without it the macro cannot be found.
        app.register_blueprint(bp)
    return app
