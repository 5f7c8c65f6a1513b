"""What reports need to know about a questionnaire scale, and where its reliability comes from.

Reliability, reference SD, norms and bands come from the questionnaire definition (the registry);
without a reliability in the definition, Cronbach's alpha of the baseline items is used
(`del_tool.stats.scale_reliability`), and the report says which.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlmodel import Session

from del_tool.questionnaires import QuestionnaireDefinition, Registry, Scale
from del_tool.questionnaires.errors import UnknownQuestionnaireError
from del_tool.reports.common import queries, score_queries
from del_tool.reports.common.labels import Text, language
from del_tool.reports.common.labels import lazy as _l
from del_tool.stats import ScaleReliability, jacobson_truax_cutoff

FUNCTIONING = "del_functioning"
FUNCTIONING_MEAN = "mean"
#: WHO-5 well-being: the self-reported headline scale beside functioning.
WELLBEING = ("who5", "wellbeing")


@dataclass(frozen=True, slots=True)
class ScaleInfo:
    """A scale of a questionnaire with the figures the definition gives for it."""

    definition: QuestionnaireDefinition
    scale: Scale

    @property
    def key(self) -> str:
        """ "questionnaire.scale"."""
        return f"{self.definition.id}.{self.scale.id}"

    @property
    def title(self) -> Text:
        """ "Questionnaire: scale" in the reader's language."""
        definition, scale = self.definition, self.scale
        return Text(lambda: f"{definition.title(language())}: {scale.title(language())}")

    @property
    def higher_is_better(self) -> bool:
        """Whether a higher score is better."""
        return self.scale.higher_is_better

    @property
    def multi_item(self) -> bool:
        """Scales of two or more items get trajectories and reliable change."""
        return len(self.scale.items) >= 2

    @property
    def reference_sd(self) -> float | None:
        """The published SD to use for the standard error of measurement, if given."""
        return self.scale.reference_sd.value if self.scale.reference_sd else None

    def cutoff(self) -> tuple[float | None, Any]:
        """The clinical cut-off for "recovered", and where it comes from (or None, reason).

        From clinical and functional norms: Jacobson-Truax cut-off c. Otherwise, with exactly
        two bands, the boundary between them. Otherwise none.
        """
        norms = self.scale.norms
        if norms is not None and norms.clinical is not None and norms.functional is not None:
            value = jacobson_truax_cutoff(
                "c",
                dysfunctional_mean=norms.clinical.mean,
                dysfunctional_sd=norms.clinical.sd,
                functional_mean=norms.functional.mean,
                functional_sd=norms.functional.sd,
                higher_is_better=self.higher_is_better,
            )
            return value, _l("grænse c fra definitionens kliniske og raske normer")
        bands = sorted(self.scale.bands, key=lambda band: band.from_)
        if len(bands) == 2:
            value = (bands[0].to + bands[1].from_) / 2
            return value, _l("grænsen mellem definitionens to niveauer")
        return None, _l("definitionen giver ingen klinisk grænse: kun pålidelig ændring")


def ordered_scales(registry: Registry, keys: Iterable[tuple[str, str]]) -> list[ScaleInfo]:
    """ScaleInfo for (questionnaire, scale) keys known to the registry, in report order.

    Order: the functioning profile first (its mean, then the themes), then other
    questionnaires by id, each in the definition's scale order.
    """
    wanted = set(keys)
    out: list[ScaleInfo] = []
    qids = sorted({q for q, _ in wanted}, key=lambda q: (q != FUNCTIONING, q))
    for qid in qids:
        try:
            definition = registry.get(qid)
        except UnknownQuestionnaireError:
            continue
        scales = sorted(definition.scales, key=lambda s: s.id != FUNCTIONING_MEAN)
        out.extend(ScaleInfo(definition, s) for s in scales if (qid, s.id) in wanted)
    return out


def baseline_items(
    session: Session, sel: queries.StaySelection, info: ScaleInfo, cache: dict[str, pd.DataFrame]
) -> pd.DataFrame:
    """The scale's baseline item answers (reverse items reversed), one row per assessment.

    Reliability belongs to the instrument, not to one unit: the answers are those of every
    baseline in the region up to the end of the period, whatever the report's scope and filters,
    so that small scopes get a stable estimate and all scopes the same one.
    """
    qid = info.definition.id
    if qid not in cache:
        everyone = queries.StaySelection(None, date.min, sel.end)
        items = [item.id for item in info.definition.items]
        cache[qid] = score_queries.baseline_answers(session, everyone, qid, items)
    answers = cache[qid]
    spec = info.scale.spec
    frame = pd.DataFrame(
        {item: answers[item] if item in answers else pd.Series(dtype=float) for item in spec.items}
    )
    for item, low, high in zip(spec.items, spec.low, spec.high, strict=True):
        if item in spec.reverse:
            frame[item] = low + high - frame[item]
    return frame


def reliability_text(result: ScaleReliability) -> Text:
    """Where the reliability came from, for the report."""
    if result.source == "definition":
        return _l("definitionen")
    if result.source == "test_retest":
        from del_tool.reports.common.reference import retest_days  # it imports this module

        if result.n is None:  # frozen: the pairs' count is not kept
            return _l(
                "test-retest, ICC(2,1) af to målinger højst %(d)s dage fra hinanden",
                d=retest_days(),
            )
        return _l(
            "test-retest, ICC(2,1) af to målinger højst %(d)s dage fra hinanden (n = %(n)s)",
            d=retest_days(),
            n=result.n,
        )
    if result.source == "cronbach_alpha":
        return _l("Cronbachs alfa, alle baseline-svar (n = %(n)s)", n=result.n or 0)
    return _l("ingen")
