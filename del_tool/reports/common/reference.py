"""One reliable-change reference per instrument version and scale (issue #16, item 1).

Jacobson & Truax's threshold is 1.96 * S_diff with S_diff = SD * sqrt(2) * sqrt(1 - r). Taken
from whatever the report covers, the SD differs between a unit's report, its centre's and the
region's, and so does the unit's share reliably improved. DEL uses one reference per scale
instead:

- the SD and reliability the questionnaire definition gives (its norm population), where it
  gives them;
- otherwise those of the whole deployment's baseline scores (every unit, every stay: the SD of
  the baseline scale scores, Cronbach's alpha of the baseline item answers; for a single-item
  scale, which has no alpha, the test-retest ICC of each stay's first two measurements at most
  REFERENCE_RETEST_DAYS apart, `stats.retest`), frozen in
  `scale_references` the first time at least `REFERENCE_MIN_BASELINES` baselines exist, so
  later data and multi-year trends do not move it. Until then the reference is computed afresh
  and marked provisional.

Every report says which reference it used (`Reference.describe`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd
from flask import current_app, has_app_context
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from del_tool.reports.common import queries, score_queries
from del_tool.reports.common.labels import Text, fmt
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.scales import ScaleInfo, baseline_items
from del_tool.reports.models import ScaleReference
from del_tool.stats import ScaleReliability, retest_reliability, scale_reliability

#: Baselines needed before a deployment's reference is frozen (REFERENCE_MIN_BASELINES).
DEFAULT_MIN_BASELINES = 30
#: Test-retest pairs are a stay's first two measurements at most this many days apart.
DEFAULT_RETEST_DAYS = 30


@dataclass(frozen=True, slots=True)
class Reference:
    """The SD and reliability behind a scale's reliable change, and where they came from."""

    sd: float | None
    sd_source: str  # "definition", "deployment" or "none"
    reliability: ScaleReliability
    n: int
    frozen_at: Any = None

    def describe(self) -> Text:
        """One sentence for the methods: which SD and reliability, from where, since when."""
        if self.sd_source == "definition":
            sd = _l("SD %(sd)s fra definitionens normgruppe", sd=fmt(self.sd, 2))
        elif self.sd is None:
            sd = _l("ingen SD")
        elif self.frozen_at is not None:
            sd = _l(
                "SD %(sd)s af %(n)s baseline-målinger i hele DEL, fastlåst %(day)s",
                sd=fmt(self.sd, 2),
                n=self.n,
                day=self.frozen_at.strftime("%d.%m.%Y"),
            )
        else:
            sd = _l(
                "SD %(sd)s af %(n)s baseline-målinger i hele DEL (foreløbig: låses ved "
                "%(min)s målinger)",
                sd=fmt(self.sd, 2),
                n=self.n,
                min=min_baselines(),
            )
        return _l("Reference for pålidelig ændring: %(sd)s.", sd=sd)


def retest_days() -> int:
    """REFERENCE_RETEST_DAYS: how far apart two measurements may be for test-retest."""
    if has_app_context():
        return int(current_app.config.get("REFERENCE_RETEST_DAYS", DEFAULT_RETEST_DAYS))
    return DEFAULT_RETEST_DAYS


def min_baselines() -> int:
    """REFERENCE_MIN_BASELINES of the app (30 outside one)."""
    if has_app_context():
        return int(current_app.config.get("REFERENCE_MIN_BASELINES", DEFAULT_MIN_BASELINES))
    return DEFAULT_MIN_BASELINES


def scale_reference(session: Session, info: ScaleInfo, cache: dict[str, pd.DataFrame]) -> Reference:
    """The scale's reference: the frozen one, else computed now (and frozen when it may be)."""
    stored = _stored(session, info)
    if stored is not None:
        frozen = _from_row(stored)
        if frozen.reliability.value is not None or info.scale.reliability is not None:
            return frozen
        # Frozen without a reliability (a single item): test-retest pairs may have come since.
        retest = _retest(_scale_scores(session, info))
        if retest.value is not None:
            _store_retest(session, info, retest)
        return replace(frozen, reliability=retest)
    reference = _computed(session, info, cache)
    if reference.sd_source == "deployment" and reference.n >= min_baselines():
        frozen = _freeze(session, info, reference)
        if frozen.reliability.value is None:  # say what was looked for (test-retest pairs)
            return replace(frozen, reliability=reference.reliability)
        return frozen
    return reference


