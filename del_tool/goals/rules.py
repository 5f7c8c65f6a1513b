"""The rule tying a goal's direction to its levels (the database has the same CHECK)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from del_tool.goals.models import GoalDirection

_MESSAGES = {
    GoalDirection.DEVELOP: _l(
        "Et mål om at udvikle skal have et målniveau, der er bedre (lavere) end udgangsniveauet."
    ),
    GoalDirection.MAINTAIN: _l(
        "Et mål om at fastholde skal have samme målniveau som udgangsniveauet."
    ),
    GoalDirection.LIMIT_LOSS: _l(
        "Et mål om at begrænse tab må ikke have et målniveau, der er bedre (lavere) end "
        "udgangsniveauet."
    ),
}


def direction_problem(direction: GoalDirection, baseline: int, target: int) -> Any | None:
    """The message when `target` does not fit `direction` from `baseline` (0 is best), else None.

    Develop: target better (lower) than baseline. Maintain: equal. Limit loss: target no better
    than baseline (it may be worse: the loss the goal accepts).
    """
    fits = {
        GoalDirection.DEVELOP: target < baseline,
        GoalDirection.MAINTAIN: target == baseline,
        GoalDirection.LIMIT_LOSS: target >= baseline,
    }[direction]
    return None if fits else _MESSAGES[direction]
