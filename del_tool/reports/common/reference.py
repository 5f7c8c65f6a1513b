"""One reliable-change reference per instrument version and scale (issue #16, item 1).

Jacobson & Truax's threshold is 1.96 * S_diff with S_diff = SD * sqrt(2) * sqrt(1 - r). Taken
from whatever the report covers, the SD differs between a unit's report, its centre's and the
region's, and so does the unit's share reliably improved. DEL uses one reference per scale
instead:

- the SD and reliability the questionnaire definition gives (its norm population), where it
  gives them;
- otherwise those of the whole deployment's baseline scores (every unit, every stay: the SD of
  the baseline scale scores, Cronbach's alpha of the baseline item answers), frozen in
  `scale_references` the first time at least `REFERENCE_MIN_BASELINES` baselines exist, so
  later data and multi-year trends do not move it. Until then the reference is computed afresh
  and marked provisional.

Every report says which reference it used (`Reference.describe`).
"""

from __future__ import annotations

from dataclasses import dataclass
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
from del_tool.stats import ScaleReliability, scale_reliability

#: Baselines needed before a deployment's reference is frozen (REFERENCE_MIN_BASELINES).
DEFAULT_MIN_BASELINES = 30


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


def min_baselines() -> int:
    """REFERENCE_MIN_BASELINES of the app (30 outside one)."""
    if has_app_context():
        return int(current_app.config.get("REFERENCE_MIN_BASELINES", DEFAULT_MIN_BASELINES))
    return DEFAULT_MIN_BASELINES


def scale_reference(session: Session, info: ScaleInfo, cache: dict[str, pd.DataFrame]) -> Reference:
    """The scale's reference: the frozen one, else computed now (and frozen when it may be)."""
    stored = _stored(session, info)
    if stored is not None:
        return _from_row(stored)
    reference = _computed(session, info, cache)
    if reference.sd_source == "deployment" and reference.n >= min_baselines():
        return _freeze(session, info, reference)
    return reference


def _computed(session: Session, info: ScaleInfo, cache: dict[str, pd.DataFrame]) -> Reference:
    everyone = queries.StaySelection(None, date.min, date.max)
    scores = score_queries.scores(
        session,
        everyone,
        since=None,
        questionnaires=[info.definition.id],
        scales=[info.scale.id],
    )
    baselines = scores[scores["baseline"]].sort_values(["stay", "date"], kind="stable")
    values = baselines.drop_duplicates("stay")["value"].astype(float)
    published = info.scale.reliability
    reliability = (
        scale_reliability(published.value, None)
        if published is not None
        else scale_reliability(None, baseline_items(session, everyone, info, cache))
    )
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
