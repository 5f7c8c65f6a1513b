"""The pages of one import (routed in `views`): the dry run's result and its confirmation,
the commit's progress, the leader's list of imports, and undo.

Only the leader who uploaded an import sees it: anyone else's is a 404, as if it did not exist.
Nothing is written before the confirming POST; the commit runs as a job (`tasks`) and the page
reloads itself while it waits. The likely duplicates are shown with their names, birth years
and units as DEL has them now, each access-logged under the page's endpoint.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, col, select

from del_tool.auth.permissions import requires
from del_tool.citizens.access import Actor, citizen_in_scope_clause, stay_in_scope_clause
from del_tool.citizens.models import Citizen, Stay
from del_tool.citizens.viewhelpers import current_actor, log_reads
from del_tool.db import get_session
from del_tool.imports.access import IMPORT_PERMISSION, shown_conflicts, shown_duplicates
from del_tool.imports.batches import (
    batches_of,
    can_commit,
    mark_queued,
    own_batch,
    read_progress,
    record_progress,
)
from del_tool.imports.forms import ConfirmForm, UndoForm
from del_tool.imports.models import ImportBatch, ImportState
from del_tool.imports.sheets import SHEETS, Kind
from del_tool.imports.tasks import REFUSALS
from del_tool.jobs import get_jobs
from del_tool.organisation.models import Unit

#: Seconds between reloads of the page while the commit waits or runs.
REFRESH_SECONDS = 2
WAITING = (ImportState.QUEUED.value, ImportState.RUNNING.value)


def batch_url(batch: ImportBatch) -> str:
    """The page of an import."""
    return url_for("imports.batch", batch_id=batch.id)


def _own(batch_id: int) -> tuple[Session, Actor, ImportBatch]:
    db = get_session()
    actor = current_actor()
    batch = own_batch(db, batch_id, user_id=actor.user_id)
    if batch is None:
        abort(404)
    return db, actor, batch


def sheet_titles() -> dict[str, str]:
    """Kind value -> the sheet's title in the UI's language."""
    return {kind.value: str(SHEETS[kind].title) for kind in Kind}


@requires(IMPORT_PERMISSION)
def batch(batch_id: int) -> ResponseReturnValue:
    """An import: its dry run (counts, refusals, likely duplicates) with the confirmation, the
    commit's progress (reloading itself), or what it wrote, why it wrote nothing, its undo."""
    db, actor, found = _own(batch_id)
    duplicates: list[dict[str, Any]] = []
    conflicts: list[dict[str, Any]] = []
    if found.state == ImportState.PLANNED:
        duplicates = _duplicates(db, actor, found)
        conflicts = _conflicts(db, actor, found)
    waiting = found.state in WAITING
    page = render_template(
        "imports/batch.html",
        batch=found,
        titles=sheet_titles(),
        duplicates=duplicates,
        conflicts=conflicts,
        form=ConfirmForm(formdata=None, keys=[c["key"] for c in conflicts]),
        can_commit=can_commit(found),
        progress=read_progress(batch_id) if waiting else None,
        refresh=REFRESH_SECONDS if waiting else None,
        refusal=_message(found),
    )
    return page, 200, {"Cache-Control": "no-store"}


def _message(found: ImportBatch) -> str | None:
    if found.message is None:
        return None
    known = REFUSALS.get(found.message)
    return str(known) if known is not None else found.message


def _duplicates(db: Session, actor: Actor, found: ImportBatch) -> list[dict[str, Any]]:
    """The dry run's likely duplicates as DEL has them now (in the leader's scope only), each
    citizen shown logged as read."""
    listed = found.plan.get("duplicates", [])
    wanted = sorted({int(d["citizen_id"]) for d in listed})
    ids = (
        db.exec(
            select(Citizen.id).where(
                col(Citizen.id).in_(wanted),
                citizen_in_scope_clause(actor),
                col(Citizen.anonymised_at).is_(None),
            )
        ).all()
        if wanted
        else []
    )
    if not ids:
        return []
    latest = (
        select(Stay.citizen_id, func.max(Stay.start_date).label("start"))
        .where(stay_in_scope_clause(actor), col(Stay.citizen_id).in_(ids))
        .group_by(col(Stay.citizen_id))
        .subquery()
    )
    rows = db.exec(
        select(Citizen, Unit.name)
        .join(latest, latest.c.citizen_id == Citizen.id)
        .join(Stay, (col(Stay.citizen_id) == Citizen.id) & (col(Stay.start_date) == latest.c.start))
        .join(Unit, col(Unit.id) == Stay.unit_id)
    ).all()
    people = {int(c.id or 0): (c, unit_name) for c, unit_name in rows}
    shown = []
    for listed_row in listed:
        person = people.get(listed_row["citizen_id"])
        if person is not None:
            citizen, unit_name = person
            shown.append(
                {
                    **listed_row,
                    "name": citizen.name,
                    "birth_year": citizen.birth_year,
                    "unit": unit_name,
                }
            )
    events = shown_duplicates(
        [d["citizen_id"] for d in shown],
        user_id=actor.user_id,
        endpoint=request.endpoint or "",
        detail=f"import {found.id}: shown as similar",
    )
    log_reads(db, events)
    return shown


