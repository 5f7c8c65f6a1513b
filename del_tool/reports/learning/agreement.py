"""Staff and citizen side by side (issue #22 item 9): do the two perspectives on a goal agree?

At each goal review the staff rate the citizen's functioning in the goal's area (0 no reduced
functioning to 4 complete) and the citizen rates how it goes (1 very bad to 5 very good). The
two are different questions on scales of the same length, so DEL compares them on one 5-point
scale on which 5 is best: the staff's level as 5 - level (0 -> 5, 4 -> 1) beside the citizen's
rating. It is a measure of convergence between two perspectives, not of two raters scoring
one instrument: low agreement says that staff and citizen see the goal differently, which is a
matter for the next conversation, not an error of either.

Per unit (and for all units, also quarter by quarter), over the latest review of each goal
in the period that has both ratings: Cohen's weighted kappa with linear weights and its 95 % CI
(Fleiss, Cohen & Everitt 1969; `stats.agreement.weighted_kappa`) on the five fixed categories,
and Bland-Altman's bias (citizen - staff) with limits of agreement (Bland & Altman 1999). A unit
needs AGREEMENT_MIN_PAIRS reviews of at least k citizens to be shown.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from del_tool.reports.common import frames, queries
from del_tool.reports.common.context import ReportContext
from del_tool.reports.common.labels import fmt
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Column, KeyFigure, Section, Table
from del_tool.reports.learning.sections import trend_quarters
from del_tool.stats.agreement import limits_of_agreement, weighted_kappa

AGREEMENT_MIN_PAIRS = 10
CATEGORIES = (1, 2, 3, 4, 5)
COLUMNS = (
    Column("unit", _l("Tilbud")),
    Column("n", _l("Målvurderinger (n)"), "int"),
    Column("kappa", _l("Vægtet kappa"), "float", 2),
    Column("kappa_low", _l("95 % KI, nedre"), "float", 2),
    Column("kappa_high", _l("95 % KI, øvre"), "float", 2),
    Column("bias", _l("Borger minus medarbejder"), "signed", 2),
    Column("lower", _l("Nedre grænse for enighed"), "signed", 2),
    Column("upper", _l("Øvre grænse for enighed"), "signed", 2),
    Column("note", _l("Bemærkning")),
)


def paired_ratings(latest: pd.DataFrame, stays: pd.DataFrame) -> pd.DataFrame:
    """The latest reviews with both ratings: unit, citizen, staff (5 - level), citizen."""
    both = latest.dropna(subset=["level", "rating"])
    if both.empty:
        return pd.DataFrame(columns=["unit", "citizen", "staff", "own"])
    by_stay = stays.set_index("stay")
    return pd.DataFrame(
        {
            "unit": both["stay"].map(by_stay["unit"]).to_numpy(),
            "citizen": both["stay"].map(by_stay["citizen"]).to_numpy(),
            "staff": (5 - both["level"].astype(float)).to_numpy(),
            "own": both["rating"].astype(float).to_numpy(),
        }
    )


def _row(label: Any, pairs: pd.DataFrame, k: int) -> list[Any]:
    n, citizens = len(pairs), pairs["citizen"].nunique()
    if n < AGREEMENT_MIN_PAIRS or citizens < k:
        why = _l(
            "For få: mindst %(n)s målvurderinger af mindst %(k)s borgere.",
            n=AGREEMENT_MIN_PAIRS,
            k=k,
        )
        return [label, n, None, None, None, None, None, None, why]
    kappa = weighted_kappa(pairs["staff"], pairs["own"], weights="linear", categories=CATEGORIES)
    limits = limits_of_agreement(pairs["staff"], pairs["own"])
    low, high = kappa.ci if kappa.ci is not None else (None, None)
    note = (
        None if kappa.reason is None else _l("Kappa kan ikke beregnes: %(why)s", why=kappa.reason)
    )
    return [label, n, kappa.kappa, low, high, limits.bias, limits.lower, limits.upper, note]


def _by_quarter(ctx: ReportContext) -> Table:
    """All units' agreement quarter by quarter (the learning trend's quarters)."""
    quarters = trend_quarters(ctx)
    sel = queries.StaySelection(
        ctx.scope.unit_ids, quarters[0].start, quarters[-1].end, ctx.filters
    )
    stays = queries.stays(ctx.session, sel)
    reviews = queries.goal_reviews(ctx.session, sel, since=sel.start)
    rows = []
    for q in quarters:
        latest = frames.latest_reviews(frames.between(reviews, q.start, q.end))
        rows.append(_row(q.key, paired_ratings(latest, stays), ctx.k))
    return Table(
        "learning_agreement_quarters",
        _l("Enighed kvartal for kvartal, alle tilbud"),
        (Column("quarter", _l("Kvartal")), *COLUMNS[1:]),
        rows,
        note=_l("Som tabellen ovenfor, for hvert kvartals seneste vurdering af hvert mål."),
    )


def agreement_section(
    latest: pd.DataFrame, stays: pd.DataFrame, names: pd.Series, ctx: ReportContext
) -> Section:
    """The agreement table per unit and for all units, quarter by quarter, and the overall
    kappa as a figure."""
    k = ctx.k
    section = Section(
        "agreement",
        _l("Medarbejdere og borgere: ser de målet ens?"),
        intro=_l(
            "Ved hver målvurdering vurderer medarbejderen funktionsevnen på målets område "
            "(0-4), og borgeren vurderer selv, hvordan det går (1-5). Her sammenlignes de på én "
            "skala fra 1 til 5, hvor 5 er bedst (medarbejderens niveau som 5 minus niveauet). "
            "Lav enighed betyder, at de ser målet forskelligt: et emne for næste samtale, ikke "
            "en fejl hos nogen af dem."
        ),
    )
    pairs = paired_ratings(latest, stays)
    rows = [
        _row(names.get(unit, str(unit)), group, k)
        for unit, group in sorted(pairs.groupby("unit"), key=lambda g: str(names.get(g[0], "")))
    ]
    total = _row(_l("Alle tilbud"), pairs, k)
    rows.append(total)
    section.tables.append(
        Table(
            "learning_agreement",
            _l("Enighed mellem medarbejder og borger pr. tilbud"),
            COLUMNS,
            rows,
            note=_l(
                "Seneste målvurdering af hvert mål i perioden med begge vurderinger. Vægtet "
                "kappa med lineære vægte på de fem trin (Cohen 1968) med 95 %% KI (Fleiss, "
                "Cohen & Everitt 1969): 1 er fuld enighed, 0 ikke mere end tilfældigt. Borger "
                "minus medarbejder er den gennemsnitlige forskel på skalaen 1-5 (positiv: "
                "borgeren vurderer det bedre); grænserne for enighed rummer 95 %% af "
                "forskellene (Bland & Altman 1999)."
            ),
        )
    )
    section.tables.append(_by_quarter(ctx))
    kappa, low, high = total[2], total[3], total[4]
    section.figures.append(
        KeyFigure(
            "agreement",
            _l("Enighed mellem medarbejder og borger (vægtet kappa)"),
            kappa,
            kind="float",
            decimals=2,
            note=(
                _l(
                    "95 %% KI %(low)s til %(high)s; n = %(n)s målvurderinger",
                    low=fmt(low, 2),
                    high=fmt(high, 2),
                    n=total[1],
                )
                if kappa is not None and low is not None
                else None
            ),
            reason=total[8] if kappa is None else None,
        )
    )
    return section
