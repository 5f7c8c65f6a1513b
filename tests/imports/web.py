"""Helpers of the web import tests: a workbook of citizens and stays, a leader, an upload."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import Flask
from openpyxl import Workbook
from sqlmodel import select

from del_tool.db import get_db
from del_tool.imports.models import ImportBatch
from del_tool.organisation.models import Unit
from tests.conftest import login
from tests.imports.test_cli import CITIZENS, STAYS


def workbook(citizens: str = CITIZENS, stays: str = STAYS) -> bytes:
    """An XLSX file with the sheets Borgere and Ophold from `;`-separated text."""
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "Borgere"
    for line in citizens.strip().splitlines():
        first.append(line.split(";"))
    second = book.create_sheet("Ophold")
    for line in stays.strip().splitlines():
        second.append(line.split(";"))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def centre_of(app: Flask, unit_id: int) -> int:
    """The centre of a unit."""
    with app.app_context(), get_db(app).session(write=False) as db:
        unit = db.get(Unit, unit_id)
        assert unit is not None
        return int(unit.centre_id)


def leader_client(app: Flask, make_user: Any, unit_id: int, username: str | None = None) -> Any:
    """A logged-in client of a leader of `unit_id`'s centre (the user as `.user`)."""
    user = make_user("leader", username=username, centre_id=centre_of(app, unit_id))
    client = app.test_client()
    login(client, user.username)
    client.user = user  # type: ignore[attr-defined]
    return client


def upload(
    client: Any,
    data: bytes,
    *,
    unit: int | str,
    name: str = "borgere.xlsx",
    all_or_nothing: bool = False,
    extra: dict[str, Any] | None = None,
) -> Any:
    """Post a file to the upload form (with `extra` fields: a CSRF token)."""
    form: dict[str, Any] = {"file": (BytesIO(data), name), "unit": str(unit), **(extra or {})}
    if all_or_nothing:
        form["all_or_nothing"] = "y"
    return client.post("/imports/", data=form, content_type="multipart/form-data")


def only_batch(app: Flask) -> ImportBatch:
    """The one import batch in the database."""
    with app.app_context(), get_db(app).session(write=False) as db:
        [batch] = db.exec(select(ImportBatch)).all()
        db.expunge(batch)
        return batch
