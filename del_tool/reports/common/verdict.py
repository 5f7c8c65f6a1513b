"""The plain-language verdict a report opens with (issue #16, item 4), by written rules.

Every sentence a summary says about a change comes from `judge`, and every comparison from
`compare`, so the wording follows one set of rules, each branch with its test
(`tests/reports/test_verdict.py`):

- **Too few to say**: fewer than `min_n` courses (VERDICT_MIN_N, default 10) measured twice.
- **Clear improvement**: the 95 % confidence interval of the mean change lies wholly on the
  better side and the standardised change |d_z| is at least 0.5 (Cohen's "medium"; Lakens 2013).
- **Improvement**: the interval lies wholly on the better side, the change smaller than that.
- **Deterioration**: the interval lies wholly on the worse side.
- **No reliable change**: the interval holds both better and worse.

The uncertainty is always named (the interval and n), and no sentence claims a cause: the
figures describe how the citizens' scores developed, not what the stay did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from del_tool.reports.common.labels import Text, fmt, number
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Column, Hidden, KeyFigure, Report, Section, Table

#: |d_z| from which an improvement is "clear" (Cohen 1988, "medium" effect).
CLEAR_EFFECT = 0.5
#: Courses measured twice needed before a summary judges a change.
DEFAULT_MIN_N = 10

Category = Literal[
    "too_few", "clear_improvement", "improvement", "no_reliable_change", "deterioration"
]


@dataclass(frozen=True, slots=True)
class Change:
    """A mean change to judge, in the scale's raw direction."""

    label: Any  # what changed, e.g. "funktionsevnen (0-4, lavere er bedre)"
    n: int
    mean: float | None
    ci: tuple[float, float] | None
    higher_is_better: bool
    effect_size: float | None = None  # d_z, raw sign
    decimals: int = 2

    def better(self, value: float) -> float:
        """`value` signed so that positive is better."""
        return value if self.higher_is_better else -value


@dataclass(frozen=True, slots=True)
class Judgement:
    """The category of a change and the sentence that says it."""

    category: Category
    sentence: Text


def judge(change: Change, *, min_n: int = DEFAULT_MIN_N) -> Judgement:
    """The verdict on one change, by the rules of the module."""
    if change.n < min_n or change.mean is None or change.ci is None:
        return Judgement(
            "too_few",
            _l(
                "%(what)s: for få forløb til at sige noget sikkert (n = %(n)s; der skal mindst "
                "%(min)s til).",
                what=change.label,
                n=change.n,
                min=min_n,
            ),
        )
    # Shown as improvement (positive = better), as in the report's tables and charts.
    low, high = sorted((change.better(change.ci[0]), change.better(change.ci[1])))
    values = {
        "what": change.label,
        "change": fmt(change.better(change.mean), change.decimals),
        "low": fmt(low, change.decimals),
        "high": fmt(high, change.decimals),
        "n": change.n,
    }
    if low > 0:
        size = abs(change.effect_size) if change.effect_size is not None else 0.0
        if size >= CLEAR_EFFECT:
            return Judgement(
                "clear_improvement",
                _l(
                    "%(what)s: klar forbedring siden indskrivning. Gennemsnitlig forbedring "
                    "%(change)s (95 %% sikkerhedsinterval %(low)s til %(high)s, n = %(n)s).",
                    **values,
                ),
            )
        return Judgement(
            "improvement",
            _l(
                "%(what)s: en lille, men sikker forbedring siden indskrivning. Gennemsnitlig "
                "forbedring %(change)s (95 %% sikkerhedsinterval %(low)s til %(high)s, n = %(n)s).",
                **values,
            ),
        )
    if high < 0:
        return Judgement(
            "deterioration",
            _l(
                "%(what)s: forværring siden indskrivning. Gennemsnitlig forbedring %(change)s "
                "(95 %% sikkerhedsinterval %(low)s til %(high)s, n = %(n)s).",
                **values,
            ),
        )
    return Judgement(
        "no_reliable_change",
        _l(
            "%(what)s: ingen sikker ændring. Gennemsnitlig forbedring %(change)s, men "
            "sikkerhedsintervallet (%(low)s til %(high)s, n = %(n)s) rummer både forbedring og "
            "forværring.",
            **values,
        ),
    )


