"""Simulate one citizen's course through the region: stays, goals, follow-ups and answers.

The model: each theme has a latent functioning level (0-4, 0 best) that changes linearly with
time at a rate set by the unit (unequal effects), the citizen (random slope, motivation) and the
goals worked on; observed levels add noise and are rounded. Well-being (WHO-5), depression
(PHQ-9) and anxiety (GAD-7) follow the same course in their own units. Follow-ups come roughly
every unit interval, some late, some missing; answers are sometimes missing or declined.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from del_tool.demo import profiles
from del_tool.followups.models import FollowUpKind
from del_tool.goals.models import GoalDirection, GoalStatus, Theme
from del_tool.organisation.models import LegalSection, TargetGroup

THEMES = tuple(Theme)


@dataclass(frozen=True, slots=True)
class DemoUnit:
    """What the simulation needs to know about a unit."""

    id: int
    centre_id: int
    target_group: TargetGroup
    sections: tuple[LegalSection, ...]
    interval_days: int
    slope_factor: float  # the unit's own effectiveness (1.0 is typical)
    questionnaires: tuple[str, ...]
    lateness: float = 1.0  # the unit's documentation discipline: 2.0 is twice as often late
    #: The municipality operating the unit (a municipal offer), None for the region's own.
    operator_code: str | None = None
    #: Tariff levels per citizen need and their factor on the unit's tariff (none: one tariff).
    levels: tuple[tuple[str, float], ...] = ()


@dataclass(slots=True)
class SimGoal:
    """A goal as simulated, with its final status."""

    theme: Theme
    direction: GoalDirection
    title: str
    baseline_level: int
    target_level: int
    start_date: date
    gas: bool
    weight: float
    status: GoalStatus = GoalStatus.ACTIVE
    closed_on: date | None = None
    met_streak: int = 0


@dataclass(slots=True)
class SimReview:
    """A goal review: index of the goal in the stay's goal list and the scores."""

    goal_index: int
    level: int
    gas_score: int | None
    citizen_rating: int | None
    motivation: int | None


@dataclass(slots=True)
class SimFollowUp:
    """A follow-up with its reviews and questionnaire answers."""

    date: date
    kind: FollowUpKind
    reviews: list[SimReview] = field(default_factory=list)
    answers: dict[str, dict[str, int | None]] = field(default_factory=dict)


@dataclass(slots=True)
class SimStay:
    """A stay with everything that happened during it."""

    unit: DemoUnit
    municipality_code: str
    section: LegalSection
    start: date
    end: date | None
    goals: list[SimGoal] = field(default_factory=list)
    follow_ups: list[SimFollowUp] = field(default_factory=list)


class CitizenCourse:
    """The latent state of one citizen and the rules that move it."""

    def __init__(self, rng: random.Random, target_group: TargetGroup, age: int) -> None:
        self.rng = rng
        means = profiles.BASELINE_LEVELS[target_group]
        # One shared factor plus a theme-specific part: a citizen who struggles in one area
        # tends to struggle in others, as in real functioning profiles (inter-theme r ~ 0.4).
        general = rng.gauss(0.0, 0.55)
        self.level0 = {
            t: _clip(means[t] + general + rng.gauss(0.0, 0.45), 0.0, 4.0) for t in THEMES
        }
        self.motivation = _clip(rng.gauss(3.3, 0.9), 1.0, 5.0)
        decline_risk = profiles.DECLINE_RISK.get(target_group, 0.0) + (0.1 if age >= 60 else 0.0)
        self.declining = rng.random() < decline_risk
        self.own_slope = rng.gauss(0.0, 0.18) - 0.07 * (self.motivation - 3.0)
        self.who5_0 = _clip(rng.gauss(profiles.WHO5_BASELINE.get(target_group, 50.0), 14), 0, 100)
        self.phq9_0 = _clip(rng.gauss(profiles.PHQ9_BASELINE, 5.0), 0, 27)
        self.gad7_0 = _clip(rng.gauss(profiles.GAD7_BASELINE, 4.5), 0, 21)
        self.origin: date | None = None
        self.slope = 0.0
        self.goal_bonus: dict[Theme, float] = {}

    def enter(self, stay: SimStay) -> None:
        """Start a stay: the unit's effect applies from now on."""
        if self.origin is None:
            self.origin = stay.start
        base = profiles.SECTION_SLOPE[stay.section] * stay.unit.slope_factor
        self.slope = base + self.own_slope + (0.30 if self.declining else 0.0)

    def level(self, theme: Theme, when: date) -> float:
        """Latent level of `theme` at `when`."""
        years = (when - (self.origin or when)).days / 365.25
        slope = self.slope + self.goal_bonus.get(theme, 0.0)
        return _clip(self.level0[theme] + slope * years, 0.0, 4.0)

    def observed(self, theme: Theme, when: date) -> int:
        """A staff rating of `theme`: latent level with rater noise, rounded to 0-4."""
        return int(_clip(round(self.level(theme, when) + self.rng.gauss(0, 0.4)), 0, 4))

    def mean_change(self, when: date) -> float:
        """Average latent change since admission (negative is better)."""
        return sum(self.level(t, when) - self.level0[t] for t in THEMES) / len(THEMES)


def _clip(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def lognormal_days(rng: random.Random, median: int, sigma: float = 0.55) -> int:
    """A positive duration with the given median."""
    return max(14, int(median * math.exp(rng.gauss(0, sigma))))


def follow_up_dates(
    rng: random.Random, stay: SimStay, today: date, window_start: date
) -> list[tuple[date, FollowUpKind]]:
    """Dates of baseline, regular and discharge follow-ups: some late, some missed."""
    end = stay.end or today
    dates: list[tuple[date, FollowUpKind]] = []
    if rng.random() < 0.9:
        dates.append((stay.start + timedelta(days=rng.randint(0, 21)), FollowUpKind.BASELINE))
    due = stay.start + timedelta(days=stay.unit.interval_days)
    while due < end:
        draw = rng.random() / stay.unit.lateness
        if draw < 0.04:
            actual = None  # missed
        elif draw < 0.09:
            actual = due + timedelta(days=rng.randint(101, 200))
        elif draw < 0.24:
            actual = due + timedelta(days=rng.randint(22, 100))
        else:
            actual = due + timedelta(days=int(rng.gauss(0, 10)))
        if actual is not None and actual < end:
            dates.append((actual, FollowUpKind.FOLLOW_UP))
        due = (actual or due) + timedelta(days=stay.unit.interval_days)
    if stay.end is not None and stay.end <= today and rng.random() < 0.7:
        dates.append((stay.end - timedelta(days=rng.randint(0, 10)), FollowUpKind.DISCHARGE))
    cleaned: list[tuple[date, FollowUpKind]] = []
    for when, kind in sorted(dates):
        if when < max(stay.start, window_start) or when > min(end, today):
            continue
        if cleaned and (when - cleaned[-1][0]).days < 14:
            continue
        cleaned.append((when, kind))
    return cleaned
