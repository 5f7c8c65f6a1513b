"""Questionnaire answers of a follow-up: validate, score with the definition, store with history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, SQLModel, col, select

from del_tool.audit.services import record_change, snapshot
from del_tool.citizens import history
from del_tool.citizens.access import Actor
from del_tool.errors import RuleError
from del_tool.followups.models import Assessment, AssessmentScore, FollowUp, Perspective
from del_tool.questionnaires import InvalidAnswers, QuestionnaireDefinition
from del_tool.questionnaires.scores import AssessmentScores


@dataclass(frozen=True, slots=True)
class AssessmentInput:
    """The answers given to one questionnaire (None where unanswered)."""

    questionnaire_id: str
    answers: dict[str, int | None]

    @property
    def answered(self) -> bool:
        """Whether any item is answered."""
        return any(value is not None for value in self.answers.values())


def save_assessments(
    session: Session,
    actor: Actor,
    follow_up: FollowUp,
    definitions: Sequence[QuestionnaireDefinition],
    inputs: Sequence[AssessmentInput],
) -> None:
    """Insert, update or (when every answer was cleared) delete each questionnaire's assessment.

    The definition is the one the form was built from: the stored version for an assessment
    being edited, the current version for a new one. Raises RuleError naming the questionnaire
    when a questionnaire is not offered here or an answer is not one of its options.
    """
    by_id = {d.id: d for d in definitions}
    stored = {
        a.questionnaire_id: a
        for a in session.exec(
            select(Assessment).where(col(Assessment.follow_up_id) == follow_up.id)
        ).all()
    }
    for entry in inputs:
        definition = by_id.get(entry.questionnaire_id)
        field = f"q_{entry.questionnaire_id}"
        if definition is None:
            raise RuleError(field, _l("Skemaet bruges ikke i dette tilbud."))
        try:
            answers = definition.validate_answers(entry.answers)
            scores = definition.score(answers)
        except InvalidAnswers as exc:
            raise RuleError(field, _l("Et svar er ikke en af skemaets muligheder.")) from exc
        existing = stored.get(definition.id)
        if existing is None and entry.answered:
            _insert(session, actor, follow_up, definition, answers, scores)
        elif existing is not None and entry.answered:
            _update(session, actor, follow_up, existing, answers, scores)
        elif existing is not None:
            _delete(session, actor, follow_up, existing)


def _insert(
    session: Session,
    actor: Actor,
    follow_up: FollowUp,
    definition: QuestionnaireDefinition,
    answers: dict[str, int | None],
    scores: AssessmentScores,
) -> None:
    assessment = Assessment(
        follow_up_id=follow_up.id,  # type: ignore[arg-type]
        questionnaire_id=definition.id,
        questionnaire_version=definition.version,
        perspective=Perspective(definition.perspective),
        answers=answers,
        completeness=scores.completeness,
    )
    history.insert(session, actor, assessment, citizen_id=follow_up.citizen_id)
    _save_scores(session, actor, follow_up, assessment, scores, stored={})


def _update(
    session: Session,
    actor: Actor,
    follow_up: FollowUp,
    assessment: Assessment,
    answers: dict[str, int | None],
    scores: AssessmentScores,
) -> None:
    values = {"answers": answers, "completeness": scores.completeness}
    history.update(session, actor, assessment, values, citizen_id=follow_up.citizen_id)
    stored = {
        s.scale_id: s
        for s in session.exec(
            select(AssessmentScore).where(col(AssessmentScore.assessment_id) == assessment.id)
        ).all()
    }
    _save_scores(session, actor, follow_up, assessment, scores, stored=stored)


def _save_scores(
    session: Session,
    actor: Actor,
    follow_up: FollowUp,
    assessment: Assessment,
    scores: AssessmentScores,
    *,
    stored: dict[str, AssessmentScore],
) -> None:
    """Insert or update the assessment's score on each scale (`stored`: its rows by scale)."""
    for scale_id, score in scores.scales.items():
        values: dict[str, Any] = {
            "value": score.value,
            "raw": score.raw,
            "n_answered": score.n_answered,
            "prorated": score.prorated,
        }
        row = stored.get(scale_id)
        if row is None:
            row = AssessmentScore(
                assessment_id=assessment.id,  # type: ignore[arg-type]
                questionnaire_id=assessment.questionnaire_id,
                scale_id=scale_id,
                **values,
            )
            history.insert(session, actor, row, citizen_id=follow_up.citizen_id)
        else:
            history.update(session, actor, row, values, citizen_id=follow_up.citizen_id)


def _delete(session: Session, actor: Actor, follow_up: FollowUp, assessment: Assessment) -> None:
    """Remove an assessment whose every answer was cleared, recording what was removed."""
    rows = session.exec(
        select(AssessmentScore).where(col(AssessmentScore.assessment_id) == assessment.id)
    ).all()
    for row in [*rows, assessment]:
        _history_delete(session, actor, follow_up, row)
    for row in rows:
        session.delete(row)
    session.flush()
    session.delete(assessment)
    session.flush()


def _history_delete(session: Session, actor: Actor, follow_up: FollowUp, row: SQLModel) -> None:
    record_change(
        session=session,
        user_id=actor.user_id,
        action="delete",
        entity=row.__tablename__,  # type: ignore[arg-type]
        entity_id=getattr(row, "id", None),
        citizen_id=follow_up.citizen_id,
        changes={k: [v, None] for k, v in snapshot(row).items()},
    )