Comparison = Literal["better", "similar", "worse", "unknown"]


def compare(ours: Change, theirs: Change, against: Any, *, min_n: int = DEFAULT_MIN_N) -> Text:
    """How `ours` compares with `theirs` (the region, or the previous period): better or worse
    only when the two intervals do not overlap; otherwise "on a level"."""
    verdict = comparison(ours, theirs, min_n=min_n)
    values = {
        "against": against,
        "theirs": fmt(None if theirs.mean is None else theirs.better(theirs.mean), theirs.decimals),
        "n": theirs.n,
    }
    if verdict == "unknown":
        return _l("For få forløb i %(against)s til en sammenligning.", against=against)
    if verdict == "better":
        return _l(
            "Bedre end %(against)s (%(theirs)s, n = %(n)s); forskellen er større end usikkerheden.",
            **values,
        )
    if verdict == "worse":
        return _l(
            "Svagere end %(against)s (%(theirs)s, n = %(n)s); forskellen er større end "
            "usikkerheden.",
            **values,
        )
    return _l(
        "På niveau med %(against)s (%(theirs)s, n = %(n)s): forskellen ligger inden for "
        "usikkerheden.",
        **values,
    )


def comparison(ours: Change, theirs: Change, *, min_n: int = DEFAULT_MIN_N) -> Comparison:
    """The rule behind `compare`."""
    if min(ours.n, theirs.n) < min_n or ours.ci is None or theirs.ci is None:
        return "unknown"
    mine = sorted(ours.better(v) for v in ours.ci)
    other = sorted(theirs.better(v) for v in theirs.ci)
    if mine[0] > other[1]:
        return "better"
    if mine[1] < other[0]:
        return "worse"
    return "similar"


def cost_sentence(cost: float | None, days: float | None, per_year: float | None) -> Text:
    """What the stays cost: tariff x days, beside the outcome."""
    if cost is None or not days:
        return _l("Udgiften kan ikke opgøres: der mangler takster for perioden.")
    if per_year is None:
        return _l(
            "Opholdene kostede %(cost)s kr. for %(days)s opholdsdage (takst gange dage).",
            cost=fmt(cost),
            days=fmt(days),
        )
    return _l(
        "Opholdene kostede %(cost)s kr. for %(days)s opholdsdage (takst gange dage), "
        "%(year)s kr. pr. borgerår.",
        cost=fmt(cost),
        days=fmt(days),
        year=fmt(per_year),
    )


NO_CAUSE = _l(
    "Tallene viser, hvordan borgernes målinger har udviklet sig, ikke hvad der skyldes "
    "indsatsen: borgerne, deres forløb og alt andet i deres liv spiller også ind."
)

