"""Merging two records of the same person (a citizen registered twice), by a centre leader.

What moves: the stays, goals and follow-ups of the merged-away record become the kept record's
(goal reviews, assessments and scores hang on them and move with them), each change in the
history as an update of that row, under the kept citizen. The kept record's details stay; only
a missing case reference is taken from the other. The merged-away record keeps its
details, is marked `merged_into_id` (its old URLs lead to the kept record) and holds no rows
any more. Both records get a "merge" event in the history, in the same transaction.

What stays: the access log. Its events record who read what under which id and when; they stay
on the old id (the log is append-only like the history) and the kept record's log pages and
right-of-access export show them with its own (`record_ids`), so every read stays attributable.

Who: the service needs both records in the actor's scope and wholly visible (no stay of either
in a centre the actor cannot see), so a leader merges within their centre and moves nothing
they could not read. The permission (leaders only) is the endpoint's.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from del_tool.audit.services import record_change
from del_tool.citizens import history
from del_tool.citizens.access import Actor, get_citizen, ident, visible_stay_ids
from del_tool.citizens.models import Citizen, Stay
from del_tool.errors import ConflictError, RuleError
from del_tool.followups.models import FollowUp
from del_tool.goals.models import Goal
from del_tool.modelbase import utcnow

#: A chain of merges is followed at most this far (a merged record is never merged again).
MAX_CHAIN = 20


@dataclass(frozen=True, slots=True)
class MergeResult:
    """How many rows moved to the kept record."""

    stays: int
    goals: int
    follow_ups: int


def live_id(session: Session, citizen_id: int) -> int | None:
    """The record `citizen_id` was merged into (followed to the end), or None if not merged."""
    current, seen = citizen_id, 0
    row = session.get(Citizen, current)
    while row is not None and row.merged_into_id is not None and seen < MAX_CHAIN:
        current, seen = row.merged_into_id, seen + 1
        row = session.get(Citizen, current)
    return current if current != citizen_id else None


def record_ids(session: Session, citizen_id: int) -> list[int]:
    """`citizen_id` and every record merged into it (directly or through others)."""
    found, frontier = [citizen_id], [citizen_id]
    while frontier and len(found) < MAX_CHAIN:
        rows = session.exec(
            select(Citizen.id).where(col(Citizen.merged_into_id).in_(frontier))
        ).all()
        frontier = [ident(i) for i in rows if i not in found]
        found += frontier
    return found


def mergeable(session: Session, actor: Actor, citizen_id: int) -> Citizen:
    """The citizen when the actor sees the whole record; 403/404 otherwise, RuleError if merged."""
    citizen = get_citizen(session, actor, citizen_id)
    visible = visible_stay_ids(session, actor, citizen_id)
    if visible is not None:
        all_stays = set(session.exec(select(Stay.id).where(Stay.citizen_id == citizen_id)).all())
        if all_stays - visible:
            raise RuleError("confirm", _l("Borgeren har ophold i et andet center."))
    return citizen


def merge_citizens(
    *,
    session: Session,
    actor: Actor,
    keep_id: int,
    other_id: int,
    keep_version: int | None,
    other_version: int | None,
) -> MergeResult:
    """Move everything of `other_id` to `keep_id` and mark `other_id` merged (see the module).

    Raises RuleError("confirm", ...) when the two records cannot be one person's (overlapping
    stays, follow-ups on the same day), ConflictError when either changed since the page.
    """
    if keep_id == other_id:
        raise RuleError("confirm", _l("Vælg to forskellige borgere."))
    keep = mergeable(session, actor, keep_id)
    other = mergeable(session, actor, other_id)
    for row, version in ((keep, keep_version), (other, other_version)):
        if version is None or version != row.version:
            raise ConflictError(f"citizens {row.id}: form version {version}")
    stays = list(session.exec(select(Stay).where(Stay.citizen_id == other_id)).all())
    _check_no_overlap(session, keep_id, stays)
    follow_ups = list(session.exec(select(FollowUp).where(FollowUp.citizen_id == other_id)).all())
    _check_no_same_day(session, keep_id, follow_ups)
    goals = list(session.exec(select(Goal).where(Goal.citizen_id == other_id)).all())
    for moved in (*stays, *goals, *follow_ups):
        history.update(session, actor, moved, {"citizen_id": keep_id}, citizen_id=keep_id)
    result = MergeResult(stays=len(stays), goals=len(goals), follow_ups=len(follow_ups))
    if not keep.case_reference and other.case_reference:  # a blank is filled, nothing overwritten
        history.update(
            session, actor, keep, {"case_reference": other.case_reference}, citizen_id=keep_id
        )
    other.merged_into_id = keep_id
    session.add(other)
    session.flush()
    moved_counts = {"stays": result.stays, "goals": result.goals, "follow_ups": result.follow_ups}
    at = utcnow().isoformat()
    record_change(
        session=session,
        user_id=actor.user_id,
        action="merge",
        entity="citizens",
        entity_id=keep_id,
        citizen_id=keep_id,
        changes={"merged_from": [None, other_id], "moved": [None, moved_counts], "at": [None, at]},
    )
    record_change(
        session=session,
        user_id=actor.user_id,
        action="merge",
        entity="citizens",
        entity_id=other_id,
        citizen_id=other_id,
        changes={"merged_into_id": [None, keep_id], "moved": [None, moved_counts]},
    )
    return result


def _check_no_overlap(session: Session, keep_id: int, stays: list[Stay]) -> None:
    """RuleError when a stay to move overlaps one of the kept record's stays."""
    kept = session.exec(select(Stay).where(Stay.citizen_id == keep_id)).all()
    for a in stays:
        for b in kept:
            a_end, b_end = a.end_date or b.start_date.max, b.end_date or a.start_date.max
            if a.start_date <= b_end and b.start_date <= a_end:
                raise RuleError(
                    "confirm",
                    _l(
                        "Opholdene overlapper (%(a)s og %(b)s). Ret eller afslut det ene "
                        "ophold, før borgerne lægges sammen.",
                        a=a.start_date.strftime("%d.%m.%Y"),
                        b=b.start_date.strftime("%d.%m.%Y"),
                    ),
                )


def _check_no_same_day(session: Session, keep_id: int, follow_ups: list[FollowUp]) -> None:
    """RuleError when both records have a follow-up on the same day (one per day per citizen)."""
    days = set(
        session.exec(
            select(col(FollowUp.followup_date)).where(FollowUp.citizen_id == keep_id)
        ).all()
    )
    clash = sorted(f.followup_date for f in follow_ups if f.followup_date in days)
    if clash:
        raise RuleError(
            "confirm",
            _l(
                "Begge har en opfølgning den %(date)s. Ret datoen på den ene først.",
                date=clash[0].strftime("%d.%m.%Y"),
            ),
        )
