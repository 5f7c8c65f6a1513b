"""Regional and municipal offers benchmarked on identical measures (issue #17 item 2).

The framework agreement between the region and the municipalities asks for a model that
benchmarks the regional and the municipal social offers against each other, so both can learn
from the best. DEL compares offers only where the measures are identical: the same instrument and
scale (DEL's functioning profile, 0-4, and the share of each citizen's goals met), the same
target group (the units' own target group) and the same period. Within a target group served by
both kinds of operator, every offer is set beside the others with the learning report's funnel
plots, its table and the comparison adjusted for the citizens' level at admission; then the
regional offers together beside the municipal offers together, adjusted the same way.

Who sees whom: the offers in the report's own scope are named; the others are "Tilbud A, B, C"
unless `BENCHMARK_OPEN` is set. The letters follow a keyed hash of the unit and the period, not
the names, sizes or places, so their order tells nothing, and they change from period to period;
nothing else is shown beside a letter (no municipality, places or operator). A report at region
scope (the region's analyst) names every offer. An offer with fewer than k citizens in a measure
is left out (k as everywhere), and the report says how many were.
"""

from __future__ import annotations

import hashlib
import hmac
import string
from typing import Any

import pandas as pd
from flask import current_app

from del_tool.organisation.models import TargetGroup
from del_tool.organisation.operators import unit_operators
from del_tool.reports.benchmark.funnels import unit_counts, unit_goals
from del_tool.reports.common import queries
from del_tool.reports.common.context import ReportContext, make_context
from del_tool.reports.common.frames import latest_reviews
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Section
from del_tool.reports.common.selection import ReportScope

REGIONAL, MUNICIPAL = "regional", "municipal"

CONCLUSIONS = _l(
    "Hvad man kan slutte: om et tilbud ligger over eller under de andre med samme målgruppe, "
    "målt med samme redskab i samme periode, og hvor sikkert det er (tragtens grænser og de "
    "justerede intervaller). Hvad man ikke kan slutte: at det ene tilbud er bedre end det "
    "andet af sig selv. Borgerne er ikke fordelt tilfældigt, den justerede sammenligning tager "
    "kun højde for udgangsniveauet, og små tilbud svinger meget. Brug forskellene som "
    "anledning til at spørge og lære af hinanden, ikke som dom."
)


def open_benchmark() -> bool:
    """Whether an administrator made the benchmark open (every offer named)."""
    return bool(current_app.config.get("BENCHMARK_OPEN", False))


def benchmark_sections(ctx: ReportContext) -> list[Section]:
    """One section per target group of the report's units that both the region and a
    municipality serve: every offer of that group side by side, then the two kinds of operator.
    """
    from del_tool.reports.learning.report import Level, units_section

    operators = unit_operators(ctx.session)
    groups = queries.unit_target_groups(ctx.session, None)["target_group"]
    own = set(operators) if ctx.scope.unit_ids is None else set(ctx.scope.unit_ids)
    sections = []
    for group in sorted({groups[u] for u in own if u in groups.index}, key=str):
        members = frozenset(int(u) for u in groups.index[groups == group])
        kinds = {MUNICIPAL if operators.get(u) else REGIONAL for u in members}
        if kinds != {REGIONAL, MUNICIPAL}:
            continue
        label = TargetGroup(group).label
        sub = make_context(
            session=ctx.session,
            scope=ReportScope("region", None, str(label), members),
            period=ctx.period,
            viewer=None,
            registry=ctx.registry,
            today=ctx.today,
            check_access=False,
        )
        stays, functioning, latest = _inputs(sub)
        kept, left_out = _enough(stays, functioning, latest, ctx.k)
        stays = stays[stays["unit"].isin(kept)]
        names = _names(sub, kept, own, ctx)
        level = Level(
            f"benchmark_{group}",
            _l("Regionale og kommunale tilbud: %(group)s", group=label),
            _l("Tilbud"),
            _l("Sammenligning kræver mindst to tilbud med nok borgere i målgruppen."),
            _l("Tilbud uden for grænsen på 99,8 %"),
            section=f"benchmark_{group}",
            figure=f"benchmark_{group}_outside",
        )
        if len(kept) < 2:
            section = Section(level.section, level.title, messages=[level.too_few])
        else:
            section = units_section(sub, stays, functioning, latest, level, names)
        section.question = _l("Rammeaftalen: benchmark af regionale og kommunale tilbud")
        section.intro = _l(
            "Alle tilbud med målgruppen %(group)s, regionale og kommunale, på de samme mål: "
            "funktionsevneprofilen (0-4) og andelen af borgerens mål, der er nået, i samme "
            "periode. %(named)s",
            group=label,
            named=_l("Alle tilbud er navngivet.")
            if names.attrs.get("open")
            else _l(
                "Rapportens egne tilbud er navngivet; de andre hedder tilbud A, B, C i en "
                "tilfældig rækkefølge, der skifter fra periode til periode."
            ),
        )
        if left_out:
            section.messages.append(
                _l(
                    "%(n)s tilbud med færre end %(k)s borgere i et af målene er udeladt.",
                    n=left_out,
                    k=ctx.k,
                )
            )
        if len(kept) >= 2:
            _add_operators(section, sub, stays, functioning, latest, operators)
        section.messages.append(CONCLUSIONS)
        sections.append(section)
    return sections


