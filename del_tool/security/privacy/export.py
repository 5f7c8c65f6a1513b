"""Everything DEL holds about one citizen, for a right-of-access request (JSON and PDF)."""

from __future__ import annotations

import json
import warnings
from typing import Any

from flask import current_app, has_request_context, render_template
from sqlmodel import Session, SQLModel, col, select

from del_tool.audit.models import AccessEvent, AuditEvent
from del_tool.audit.services import log_access, snapshot
from del_tool.auth.access import NotFoundError
from del_tool.citizens.merge import record_ids
from del_tool.citizens.models import Citizen, Stay
from del_tool.citizens.record_scope import PartialRecord
from del_tool.followups.models import Assessment, AssessmentScore, FollowUp, GoalReview
from del_tool.goals.models import Goal
from del_tool.modelbase import utcnow
from del_tool.selfreport.models import SelfReportSession

EXPORT_ACTION = "export"


def _rows(session: Session, model: type[SQLModel], *where: Any) -> list[dict[str, Any]]:
    order = col(model.id)  # type: ignore[attr-defined]
    return [snapshot(row) for row in session.exec(select(model).where(*where).order_by(order))]


def citizen_record(
    session: Session, citizen_id: int, partial: PartialRecord | None = None
) -> dict[str, Any]:
    """Every row about the citizen: person, stays, goals, follow-ups, history and access log
    (with `partial`, only what belongs to its stays, and reads by its readers)."""
    citizen = session.get(Citizen, citizen_id)
    if citizen is None:
        raise NotFoundError(f"citizen {citizen_id}")
    stays = col(Stay.citizen_id) == citizen_id
    goals = col(Goal.citizen_id) == citizen_id
    follow_ups = col(FollowUp.citizen_id) == citizen_id
    if partial is not None:
        stays = stays & col(Stay.id).in_(sorted(partial.stay_ids))
        goals = goals & col(Goal.stay_id).in_(sorted(partial.stay_ids))
        follow_ups = follow_ups & col(FollowUp.stay_id).in_(sorted(partial.stay_ids))
    self_reports = col(SelfReportSession.citizen_id) == citizen_id
    if partial is not None:
        self_reports = self_reports & col(SelfReportSession.stay_id).in_(sorted(partial.stay_ids))
    follow_up_ids = session.exec(select(FollowUp.id).where(follow_ups)).all()
    assessment_ids = session.exec(
        select(Assessment.id).where(col(Assessment.follow_up_id).in_(follow_up_ids))
    ).all()
    # Records merged into this one keep their history and reads under their own ids.
    ids = record_ids(session, citizen_id)
    history = _rows(session, AuditEvent, col(AuditEvent.citizen_id).in_(ids))
    access_log = _rows(session, AccessEvent, col(AccessEvent.citizen_id).in_(ids))
    if partial is not None:
        history = [e for e in history if partial.shows_event(e["entity"], e["entity_id"])]
        access_log = [e for e in access_log if partial.shows_access(e["user_id"])]
    return {
        "exported_at": utcnow().isoformat(),
        "citizen": snapshot(citizen),
        "merged_records": _rows(session, Citizen, col(Citizen.id).in_(ids[1:])),
        "stays": _rows(session, Stay, stays),
        "goals": _rows(session, Goal, goals),
        "follow_ups": _rows(session, FollowUp, follow_ups),
        "goal_reviews": _rows(session, GoalReview, col(GoalReview.follow_up_id).in_(follow_up_ids)),
        "assessments": _rows(session, Assessment, col(Assessment.follow_up_id).in_(follow_up_ids)),
        "assessment_scores": _rows(
            session, AssessmentScore, col(AssessmentScore.assessment_id).in_(assessment_ids)
        ),
        # The citizen's own answers on the self-report screen, as they were given.
        "self_reports": _rows(session, SelfReportSession, self_reports),
        "history": history,
        "access_log": access_log,
    }


def export_citizen(
    *,
    session: Session,
    citizen_id: int,
    user_id: int | None,
    fmt: str,
    endpoint: str,
    partial: PartialRecord | None = None,
) -> bytes:
    """The citizen's record (or the `partial` part) as JSON or PDF bytes; the export is written
    to the access log (in `session`'s transaction, or at once when `session` only reads)."""
    record = citizen_record(session, citizen_id, partial)
    log_access(
        session=session,
        user_id=user_id,
        action=EXPORT_ACTION,
        citizen_id=citizen_id,
        endpoint=endpoint,
        detail=f"right of access ({fmt})",
    )
    from del_tool.logs import security_event

    security_event("export.right_of_access", citizen_id=citizen_id, user_id=user_id, format=fmt)
    if fmt == "json":
        return json.dumps(record, ensure_ascii=False, indent=2, default=str).encode()
    if fmt == "pdf":
        return render_pdf(record)
    raise ValueError(f"unknown export format {fmt!r}")


def render_pdf(record: dict[str, Any]) -> bytes:
    """The record as a PDF document (WeasyPrint), one table per kind of row."""
    sections = [(name, rows) for name, rows in record.items() if isinstance(rows, list)]
    if has_request_context():
        html = render_template("security/citizen_export.html", record=record, sections=sections)
    else:  # from the command line: translations need a request to pick the language
        with current_app.test_request_context():
            html = render_template("security/citizen_export.html", record=record, sections=sections)
    with warnings.catch_warnings():
        # WeasyPrint announces a future system-library requirement; it does not affect output.
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        from weasyprint import HTML

        return bytes(HTML(string=html).write_pdf())
