"""Scale scores for generated assessments, computed a batch at a time with frame scoring.

Scoring row by row through the questionnaire definition costs tens of microseconds per scale;
at national scale (about two million scale scores) that dominated generation. Here the answers of
a batch are scored per questionnaire with `del_tool.stats.scoring.score_frame`, which applies the
same rules (reverse items, prorating, sum or mean, multiplier, range checks), and the score rows
are queued in the order the assessments were made, so ids and values match row-by-row scoring.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from del_tool.demo.writer import RowBuffer
from del_tool.followups.models import AssessmentScore
from del_tool.stats.scoring import score_frame


@dataclass(slots=True)
class _Pending:
    """Assessments of one questionnaire waiting to be scored."""

    definition: Any
    rows: list[int] = field(default_factory=list)  # positions in BatchScorer.order
    answers: list[list[float | None]] = field(default_factory=list)


class BatchScorer:
    """Collects generated assessments and queues their scale scores in one go per batch."""

    def __init__(self, registry: Any) -> None:
        self.registry = registry
        self.definitions: dict[str, Any] = {}
        self.order: list[tuple[int, str]] = []  # (assessment id, questionnaire id)
        self.pending: dict[str, _Pending] = {}
        self.item_ids: dict[str, tuple[str, ...]] = {}

    def definition(self, qid: str) -> Any:
        """The current definition of questionnaire `qid` (looked up once)."""
        found = self.definitions.get(qid)
        if found is None:
            found = self.definitions[qid] = self.registry.get(qid)
        return found

    def completeness(self, definition: Any, answers: dict[str, int | None]) -> float:
        """Share of the definition's items answered (as `QuestionnaireDefinition.score` gives)."""
        ids = self._items(definition)
        return sum(answers.get(item) is not None for item in ids) / len(ids)

    def add(self, definition: Any, assessment_id: int, answers: dict[str, int | None]) -> None:
        """Remember an assessment to score at the next `drain`."""
        pending = self.pending.get(definition.id)
        if pending is None:
            pending = self.pending[definition.id] = _Pending(definition)
        pending.rows.append(len(self.order))
        pending.answers.append([answers.get(item) for item in self._items(definition)])
        self.order.append((assessment_id, definition.id))

    def drain(self, buffer: RowBuffer) -> None:
        """Score everything remembered and queue the AssessmentScore rows in assessment order."""
        scored: list[list[dict[str, Any]]] = [[] for _ in self.order]
        for qid, pending in self.pending.items():
            frame = pd.DataFrame(
                np.array(pending.answers, dtype=float), columns=list(self.item_ids[qid])
            )
            for scale in pending.definition.scales:
                result = score_frame(frame, scale.spec)
                columns = zip(
                    result["value"].tolist(),
                    result["raw"].tolist(),
                    result["n_answered"].tolist(),
                    result["prorated"].tolist(),
                    strict=True,
                )
                for position, (value, raw, n_answered, prorated) in zip(
                    pending.rows, columns, strict=True
                ):
                    scored[position].append(
                        {
                            "questionnaire_id": qid,
                            "scale_id": scale.id,
                            "value": _none_for_nan(value),
                            "raw": _none_for_nan(raw),
                            "n_answered": int(n_answered),
                            "prorated": bool(prorated),
                        }
                    )
        for (assessment_id, _qid), rows in zip(self.order, scored, strict=True):
            for row in rows:
                buffer.add(AssessmentScore, {"assessment_id": assessment_id, **row})
        self.order.clear()
        self.pending.clear()

    def _items(self, definition: Any) -> tuple[str, ...]:
        ids = self.item_ids.get(definition.id)
        if ids is None:
            ids = self.item_ids[definition.id] = tuple(item.id for item in definition.items)
        return ids


def _none_for_nan(value: float) -> float | None:
    return None if math.isnan(value) else value
