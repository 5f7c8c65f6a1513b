"""What happens at a follow-up in the simulation: goals set and reviewed, answers given."""

from __future__ import annotations

import random
from datetime import date, timedelta

from del_tool.demo import profiles
from del_tool.demo.simulate import (
    THEMES,
    CitizenCourse,
    SimFollowUp,
    SimGoal,
    SimReview,
    SimStay,
    _clip,
)
from del_tool.followups.models import FollowUpKind
from del_tool.goals.models import GoalDirection, GoalStatus, Theme

#: Extra yearly improvement on a theme while a "develop" goal works on it.
GOAL_EFFECT = -0.15


def choose_direction(rng: random.Random, course: CitizenCourse, baseline: int) -> GoalDirection:
    """Develop most often; maintain or limit loss for those who are declining or already well."""
    weights = (0.2, 0.3, 0.5) if course.declining else (0.65, 0.25, 0.10)
    direction = rng.choices(list(GoalDirection), weights=weights)[0]
    if direction is GoalDirection.DEVELOP and baseline == 0:
        return GoalDirection.MAINTAIN
    return direction


def target_for(rng: random.Random, direction: GoalDirection, baseline: int) -> int:
    """A target level consistent with the direction (0 best)."""
    if direction is GoalDirection.DEVELOP:
        return max(0, baseline - (2 if rng.random() < 0.2 and baseline >= 2 else 1))
    if direction is GoalDirection.MAINTAIN:
        return baseline
    return min(4, baseline + (1 if rng.random() < 0.5 else 0))


def new_goal(
    rng: random.Random, course: CitizenCourse, when: date, exclude: set[Theme]
) -> SimGoal | None:
    """A goal on one of the worse themes not already worked on."""
    candidates = [t for t in THEMES if t not in exclude]
    if not candidates:
        return None
    weights = [course.level(t, when) + 0.5 for t in candidates]
    theme = rng.choices(candidates, weights=weights)[0]
    baseline = course.observed(theme, when)
    direction = choose_direction(rng, course, baseline)
    title = rng.choice(profiles.GOAL_TITLES[theme][direction.value])
    if direction is GoalDirection.DEVELOP:
        course.goal_bonus[theme] = course.goal_bonus.get(theme, 0.0) + GOAL_EFFECT
    return SimGoal(
        theme=theme,
        direction=direction,
        title=title,
        baseline_level=baseline,
        target_level=target_for(rng, direction, baseline),
        start_date=when,
        gas=rng.random() < 0.35,
        weight=2.0 if rng.random() < 0.15 else 1.0,
    )


def set_initial_goals(rng: random.Random, course: CitizenCourse, stay: SimStay, when: date) -> None:
    """One to four goals at admission."""
    count = rng.choices((1, 2, 3, 4), weights=(0.2, 0.4, 0.3, 0.1))[0]
    for _ in range(count):
        goal = new_goal(rng, course, when, {g.theme for g in stay.goals})
        if goal is not None:
            stay.goals.append(goal)


def review_goals(
    rng: random.Random,
    course: CitizenCourse,
    stay: SimStay,
    fu: SimFollowUp,
    levels: dict[Theme, int],
) -> None:
    """Review every active goal started before this follow-up; close or replace met goals."""
    for index, goal in enumerate(list(stay.goals)):
        if goal.status is not GoalStatus.ACTIVE or goal.start_date >= fu.date:
            continue
        level = (
            levels[goal.theme]
            if rng.random() > 0.1
            else int(_clip(levels[goal.theme] + rng.choice((-1, 1)), 0, 4))
        )
        gas = int(_clip(goal.target_level - level, -2, 2)) if goal.gas else None
        rating = int(
            _clip(round(3 + 0.8 * (goal.baseline_level - level) + rng.gauss(0, 0.8)), 1, 5)
        )
        motivation = int(_clip(round(course.motivation + rng.gauss(0, 0.7)), 1, 5))
        fu.reviews.append(
            SimReview(
                goal_index=index,
                level=level,
                gas_score=gas,
                citizen_rating=rating if rng.random() > 0.05 else None,
                motivation=motivation if rng.random() > 0.05 else None,
            )
        )
        _update_status(rng, course, stay, goal, level, fu.date)