def _inputs(ctx: ReportContext) -> tuple[pd.DataFrame, Any, pd.DataFrame]:
    from del_tool.reports.effect.report import functioning_in_period

    stays = ctx.stays()
    functioning = functioning_in_period(ctx)
    reviews = queries.goal_reviews(ctx.session, ctx.sel, since=ctx.period.start)
    return stays, functioning, latest_reviews(reviews)


def _enough(
    stays: pd.DataFrame, functioning: Any, latest: pd.DataFrame, k: int
) -> tuple[set[int], int]:
    """The units with at least k citizens in each measure they have (and how many are not)."""
    counts = unit_counts(functioning, stays)
    goals = unit_goals(latest, stays)
    units = set(stays["unit"].unique())
    kept = set()
    for unit in units:
        pairs = int(counts["pairs"].get(unit, 0)) if len(counts) else 0
        citizens = int(goals["citizens"].get(unit, 0)) if len(goals) else 0
        if pairs >= k and (citizens == 0 or citizens >= k):
            kept.add(int(unit))
    return kept, len(units - kept)


def _names(sub: ReportContext, kept: set[int], own: set[int], ctx: ReportContext) -> pd.Series:
    """Own offers by name, the others by letter (all by name when open or at region scope)."""
    names = sub.units()["name"]
    everyone = open_benchmark() or ctx.scope.unit_ids is None
    if everyone:
        result = names.copy()
        result.attrs["open"] = True
        return result
    period = f"{ctx.period.start}:{ctx.period.end}"
    others = sorted((u for u in kept if u not in own), key=lambda u: _shuffle_key(u, period))
    letters = {u: _l("Tilbud %(letter)s", letter=_letter(i)) for i, u in enumerate(others)}
    result = pd.Series(
        {u: names[u] if u in own else letters.get(u, "") for u in names.index}, dtype=object
    )
    result.attrs["open"] = False
    return result


def _letter(index: int) -> str:
    """A, B, ..., Z, AA, AB, ..."""
    letters = string.ascii_uppercase
    return letters[index] if index < 26 else letters[index // 26 - 1] + letters[index % 26]


def _shuffle_key(unit: int, period: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"benchmark:{period}:{unit}".encode(), hashlib.sha256).hexdigest()


def _add_operators(
    section: Section,
    sub: ReportContext,
    stays: pd.DataFrame,
    functioning: Any,
    latest: pd.DataFrame,
    operators: dict[int, str | None],
) -> None:
    """The regional offers together beside the municipal offers together (table and adjusted
    comparison, no funnels: two points make no funnel)."""
    from del_tool.reports.learning.report import Level, units_section

    kind = {u: MUNICIPAL if operators.get(u) else REGIONAL for u in stays["unit"].unique()}
    by_kind = stays.assign(unit=stays["unit"].map(kind))
    names = pd.Series({REGIONAL: _l("Regionale tilbud"), MUNICIPAL: _l("Kommunale tilbud")})
    level = Level(
        f"{section.key}_operators",
        _l("Regionale og kommunale tilbud samlet"),
        _l("Driftsherre"),
        _l("Sammenligning kræver borgere i både regionale og kommunale tilbud."),
        _l("Grupper uden for grænsen på 99,8 %"),
        section=f"{section.key}_operators",
        figure=f"{section.key}_operators_outside",
    )
    together = units_section(sub, by_kind, functioning, latest, level, names)
    section.tables.extend(together.tables)
    section.charts.extend(c for c in together.charts if "adjusted" in c.key)
    section.messages.extend(m for m in together.messages if m is not level.too_few)
