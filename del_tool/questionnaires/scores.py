"""The result of scoring one assessment: a score per scale and the share of items answered."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class ScaleScore:
    """One scale's score; ``value``/``raw``/``band`` are None when too few items were answered."""

    value: float | None
    raw: float | None
    n_answered: int
    n_items: int
    prorated: bool
    band: str | None

    @property
    def scored(self) -> bool:
        """Whether enough items were answered to give a score."""
        return self.value is not None


@dataclass(frozen=True)
class AssessmentScores:
    """Scores of every scale of one assessment, and completeness (answered items / items)."""

    scales: dict[str, ScaleScore]
    completeness: float

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, e.g. to store with the assessment."""
        return {
            "completeness": self.completeness,
            "scales": {scale_id: asdict(score) for scale_id, score in self.scales.items()},
        }
