"""Short texts for the profile page: the scores of a follow-up in one line each."""

from __future__ import annotations

from flask_babel import format_decimal

from del_tool.citizens.profile import FollowUpView
from del_tool.questionnaires import Registry, UnknownQuestionnaireError

#: The functioning profile's summary scale: the timeline shows it instead of the six themes.
FUNCTIONING_ID, FUNCTIONING_SUMMARY = "del_functioning", "mean"


def score_lines(
    follow_ups: list[FollowUpView], registry: Registry, lang: str
) -> dict[int, list[str]]:
    """Per follow-up id, lines such as "PHQ-9: Depressive symptomer 12 (Moderat)"."""
    lines: dict[int, list[str]] = {}
    for view in follow_ups:
        out = lines.setdefault(view.follow_up.id or 0, [])
        for score in view.scores:
            if score.questionnaire_id == FUNCTIONING_ID and score.scale_id != FUNCTIONING_SUMMARY:
                continue
            try:
                definition = registry.get(score.questionnaire_id, score.questionnaire_version)
                scale = definition.scale(score.scale_id)
            except (UnknownQuestionnaireError, KeyError):
                out.append(f"{score.questionnaire_id}/{score.scale_id}: {_num(score.value)}")
                continue
            band = scale.band_for(score.value)
            text = f"{definition.title(lang)}: {scale.title(lang)} {_num(score.value)}"
            out.append(f"{text} ({band.label(lang)})" if band else text)
    return lines


def _num(value: float | None) -> str:
    return "–" if value is None else str(format_decimal(value, format="#,##0.#"))
