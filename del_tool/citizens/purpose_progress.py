"""Progress per purpose of the municipality's action plan: each purpose of the shown stays with
the goals that serve it, their latest level against the target, and how many are met.

The citizen status statement (for its period) and the profile (now) show it; both pass the
goals they already judged (`latest_level`, `met`), so the purposes add no rule of their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from del_tool.citizens.access import ident
from del_tool.citizens.models import StayPurpose
from del_tool.citizens.profile import StayView
from del_tool.citizens.purposes import purposes_of_stay
from del_tool.goals.models import Goal


@dataclass(frozen=True, slots=True)
class PurposeGoal:
    """A goal linked to a purpose: its latest level and whether it meets its target."""

    goal: Goal
    latest_level: int
    met: bool


@dataclass(frozen=True, slots=True)
class PurposeProgress:
    """One purpose of a stay's action plan with its linked goals."""

    purpose: StayPurpose
    stay: StayView
    goals: list[PurposeGoal] = field(default_factory=list)

    @property
    def met_count(self) -> int:
        """How many of the linked goals meet their target."""
        return sum(1 for g in self.goals if g.met)


def purpose_progress(
    session: Session, stays: Sequence[StayView], goals: Iterable[PurposeGoal]
) -> list[PurposeProgress]:
    """The purposes of `stays` (in the stays' order, then each stay's), each with the goals of
    `goals` linked to it; goals linked to a purpose of another stay are not shown."""
    by_purpose: dict[int, list[PurposeGoal]] = {}
    for line in goals:
        if line.goal.purpose_id is not None:
            by_purpose.setdefault(line.goal.purpose_id, []).append(line)
    return [
        PurposeProgress(purpose, view, by_purpose.get(ident(purpose.id), []))
        for view in stays
        for purpose in purposes_of_stay(session, ident(view.stay.id))
    ]
