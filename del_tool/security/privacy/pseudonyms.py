"""Pseudonymised analysis data: stable keyed pseudonyms, no names, no free text.

A pseudonym is HMAC-SHA256(PSEUDONYM_KEY, "citizen:<id>"), so the same citizen gets the same
pseudonym in every export made with the same key, and nobody without the key can link it back.
Birth years are coarsened to decades; notes, goal titles and descriptions are never exported.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
from collections.abc import Iterator
from typing import IO, Any

from sqlmodel import Session, col, select

from del_tool.citizens.models import Citizen, Stay
from del_tool.followups.models import Assessment, AssessmentScore, FollowUp, GoalReview
from del_tool.goals.models import Goal

COLUMNS = (
    "pseudonym",
    "sex",
    "birth_decade",
    "target_group",
    "unit_id",
    "municipality_code",
    "legal_section",
    "followup_date",
    "kind",
    "measure",
    "value",
)


def pseudonym(key: str, citizen_id: int) -> str:
    """The stable keyed pseudonym of a citizen (20 hex characters, 80 bits)."""
    digest = hmac.new(key.encode(), f"citizen:{citizen_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:20]


def _context(session: Session) -> tuple[dict[int | None, Citizen], dict[int | None, Stay]]:
    citizens = {c.id: c for c in session.exec(select(Citizen))}
    stays = {s.id: s for s in session.exec(select(Stay))}
    return citizens, stays


def pseudonymised_rows(session: Session, key: str) -> Iterator[dict[str, Any]]:
    """One row per scale score and per goal review, keyed by pseudonym."""
    citizens, stays = _context(session)

    def base(follow_up: FollowUp) -> dict[str, Any]:
        """The citizen's and stay's columns of a follow-up's rows."""
        citizen, stay = citizens[follow_up.citizen_id], stays[follow_up.stay_id]
        return {
            "pseudonym": pseudonym(key, follow_up.citizen_id),
            "sex": citizen.sex.value,
            "birth_decade": citizen.birth_year // 10 * 10,
            "target_group": citizen.target_group.value,
            "unit_id": stay.unit_id,
            "municipality_code": stay.municipality_code,
            "legal_section": stay.legal_section.value,
            "followup_date": follow_up.followup_date.isoformat(),
            "kind": follow_up.kind.value,
        }

    scores = session.exec(
        select(FollowUp, AssessmentScore)
        .join(Assessment, col(Assessment.follow_up_id) == FollowUp.id)
        .join(AssessmentScore, col(AssessmentScore.assessment_id) == Assessment.id)
        .order_by(col(FollowUp.id), col(AssessmentScore.id))
    )
    for follow_up, score in scores:
        measure = f"{score.questionnaire_id}:{score.scale_id}"
        yield {**base(follow_up), "measure": measure, "value": score.value}
    reviews = session.exec(
        select(FollowUp, GoalReview, Goal)
        .join(GoalReview, col(GoalReview.follow_up_id) == FollowUp.id)
        .join(Goal, col(Goal.id) == GoalReview.goal_id)
        .order_by(col(FollowUp.id), col(GoalReview.id))
    )
    for follow_up, review, goal in reviews:
        measure = f"goal:{goal.theme.value}:{goal.direction.value}:target={goal.target_level}"
        yield {**base(follow_up), "measure": measure, "value": review.level}


def write_pseudonymised_csv(session: Session, key: str, out: IO[str]) -> int:
    """Write the analysis rows as CSV; returns the number of rows."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    count = 0
    for row in pseudonymised_rows(session, key):
        writer.writerow(row)
        count += 1
    from del_tool.logs import security_event

    security_event("export.pseudonymised", rows=count)
    return count
