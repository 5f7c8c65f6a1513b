"""What an undo checks and reads (`undo`): the import's records as they are now, and whether
anything changed them since (their versions, records added under them, later history events).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlmodel import Session, col, or_, select

from del_tool.audit.models import AuditEvent
from del_tool.citizens.models import Citizen, Stay, StayPurpose, StayService
from del_tool.followups.models import Assessment, AssessmentScore, FollowUp, GoalReview
from del_tool.goals.models import Goal
from del_tool.i18n import format_day
from del_tool.imports.commit_records import SCORES
from del_tool.imports.sheets import Kind
from del_tool.modelbase import LOCAL_TIMEZONE
from del_tool.organisation.models import Referral

#: At most this many changes are named in a refusal.
NAMED = 5
#: Ids are looked up in chunks of this many (the bound-parameter limit of SQLite).
CHUNK = 500
#: The records an import writes, by their table, in the order an undo removes them.
MODELS: dict[str, type[Any]] = {
    SCORES: AssessmentScore,
    Kind.ANSWERS.value: Assessment,
    Kind.REVIEWS.value: GoalReview,
    Kind.FOLLOWUPS.value: FollowUp,
    Kind.GOALS.value: Goal,
    Kind.PURPOSES.value: StayPurpose,
    Kind.STAYS.value: Stay,
    Kind.CITIZENS.value: Citizen,
}


def chunks(ids: list[int]) -> Iterable[list[int]]:
    """`ids` in chunks of CHUNK."""
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def records(session: Session, result: dict[str, Any]) -> dict[str, dict[int, Any]]:
    """The records the import created or updated, as they are now (gone ones absent)."""
    found: dict[str, dict[int, Any]] = {}
    for kind, model in MODELS.items():
        ids = sorted(set(result["created"].get(kind, [])) | set(result["updated"].get(kind, [])))
        found[kind] = {}
        for chunk in chunks(ids):
            for row in session.exec(select(model).where(col(model.id).in_(chunk))).all():
                found[kind][int(row.id)] = row
    return found


def changed(session: Session, result: dict[str, Any], rows: dict[str, dict[int, Any]]) -> list[str]:
    """What changed since the import, one short phrase each (empty: it can be undone)."""
    changes: list[str] = []
    for kind, versions in result["versions"].items():
        for key, version in versions.items():
            row = rows[kind].get(int(key))
            if row is None:
                changes.append(_("%(record)s er slettet", record=_name(kind, int(key))))
            elif int(row.version) != int(version):
                changes.append(_("%(record)s er ændret", record=_name(kind, int(key))))
    for model, parent, kind, label in (
        (Goal, "stay_id", Kind.STAYS, _("et eller flere mål")),
        (StayPurpose, "stay_id", Kind.STAYS, _("formål i handleplanen")),
        (Goal, "purpose_id", Kind.PURPOSES, _("et eller flere mål")),
        (FollowUp, "stay_id", Kind.STAYS, _("opfølgninger")),
        (StayService, "stay_id", Kind.STAYS, _("særydelser")),
        (Referral, "stay_id", Kind.STAYS, _("en henvendelse")),
        (GoalReview, "goal_id", Kind.GOALS, _("målvurderinger")),
        (GoalReview, "follow_up_id", Kind.FOLLOWUPS, _("målvurderinger")),
        (Assessment, "follow_up_id", Kind.FOLLOWUPS, _("skemaer")),
    ):
        # Records under what the import created that the import did not write itself (a goal
        # it gave a new purpose gets its earlier one back first).
        table = model.__tablename__
        own = set(result["created"].get(table, [])) | set(result["updated"].get(table, []))
        parents = sorted(result["created"].get(kind.value, []))
        for chunk in chunks(parents):
            for child_id, parent_id in session.exec(
                select(model.id, getattr(model, parent)).where(
                    col(getattr(model, parent)).in_(chunk)
                )
            ).all():
                if child_id not in own:
                    changes.append(
                        _(
                            "%(record)s har nu %(what)s",
                            record=_name(kind.value, parent_id),
                            what=label,
                        )
                    )
    changes += _later_events(session, result, rows)
    return list(dict.fromkeys(changes))


def _later_events(
    session: Session, result: dict[str, Any], rows: dict[str, dict[int, Any]]
) -> list[str]:
    """History events after the import on its records or their citizens."""
    citizens = {
        citizen_of(session, kind, row) for kind, found in rows.items() for row in found.values()
    }
    entities = [
        (
            kind,
            [
                str(i)
                for i in sorted(
                    set(result["created"].get(kind, [])) | set(result["updated"].get(kind, []))
                )
            ],
        )
        for kind in MODELS
    ]
    after = int(result["history"]["import"])
    conditions: list[Any] = [
        col(AuditEvent.citizen_id).in_(chunk) for chunk in chunks(sorted(citizens))
    ]
    for kind, ids in entities:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            conditions.append(
                (col(AuditEvent.entity) == kind) & col(AuditEvent.entity_id).in_(chunk)
            )
    if not conditions:
        return []
    events = session.exec(
        select(AuditEvent)
        .where(col(AuditEvent.id) > after, or_(*conditions))
        .order_by(col(AuditEvent.id))
        .limit(50)
    ).all()
    return [
        _(
            "%(record)s: %(action)s %(day)s",
            record=_name(e.entity, e.entity_id),
            action=_action(e.action),
            day=format_day(e.occurred_at.astimezone(LOCAL_TIMEZONE).date()),
        )
        for e in events
    ]


def _name(entity: str, entity_id: Any) -> str:
    labels = {
        "citizens": _("borger"),
        "stays": _("ophold"),
        "stay_purposes": _("formål"),
        "goals": _("mål"),
        "follow_ups": _("opfølgning"),
        "goal_reviews": _("målvurdering"),
        "assessments": _("skema"),
        SCORES: _("skemascore"),
    }
    return f"{labels.get(entity, entity)} {entity_id}"


def _action(action: str) -> str:
    labels = {
        "create": _("oprettet"),
        "update": _("ændret"),
        "delete": _("slettet"),
        "merge": _("lagt sammen"),
        "import": _("indlæst igen"),
        "anonymise": _("anonymiseret"),
    }
    return labels.get(action, action)


def citizen_of(session: Session, kind: str, row: Any) -> int:
    """The citizen a record belongs to (purposes via their stay; reviews, assessments and
    scores via their follow-up)."""
    if kind == Kind.CITIZENS.value:
        return int(row.id)
    if hasattr(row, "citizen_id"):
        return int(row.citizen_id)
    if kind == Kind.PURPOSES.value:
        stay = session.get(Stay, row.stay_id)
        assert stay is not None  # noqa: S101 - a foreign key
        return int(stay.citizen_id)
    if hasattr(row, "assessment_id"):
        row = session.get(Assessment, row.assessment_id)
    follow_up = session.get(FollowUp, row.follow_up_id)
    assert follow_up is not None  # noqa: S101 - a foreign key
    return int(follow_up.citizen_id)