def _conflicts(db: Session, actor: Actor, found: ImportBatch) -> list[dict[str, Any]]:
    """The dry run's conflicts (both values per column), each citizen shown logged as read."""
    listed = [c for c in found.plan.get("conflicts", []) if "fields" in c]
    events = shown_conflicts(
        [c.get("citizen_id") for c in listed],
        user_id=actor.user_id,
        endpoint=request.endpoint or "",
        detail=f"import {found.id}: changed in DEL",
    )
    log_reads(db, events)
    return listed


@requires(IMPORT_PERMISSION)
def confirm(batch_id: int) -> ResponseReturnValue:
    """Write a planned import: queue its commit (once; a second confirmation changes nothing),
    with the choice for the records changed in DEL since they were imported."""
    db, _actor, found = _own(batch_id)
    form = ConfirmForm(keys=[c["key"] for c in found.plan.get("conflicts", [])])
    if not form.validate_on_submit():
        flash(_("Formularen var udløbet. Indlæs siden igen, og prøv igen."), "error")
        return redirect(batch_url(found), code=303)
    if found.state != ImportState.PLANNED:
        return redirect(batch_url(found), code=303)  # confirmed before: the page shows how far
    if not can_commit(found):
        flash(_("Der er intet at gemme i denne indlæsning."), "error")
        return redirect(batch_url(found), code=303)
    found.plan = {**found.plan, "overwrite": form.overwrite()}
    db.add(found)
    rows = int(found.plan.get("rows", 0))
    if mark_queued(db, found):
        db.commit()  # before the job: it runs on its own connection (at once, in tests)
        record_progress(batch_id, 0, rows)  # confirmed: the stalled-import sweep counts from now
        try:
            get_jobs().enqueue("commit_import", batch_id=batch_id)
        except Exception:
            _back_to_planned(batch_id)
            raise
    return redirect(batch_url(found), code=303)


def _back_to_planned(batch_id: int) -> None:
    """The queue refused the job: the import waits for its confirmation again."""
    from del_tool.db import write_session

    with write_session() as own:
        queued = own.get(ImportBatch, batch_id)
        if queued is not None and queued.state == ImportState.QUEUED:
            queued.state = ImportState.PLANNED.value


@requires(IMPORT_PERMISSION)
def batches() -> ResponseReturnValue:
    """The leader's imports, newest first, each written one with its undo button."""
    db = get_session()
    found = batches_of(db, user_id=current_actor().user_id)
    page = render_template(
        "imports/batches.html", batches=found, titles=sheet_titles(), form=UndoForm(formdata=None)
    )
    return page, 200, {"Cache-Control": "no-store"}


@requires(IMPORT_PERMISSION)
def undo(batch_id: int) -> ResponseReturnValue:
    """Undo a written import, unless something else changed its records since (the reason)."""
    from del_tool.imports.undo import UndoRefusedError, undo_batch

    db, actor, found = _own(batch_id)
    form = UndoForm()
    back = url_for("imports.batches")
    if not form.validate_on_submit():
        flash(_("Formularen var udløbet. Indlæs siden igen, og prøv igen."), "error")
        return redirect(back, code=303)
    try:
        removed = undo_batch(db, found, actor=actor)
    except UndoRefusedError as refusal:
        db.rollback()
        flash(str(refusal), "error")
        return redirect(back, code=303)
    db.commit()
    flash(
        _(
            "Indlæsning %(id)s er fortrudt: %(count)s poster fjernet eller ført tilbage.",
            id=batch_id,
            count=removed,
        ),
        "info",
    )
    return redirect(back, code=303)