def _update_status(
    rng: random.Random, course: CitizenCourse, stay: SimStay, goal: SimGoal, level: int, when: date
) -> None:
    if goal.direction is not GoalDirection.DEVELOP:
        return
    goal.met_streak = goal.met_streak + 1 if level <= goal.target_level else 0
    if goal.met_streak >= 2 or (goal.met_streak == 1 and (when - goal.start_date).days > 300):
        goal.status, goal.closed_on = GoalStatus.ACHIEVED, when
        course.goal_bonus[goal.theme] = course.goal_bonus.get(goal.theme, 0.0) - GOAL_EFFECT
        if rng.random() < 0.6:
            active = {g.theme for g in stay.goals if g.status is GoalStatus.ACTIVE}
            replacement = new_goal(rng, course, when, active | {goal.theme})
            if replacement is not None:
                stay.goals.append(replacement)


def close_goals(stay: SimStay, today: date) -> None:
    """Goals still active when a stay has ended are ended on its last day."""
    if stay.end is None or stay.end > today:
        return
    for goal in stay.goals:
        if goal.status is GoalStatus.ACTIVE:
            goal.status, goal.closed_on = GoalStatus.ENDED, max(stay.end, goal.start_date)


def answer_questionnaires(
    rng: random.Random,
    course: CitizenCourse,
    stay: SimStay,
    fu: SimFollowUp,
    levels: dict[Theme, int],
    item_ids: dict[str, tuple[str, ...]],
) -> None:
    """Answers for the unit's questionnaires; self-reports are sometimes declined."""
    fu.answers[profiles.FUNCTIONING_QUESTIONNAIRE] = {
        t.value: (levels[t] if rng.random() > 0.02 else None) for t in THEMES
    }
    change = course.mean_change(fu.date)  # negative is better
    for qid in stay.unit.questionnaires:
        if qid == profiles.FUNCTIONING_QUESTIONNAIRE or rng.random() < 0.12:
            continue
        if qid == "who5":
            latent = _clip(course.who5_0 - 20.0 * change + rng.gauss(0, 6), 0, 100) / 20.0
            fu.answers[qid] = _items(rng, item_ids[qid], latent, 0.7, 5)
        elif qid == "phq9":
            latent = _clip(course.phq9_0 + 6.0 * change + rng.gauss(0, 2), 0, 27) / 9.0
            fu.answers[qid] = _items(rng, item_ids[qid], latent, 0.6, 3)
        elif qid == "gad7":
            latent = _clip(course.gad7_0 + 5.0 * change + rng.gauss(0, 2), 0, 21) / 7.0
            fu.answers[qid] = _items(rng, item_ids[qid], latent, 0.6, 3)


def _items(
    rng: random.Random, ids: tuple[str, ...], latent: float, noise: float, top: int
) -> dict[str, int | None]:
    """Item answers around a latent item mean; about 3% missing."""
    return {
        item_id: (
            int(_clip(round(latent + rng.gauss(0, noise)), 0, top)) if rng.random() > 0.03 else None
        )
        for item_id in ids
    }


def run_stay(
    rng: random.Random,
    course: CitizenCourse,
    stay: SimStay,
    dates: list[tuple[date, FollowUpKind]],
    today: date,
    item_ids: dict[str, tuple[str, ...]],
) -> None:
    """Play a stay's follow-ups in order; goals start at the first one (or at admission)."""
    course.enter(stay)
    goal_day = dates[0][0] if dates else stay.start + timedelta(days=rng.randint(7, 40))
    if goal_day <= min(stay.end or today, today):
        set_initial_goals(rng, course, stay, goal_day)
    for when, kind in dates:
        fu = SimFollowUp(date=when, kind=kind)
        levels = {t: course.observed(t, when) for t in THEMES}
        review_goals(rng, course, stay, fu, levels)
        answer_questionnaires(rng, course, stay, fu, levels, item_ids)
        stay.follow_ups.append(fu)
    close_goals(stay, today)
