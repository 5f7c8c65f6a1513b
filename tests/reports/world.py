"""A small generated world with known properties for the report tests.

Three units in two centres; every citizen has one stay with a baseline and half-yearly
follow-ups (functioning profile always, WHO-5 in unit A), two goals with reviews, and tariffs per
unit and section. The records are kept in plain Python so tests can compute expected figures
directly from them with the stats functions, independently of the report queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from sqlmodel import Session, col, select

from del_tool.citizens.models import Citizen, Sex, Stay
from del_tool.followups.models import (
    Assessment,
    AssessmentScore,
    FollowUp,
    FollowUpKind,
    GoalReview,
    Perspective,
)
from del_tool.goals.models import Goal, GoalDirection, GoalStatus, Theme
from del_tool.organisation.models import LegalSection, TargetGroup, Tariff, Unit

TODAY = date(2026, 10, 1)
THEMES = [t.value for t in Theme]
INTERVAL = 182


@dataclass
class Measurement:
    """One follow-up of a stay: date, kind, item answers and scale scores."""

    day: date
    kind: str
    answers: dict[str, dict[str, int | None]]
    scores: dict[tuple[str, str], float | None]


@dataclass
class GoalRecord:
    """A goal and its reviews (date, level, gas, motivation)."""

    theme: str
    direction: str
    baseline: int
    target: int
    weight: float
    start: date
    reviews: list[tuple[date, int, int | None, int | None]] = field(default_factory=list)
    goal_id: int | None = None


@dataclass
class StayRecord:
    """One citizen's stay with everything recorded for it."""

    unit_id: int
    unit_key: str
    municipality: str
    section: str
    start: date
    end: date | None
    measurements: list[Measurement] = field(default_factory=list)
    goals: list[GoalRecord] = field(default_factory=list)
    stay_id: int | None = None
    citizen_id: int | None = None
    name: str = ""


@dataclass
class World:
    """Units by key, stays, and the tariffs written."""

    units: dict[str, int]
    centres: dict[str, int]
    stays: list[StayRecord]
    tariffs: list[dict[str, Any]]

    def stays_in(self, keys: set[str]) -> list[StayRecord]:
        """The stays of units with these keys."""
        return [s for s in self.stays if s.unit_key in keys]


#: unit key -> (citizens, section, daily tariff, WHO-5 used, mean yearly change in functioning)
PLAN = {
    "A": (12, "107", 3000.0, True, -0.5),
    "B": (9, "108", 2000.0, False, -0.2),
    "C": (7, "85", 500.0, False, 0.0),
}


def _units(session: Session) -> tuple[dict[str, int], dict[str, int]]:
    """Two units of one centre (A, B) and one unit of another (C), from the seeded region."""
    rows = session.exec(select(Unit).order_by(col(Unit.centre_id), col(Unit.id))).all()
    by_centre: dict[int, list[Unit]] = {}
    for unit in rows:
        by_centre.setdefault(unit.centre_id, []).append(unit)
    first, second = [units for units in by_centre.values() if len(units) >= 2][:2]
    units = {"A": first[0].id, "B": first[1].id, "C": second[0].id}
    centres = {"X": first[0].centre_id, "Y": second[0].centre_id}
    return {k: int(v or 0) for k, v in units.items()}, centres


def build_world(session: Session, registry: Any, seed: int = 11) -> World:
    """Write the world into the database (committed) and return its records."""
    rng = np.random.default_rng(seed)
    units, centres = _units(session)
    tariffs = _write_tariffs(session, units)
    stays: list[StayRecord] = []
    for key, (count, section, _rate, who5, slope) in PLAN.items():
        for i in range(count):
            record = _plan_stay(rng, key, units[key], section, i, who5, slope, registry)
            stays.append(record)
    for index, record in enumerate(stays):
        _write_stay(session, record, index, registry)
    session.commit()
    return World(units=units, centres=centres, stays=stays, tariffs=tariffs)


def _write_tariffs(session: Session, units: dict[str, int]) -> list[dict[str, Any]]:
    out = []
    for key, (_n, section, rate, _w, _s) in PLAN.items():
        for year, factor in ((2025, 1.0), (2026, 1.1)):
            row = {
                "unit_id": units[key],
                "section": section,
                "valid_from": date(year, 1, 1),
                "valid_to": date(year, 12, 31),
                "rate": rate * factor,
            }
            out.append(row)
            session.add(
                Tariff(
                    unit_id=units[key],
                    legal_section=LegalSection(section),
                    valid_from=row["valid_from"],
                    valid_to=row["valid_to"],
                    daily_amount=Decimal(f"{row['rate']:.2f}"),
                )
            )
    session.flush()
    return out