def _scale_scores(session: Session, info: ScaleInfo) -> pd.DataFrame:
    """Every score of the scale in the deployment."""
    return score_queries.scores(
        session,
        queries.StaySelection(None, date.min, date.max),
        since=None,
        questionnaires=[info.definition.id],
        scales=[info.scale.id],
    )


def _retest(scores: pd.DataFrame) -> ScaleReliability:
    """The test-retest reliability of the scores (no value, and no reason text of its own,
    when too few pairs: the report words that itself)."""
    retest = retest_reliability(
        scores[["stay", "date", "value"]], max_days=retest_days(), min_pairs=min_baselines()
    )
    return retest if retest.value is not None else replace(retest, reason=None)


def _store_retest(session: Session, info: ScaleInfo, retest: ScaleReliability) -> None:
    """Fill a frozen reference's missing reliability with the test-retest one (once: a
    reference that has a reliability is never changed)."""
    from del_tool.db import reads_only, write_session

    def fill(target: Session) -> None:
        row = _stored(target, info)
        if row is not None and row.reliability is None:
            row.reliability, row.reliability_source = retest.value, "test_retest"
            target.add(row)
            target.flush()

    if reads_only(session):
        with write_session() as writer:
            fill(writer)
    else:
        fill(session)


def _computed(session: Session, info: ScaleInfo, cache: dict[str, pd.DataFrame]) -> Reference:
    everyone = queries.StaySelection(None, date.min, date.max)
    scores = _scale_scores(session, info)
    baselines = scores[scores["baseline"]].sort_values(["stay", "date"], kind="stable")
    values = baselines.drop_duplicates("stay")["value"].astype(float)
    published = info.scale.reliability
    reliability = (
        scale_reliability(published.value, None)
        if published is not None
        else scale_reliability(None, baseline_items(session, everyone, info, cache))
    )
    if published is None and reliability.value is None:  # one item: no alpha
        reliability = _retest(scores)
    if info.reference_sd is not None:
        return Reference(info.reference_sd, "definition", reliability, len(values))
    sd = float(values.std(ddof=1)) if len(values) >= 2 else None
    return Reference(sd, "deployment" if sd is not None else "none", reliability, len(values))


def _stored(session: Session, info: ScaleInfo) -> ScaleReference | None:
    return session.exec(
        select(ScaleReference).where(
            col(ScaleReference.questionnaire_id) == info.definition.id,
            col(ScaleReference.version) == str(info.definition.version),
            col(ScaleReference.scale_id) == info.scale.id,
        )
    ).first()


def _freeze(session: Session, info: ScaleInfo, reference: Reference) -> Reference:
    """Store the reference; when another worker froze one first, theirs is the reference.

    A read session's reference is stored in a short write transaction of its own; a write
    session (a command's) stores it in a savepoint of its own transaction.
    """
    from del_tool.db import get_db, reads_only, write_session

    rel = reference.reliability
    row = ScaleReference(
        questionnaire_id=info.definition.id,
        version=str(info.definition.version),
        scale_id=info.scale.id,
        sd=reference.sd,
        sd_source=reference.sd_source,
        reliability=rel.value,
        reliability_source=rel.source or "none",
        n=reference.n,
    )
    if not reads_only(session):
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            stored = _stored(session, info)
            if stored is None:
                raise
            return _from_row(stored)
        return _from_row(row)
    try:
        with write_session() as writer:
            writer.add(row)
            writer.flush()
            frozen = _from_row(row)
    except IntegrityError:
        with get_db().session(write=False) as session:
            stored = _stored(session, info)
            if stored is None:
                raise
            return _from_row(stored)
    return frozen


def _from_row(row: ScaleReference) -> Reference:
    if row.reliability_source == "definition":
        reliability = scale_reliability(row.reliability, None)
    elif row.reliability is not None and row.reliability_source == "test_retest":
        reliability = ScaleReliability(
            row.reliability,
            "test_retest",
            None,
            None,
            "test-retest ICC(2,1) of the deployment's repeated measurements, frozen",
            None,
        )
    elif row.reliability is not None:
        reliability = ScaleReliability(
            row.reliability,
            "cronbach_alpha",
            row.n,
            None,
            "Cronbach's alpha of the deployment's baseline items, frozen",
            None,
        )
    else:
        reliability = ScaleReliability(None, None, row.n, None, "no reliability", None)
    return Reference(row.sd, row.sd_source, reliability, row.n, row.frozen_at)
