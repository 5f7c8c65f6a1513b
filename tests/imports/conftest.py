"""Fixtures of the import tests: the committed files, the scope of units, a leader."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlmodel import select

from del_tool.db import get_db
from del_tool.organisation.models import Unit

FIXTURES = Path(__file__).parent / "fixtures"
#: Two units of one centre (the import's scope) and one of another centre.
IN_SCOPE = ("Bostedet Engtoften", "Autismecentret Vestkysten")
OUTSIDE = "Rehabiliteringsbostedet Åløkken"


@pytest.fixture
def units(app: Flask) -> dict[str, int]:
    """Seeded unit name -> id."""
    with app.app_context(), get_db(app).session(write=False) as db:
        return {u.name: int(u.id or 0) for u in db.exec(select(Unit)).all()}


@pytest.fixture
def scope(units: dict[str, int]) -> frozenset[int]:
    """The import's scope: the two units of the autism centre."""
    return frozenset(units[name] for name in IN_SCOPE)


def fixture(name: str) -> tuple[str, bytes]:
    """A committed fixture as (file name, bytes)."""
    return name, (FIXTURES / name).read_bytes()


@pytest.fixture
def plan_of(app: Flask, scope: frozenset[int]) -> Callable[..., Any]:
    """plan_of(*files, **options): the dry run of committed fixtures (or (name, bytes))."""
    from del_tool.imports.plan import plan_import

    def run(*files: str | tuple[str, bytes], **options: Any) -> Any:
        given = [fixture(f) if isinstance(f, str) else f for f in files]
        options.setdefault("scope", scope)
        with app.app_context(), get_db(app).session(write=False) as db:
            return plan_import(db, given, **options)

    return run
