"""Narrow SQL queries of scores and answers: scale scores, assessments, baseline items, history.

Like `queries`, one query per need with filtering in the database; the database takes the item
answers out of their JSON, and scale codes become categories in one vectorised step.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import and_, or_, select
from sqlmodel import Session, col

from del_tool.followups.models import Assessment, AssessmentScore, FollowUp
from del_tool.reports.common.queries import StaySelection, as_days, read_frame


def scores(
    session: Session,
    sel: StaySelection,
    *,
    since: date | None,
    questionnaires: Collection[str] | None = None,
    scales: Collection[str] | None = None,
) -> pd.DataFrame:
    """Scale scores of the selected stays up to the selection's end.

    With `since`, only scores from that date on plus those of baseline follow-ups (the
    admission measurement) are read. Columns: stay, date, baseline, questionnaire, scale, value.
    """
    conditions: list[Any] = [
        col(FollowUp.stay_id).in_(sel.stay_ids()),
        col(FollowUp.followup_date) <= sel.end,
        col(AssessmentScore.value).is_not(None),
    ]
    if since is not None:
        conditions.append(
            or_(col(FollowUp.followup_date) >= since, col(FollowUp.kind) == "baseline")
        )
    if questionnaires is not None:
        conditions.append(col(AssessmentScore.questionnaire_id).in_(sorted(questionnaires)))
    if scales is not None:
        conditions.append(col(AssessmentScore.scale_id).in_(sorted(scales)))
    statement = (
        select(
            col(FollowUp.stay_id).label("stay"),
            as_days(FollowUp.followup_date, "date"),
            (col(FollowUp.kind) == "baseline").label("baseline"),
            col(AssessmentScore.questionnaire_id).label("questionnaire"),
            col(AssessmentScore.scale_id).label("scale"),
            col(AssessmentScore.value).label("value"),
        )
        .join(Assessment, col(Assessment.id) == col(AssessmentScore.assessment_id))
        .join(FollowUp, col(FollowUp.id) == col(Assessment.follow_up_id))
        .where(*conditions)
    )
    frame = read_frame(session, statement, dates=("date",))
    frame["baseline"] = frame["baseline"].astype(bool)
    return _categorise_scales(frame)


def _categorise_scales(frame: pd.DataFrame) -> pd.DataFrame:
    """Questionnaire and scale ids as categories: a handful of values repeated over up to
    half a million rows, where finding each stay's first and latest score on text keys took
    several times longer."""
    for name in ("questionnaire", "scale"):
        frame[name] = frame[name].astype("category")
    return frame


def assessments(session: Session, sel: StaySelection) -> pd.DataFrame:
    """Questionnaires answered in the period: stay, questionnaire, completeness."""
    statement: Any = (
        select(
            col(FollowUp.stay_id).label("stay"),
            col(Assessment.questionnaire_id).label("questionnaire"),
            col(Assessment.completeness).label("completeness"),
        )
        .join(FollowUp, col(FollowUp.id) == col(Assessment.follow_up_id))
        .where(
            col(FollowUp.stay_id).in_(sel.stay_ids()),
            and_(col(FollowUp.followup_date) >= sel.start, col(FollowUp.followup_date) <= sel.end),
        )
    )
    return read_frame(session, statement)


def baseline_answers(
    session: Session, sel: StaySelection, questionnaire: str, items: Sequence[str]
) -> pd.DataFrame:
    """Item answers of the selected stays' baseline assessments of one questionnaire.

    One row per assessment, one column per item id (NaN when unanswered).
    """
    # The database takes each item out of the JSON answers (SQLite json_extract, PostgreSQL
    # jsonb ->>, as SQLAlchemy's JSON accessors render them), so no JSON is decoded here.
    answers = col(Assessment.answers)
    statement = (
        select(*(answers[item].as_float().label(item) for item in items))
        .join(FollowUp, col(FollowUp.id) == col(Assessment.follow_up_id))
        .where(
            col(FollowUp.stay_id).in_(sel.stay_ids()),
            col(FollowUp.kind) == "baseline",
            col(FollowUp.followup_date) <= sel.end,
            col(Assessment.questionnaire_id) == questionnaire,
        )
    )
    return read_frame(session, statement).astype(float)


def score_history(
    session: Session, sel: StaySelection, scales: Collection[tuple[str, str]], end: date
) -> pd.DataFrame:
    """Every score of the selected stays on the given (questionnaire, scale) pairs up to `end`.

    Columns: stay, date, questionnaire, scale, value.
    """
    if not scales:
        return pd.DataFrame(columns=["stay", "date", "questionnaire", "scale", "value"])
    statement = (
        select(
            col(FollowUp.stay_id).label("stay"),
            as_days(FollowUp.followup_date, "date"),
            col(AssessmentScore.questionnaire_id).label("questionnaire"),
            col(AssessmentScore.scale_id).label("scale"),
            col(AssessmentScore.value).label("value"),
        )
        .join(Assessment, col(Assessment.id) == col(AssessmentScore.assessment_id))
        .join(FollowUp, col(FollowUp.id) == col(Assessment.follow_up_id))
        .where(
            col(FollowUp.stay_id).in_(sel.stay_ids()),
            col(FollowUp.followup_date) <= end,
            col(AssessmentScore.questionnaire_id).in_(sorted({q for q, _ in scales})),
            col(AssessmentScore.scale_id).in_(sorted({s for _, s in scales})),
            col(AssessmentScore.value).is_not(None),
        )
    )
    frame = read_frame(session, statement, dates=("date",))
    if frame.empty:
        return frame
    wanted = pd.MultiIndex.from_tuples(sorted(scales), names=["questionnaire", "scale"])
    keys = pd.MultiIndex.from_frame(frame[["questionnaire", "scale"]])
    return frame[keys.isin(wanted)].reset_index(drop=True)


def stays_with_baseline(session: Session, sel: StaySelection, questionnaire: str) -> set[int]:
    """Ids of selected stays with a baseline follow-up that includes `questionnaire`."""
    statement = (
        select(col(FollowUp.stay_id))
        .join(Assessment, col(Assessment.follow_up_id) == col(FollowUp.id))
        .where(
            col(FollowUp.stay_id).in_(sel.stay_ids()),
            col(FollowUp.kind) == "baseline",
            col(FollowUp.followup_date) <= sel.end,
            col(Assessment.questionnaire_id) == questionnaire,
        )
        .distinct()
    )
    return {int(i) for i in session.execute(statement).scalars().all()}