def _plan_stay(
    rng: np.random.Generator,
    key: str,
    unit_id: int,
    section: str,
    i: int,
    who5: bool,
    slope: float,
    registry: Any,
) -> StayRecord:
    start = date(2025, 1, 15) + timedelta(days=int(rng.integers(0, 300)))
    municipality = "461" if i % 3 != 2 else "561"
    end = None if i % 4 != 3 else start + timedelta(days=int(rng.integers(200, 500)))
    if end is not None and end >= TODAY:
        end = None
    record = StayRecord(unit_id, key, municipality, section, start, end)
    level = rng.uniform(1.5, 3.2, size=len(THEMES))
    personal = slope + rng.normal(0, 0.25)
    day, kind = start + timedelta(days=3), "baseline"
    last = min(end or TODAY, TODAY - timedelta(days=1))
    if i % 5 == 4:  # follow-ups lapse: overdue by the summer of 2026
        last = min(last, date(2026, 1, 31))
    while day <= last:
        years = (day - start).days / 365.25
        themes = np.clip(np.round(level + personal * years + rng.normal(0, 0.4, len(THEMES))), 0, 4)
        answers: dict[str, dict[str, int | None]] = {
            "del_functioning": {t: int(v) for t, v in zip(THEMES, themes, strict=True)}
        }
        if who5:
            latent = np.clip(2.0 - 2 * personal * years + rng.normal(0, 0.3), 0, 5)
            answers["who5"] = {
                f"q{j}": int(np.clip(round(latent + rng.normal(0, 0.6)), 0, 5)) for j in range(1, 6)
            }
        scores = {}
        for qid, given in answers.items():
            result = registry.get(qid).score(given)
            scores.update({(qid, sid): s.value for sid, s in result.scales.items()})
        record.measurements.append(Measurement(day, kind, answers, scores))
        day, kind = day + timedelta(days=INTERVAL + int(rng.integers(-10, 25))), "follow_up"
    _plan_goals(rng, record)
    return record


def _plan_goals(rng: np.random.Generator, record: StayRecord) -> None:
    first = record.measurements[0]
    for theme, direction in ((THEMES[0], "develop"), (THEMES[3], "maintain")):
        base = int(first.answers["del_functioning"][theme] or 0)
        if direction == "develop" and base == 0:
            direction = "maintain"
        target = max(0, base - 1) if direction == "develop" else base
        goal = GoalRecord(
            theme, direction, base, target, 2.0 if theme == THEMES[0] else 1.0, first.day
        )
        for m in record.measurements[1:]:
            level = int(m.answers["del_functioning"][theme] or 0)
            gas = int(np.clip(target - level, -2, 2))
            goal.reviews.append((m.day, level, gas, int(rng.integers(1, 6))))
        record.goals.append(goal)


def _write_stay(session: Session, record: StayRecord, index: int, registry: Any) -> None:
    citizen = Citizen(
        name=f"Testborger {index:02d}",
        birth_year=1980,
        sex=Sex.FEMALE,
        target_group=TargetGroup.MENTAL_ILLNESS,
    )
    session.add(citizen)
    session.flush()
    stay = Stay(
        citizen_id=citizen.id,
        unit_id=record.unit_id,
        municipality_code=record.municipality,
        legal_section=LegalSection(record.section),
        start_date=record.start,
        end_date=record.end,
    )
    session.add(stay)
    session.flush()
    record.stay_id, record.citizen_id, record.name = stay.id, citizen.id, citizen.name
    for goal in record.goals:
        row = Goal(
            citizen_id=citizen.id,
            stay_id=stay.id,
            theme=Theme(goal.theme),
            title="Mål",
            direction=GoalDirection(goal.direction),
            baseline_level=goal.baseline,
            target_level=goal.target,
            gas_zero="Forventet",
            weight=goal.weight,
            start_date=goal.start,
            status=GoalStatus.ACTIVE,
        )
        session.add(row)
        session.flush()
        goal.goal_id = row.id
    for m in record.measurements:
        _write_measurement(session, record, m, registry)


def _write_measurement(session: Session, record: StayRecord, m: Measurement, registry: Any) -> None:
    follow_up = FollowUp(
        citizen_id=record.citizen_id,
        stay_id=record.stay_id,
        followup_date=m.day,
        kind=FollowUpKind(m.kind),
    )
    session.add(follow_up)
    session.flush()
    for qid, answers in m.answers.items():
        definition = registry.get(qid)
        assessment = Assessment(
            follow_up_id=follow_up.id,
            questionnaire_id=qid,
            questionnaire_version=definition.version,
            perspective=Perspective(definition.perspective),
            answers=answers,
            completeness=1.0,
        )
        session.add(assessment)
        session.flush()
        for (q, scale), value in m.scores.items():
            if q == qid:
                session.add(
                    AssessmentScore(
                        assessment_id=assessment.id,
                        questionnaire_id=qid,
                        scale_id=scale,
                        value=value,
                        raw=value,
                        n_answered=len(answers),
                    )
                )
    for goal in record.goals:
        for day, level, gas, motivation in goal.reviews:
            if day == m.day:
                session.add(
                    GoalReview(
                        follow_up_id=follow_up.id,
                        goal_id=goal.goal_id,
                        level=level,
                        gas_score=gas,
                        motivation=motivation,
                    )
                )
    session.flush()