#: Terms the reports use, each with a one-line plain reading (the glossary).
GLOSSARY: tuple[tuple[Any, Any], ...] = (
    (
        _l("Sikkerhedsinterval (95 % KI)"),
        _l(
            "Det område, den sande værdi med stor sandsynlighed ligger i; jo færre borgere, jo "
            "bredere."
        ),
    ),
    (
        _l("n"),
        _l("Hvor mange borgere eller forløb tallet bygger på."),
    ),
    (
        _l("Forløb"),
        _l("En borgers ophold i ét tilbud, fra indskrivning til udskrivning."),
    ),
    (
        _l("Baseline"),
        _l("Den første måling, ved indskrivningen; udgangspunktet for ændringen."),
    ),
    (
        _l("d_z (effektstørrelse)"),
        _l(
            "Ændringen målt i forhold til, hvor forskellige borgernes ændringer er; 0,2 er lille, "
            "0,5 middel og 0,8 stor."
        ),
    ),
    (
        _l("Pålidelig ændring"),
        _l("En ændring hos den enkelte borger, der er større end skalaens målefejl."),
    ),
    (
        _l("p-værdi"),
        _l(
            "Hvor let en forskel som den målte opstår af tilfældigheder alene; under 0,05 kaldes "
            "den statistisk sikker."
        ),
    ),
    (
        _l("Tragtdiagram"),
        _l(
            "Viser hvert tilbud mod gennemsnittet; punkter uden for tragten afviger mere, end "
            "tilfældigheder plejer at give."
        ),
    ),
    (
        _l("Borgerår"),
        _l(
            "365 opholdsdage: udgift pr. borgerår gør tilbud af forskellig størrelse "
            "sammenlignelige."
        ),
    ),
    (
        _l("Ventetid"),
        _l(
            "Dage fra kommunens henvendelse til indskrivningen; afviste og tilbagetrukne "
            "henvendelser tæller ikke med."
        ),
    ),
    (
        _l("Prognose og interval"),
        _l(
            "Et fremskrevet bud på de næste kvartaler ud fra niveau og tendens hidtil; "
            "intervallet viser, hvor meget det kan ramme ved siden af, hvis fremtiden varierer "
            "som fortiden."
        ),
    ),
    (
        _l("Tilbagetest (MAPE)"),
        _l(
            "Prognosen lavet et år tidligere, holdt op mod det, der skete: gennemsnitlig "
            "afvigelse i procent af det faktiske."
        ),
    ),
)


def glossary_section() -> Section:
    """The glossary at the end of every report: each term with its plain reading."""
    section = Section("glossary", _l("Ordliste"))
    section.tables.append(
        Table(
            "glossary",
            _l("Ordliste"),
            (Column("term", _l("Ord")), Column("reading", _l("Betyder"))),
            [[term, reading] for term, reading in GLOSSARY],
        )
    )
    return section


def verdict_min_n() -> int:
    """VERDICT_MIN_N of the app (10 outside one)."""
    from flask import current_app, has_app_context

    if has_app_context():
        return int(current_app.config.get("VERDICT_MIN_N", DEFAULT_MIN_N))
    return DEFAULT_MIN_N


def figure_text(figure: KeyFigure) -> Text:
    """A key figure as a plain sentence: "Label: value (note)", or why it is not given."""

    def render() -> str:
        value = figure.value
        if isinstance(value, Hidden) or value is None:
            why = figure.reason if figure.reason is not None else _l("kan ikke vises")
            return f"{figure.label}: {why}"
        if figure.kind == "pct":
            shown = f"{number(100 * float(value), figure.decimals)} %"
        elif figure.kind == "signed":
            text = number(float(value), figure.decimals)
            shown = text if text.startswith("-") or float(value) == 0 else f"+{text}"
        elif figure.kind in ("int", "dkk", "float"):
            shown = number(float(value), figure.decimals if figure.kind == "float" else 0)
        else:
            shown = str(value)
        note = f" ({figure.note})" if figure.note is not None else ""
        return f"{figure.label}: {shown}{note}."

    return Text(render)


def figures_verdict(report: Report, intro: Any = None) -> Section:
    """An opening page of the report's key figures in sentences (kinds without a change to
    judge: documentation, learning, economy)."""
    section = Section("verdict", _l("Resumé"), intro=intro or VERDICT_INTRO)
    for part in report.sections:
        section.messages.extend(figure_text(figure) for figure in part.figures)
    return section


VERDICT_INTRO = _l(
    "Det vigtigste på én side, i almindelige ord. Tallene og metoderne står bagefter, og "
    "ordlisten til sidst forklarer fagordene."
)


def with_verdict(report: Report) -> Report:
    """`report` opening with its verdict and closing with the glossary (added if missing)."""
    keys = [section.key for section in report.sections]
    if "verdict" not in keys:
        report.sections.insert(0, figures_verdict(report))
    if "glossary" not in keys:
        report.sections.append(glossary_section())
    return report
