"""Fixtures of the self-report tests: the staff world (tests/support/staff.py) with invented
WHO-5 wording in an overlay, so the citizen's screen has questions to show."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from del_tool.questionnaires import EXTENSION_KEY, load_registry
from tests.support.staff import client_as, db, staff, user_as, world

__all__ = ["client_as", "db", "staff", "user_as", "with_wording", "world"]

#: Invented wording (never the licensed instrument's), with an easy-read text for q1.
OVERLAY = """\
title: Prøveskema med opdigtet ordlyd
items:
  q1:
    text: Jeg har fodret en opdigtet giraf
    easy_read: Har du givet giraffen mad?
  q2: Jeg har talt til skyerne
  q3: Jeg har talt med en sten
  q4: Jeg har sunget for månen
  q5: Jeg har danset med en skygge
options: {0: Aldrig nogensinde, 5: Hele tiden}
"""


@pytest.fixture
def with_wording(app: Flask, tmp_path: Path) -> Flask:
    """The app with the invented Danish WHO-5 wording loaded."""
    overlays = tmp_path / "questionnaires"
    overlays.mkdir()
    (overlays / "who5.da.yaml").write_text(OVERLAY, encoding="utf-8")
    app.extensions[EXTENSION_KEY] = load_registry(
        Path(app.config["QUESTIONNAIRE_DIR"]), overlay_dir=overlays
    )
    return app
