"""The allowed values of an import's choice columns, as people write them.

A unit is given by its id or its name; a municipality by its three-digit code or its name
(with or without "Kommune"); a legal section as "107", "§ 107", "SEL § 107" or its label; a
target group and a sex by their Danish or English labels or DEL's own values. Texts are
compared `normalise`d (case, accents and punctuation ignored).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from flask_babel import get_locale
from sqlmodel import Session, col, select

from del_tool.citizens.models import Sex
from del_tool.followups.models import FollowUpKind
from del_tool.goals.models import GoalDirection, GoalStatus, Theme
from del_tool.imports.reading import cell_text, normalise
from del_tool.modelbase import LabelledEnum
from del_tool.organisation.models import LegalSection, Municipality, TargetGroup, Unit

#: English words beside the labels (the translations may not have them yet) and short forms.
SEX_WORDS: dict[Sex, tuple[str, ...]] = {
    Sex.FEMALE: ("kvinde", "k", "f", "female", "woman", "pige", "girl"),
    Sex.MALE: ("mand", "m", "male", "man", "dreng", "boy"),
    Sex.OTHER: ("andet", "a", "other", "x"),
}
TARGET_WORDS: dict[TargetGroup, tuple[str, ...]] = {
    TargetGroup.AUTISM: ("autisme", "autism"),
    TargetGroup.DEAFBLINDNESS: ("dovblindhed", "deafblindness"),
    TargetGroup.MENTAL_ILLNESS: ("sindslidelse", "psykisksygdom", "mentalillness"),
    TargetGroup.SUBSTANCE_ABUSE: ("misbrug", "rusmiddelproblemer", "substanceabuse"),
    TargetGroup.DEVELOPMENTAL_DISABILITY: ("udviklingshaemning", "developmentaldisability"),
    TargetGroup.BRAIN_INJURY: ("erhvervethjerneskade", "hjerneskade", "braininjury"),
    TargetGroup.CHILDREN_YOUTH: ("bornogunge", "childrenandyouth", "childrenyouth"),
    TargetGroup.COMMUNICATION: ("kommunikationoghoretab", "communication"),
}


@dataclass(frozen=True, slots=True)
class UnitInfo:
    """What the checks need of a unit."""

    id: int
    name: str
    centre_id: int
    active: bool
    offer_kind: Any


@dataclass(slots=True)
class Lookups:
    """Normalised text -> value, per choice column; units with the scope that prefers them."""

    units: dict[int, UnitInfo] = field(default_factory=dict)
    unit_names: dict[str, list[int]] = field(default_factory=dict)
    scope: frozenset[int] = frozenset()
    municipalities: dict[str, str] = field(default_factory=dict)
    municipality_names: dict[str, str] = field(default_factory=dict)
    #: The questionnaire registry (answers are checked against its definitions).
    registry: Any = None

    @classmethod
    def load(cls, session: Session, *, scope: frozenset[int]) -> Lookups:
        """Every unit and municipality; `scope` is the units the import may write to."""
        found = cls(scope=scope)
        for unit in session.exec(select(Unit).order_by(col(Unit.id))).all():
            assert unit.id is not None  # noqa: S101 - a stored row
            found.units[unit.id] = UnitInfo(
                unit.id, unit.name, unit.centre_id, unit.active, unit.offer_kind
            )
            found.unit_names.setdefault(normalise(unit.name), []).append(unit.id)
        for municipality in session.exec(select(Municipality)).all():
            found.municipality_names[municipality.code] = municipality.name
            for key in (
                municipality.code,
                normalise(municipality.name),
                normalise(municipality.name) + "kommune",
            ):
                found.municipalities[key] = municipality.code
        return found

    def unit(self, value: Any) -> int | None:
        """The unit an id or name means: of several with the name, the one in scope. None when
        unknown; ValueError when several units in scope share the name."""
        text = cell_text(value).strip()
        if re.fullmatch(r"\d{1,9}", text) and int(text) in self.units:
            return int(text)
        ids = self.unit_names.get(normalise(text), [])
        inside = [i for i in ids if i in self.scope]
        if len(inside) > 1:
            raise ValueError("ambiguous")
        if inside:
            return inside[0]
        return ids[0] if len(ids) == 1 else None

    def municipality(self, value: Any) -> str | None:
        """The code of a municipality given by code or name."""
        text = cell_text(value).strip()
        if re.fullmatch(r"\d{1,3}", text):
            text = text.zfill(3)
        return self.municipalities.get(text) or self.municipalities.get(normalise(text))


def legal_section(value: Any) -> LegalSection | None:
    """A section from "107", "§ 107", "SEL § 107" or "§ 107 Midlertidigt botilbud"."""
    numbers = re.findall(r"\d+", cell_text(value))
    known = [n for n in numbers if n in {s.value for s in LegalSection}]
    return LegalSection(known[0]) if len(set(known)) == 1 else None


def target_group(value: Any) -> TargetGroup | None:
    """A target group from its value, its Danish label or English words."""
    found: TargetGroup | None = _words(TargetGroup, _language()).get(normalise(value))
    return found


def sex(value: Any) -> Sex | None:
    """A sex from its value, its Danish label, English words or one letter."""
    found: Sex | None = _words(Sex, _language()).get(normalise(value))
    return found


#: English words and short forms beside the labels of the goals' and follow-ups' choices.
OTHER_WORDS: dict[Any, tuple[str, ...]] = {
    Theme.RELATIONS: ("relations", "relationships"),
    Theme.COMMUNICATION: ("communication",),
    Theme.MOBILITY: ("mobility",),
    Theme.SELF_CARE: ("selfcare", "egenomsorgogsundhed"),
    Theme.COMMUNITY_LIFE: ("communitylife", "samfundslivet"),
    Theme.PRACTICAL_TASKS: ("practicaltasks", "praktiskeopgaverihjemmet"),
    GoalDirection.DEVELOP: ("develop", "udvikling", "forbedre"),
    GoalDirection.MAINTAIN: ("maintain", "fastholdelse", "vedligeholde"),
    GoalDirection.LIMIT_LOSS: ("limitloss", "begraensetab", "begraensning"),
    GoalStatus.ACTIVE: ("active", "igang", "aktiv"),
    GoalStatus.ACHIEVED: ("achieved", "naet", "opfyldt"),
    GoalStatus.ENDED: ("ended", "afsluttetudenatvaerenaet", "stoppet"),
    FollowUpKind.BASELINE: ("baseline", "indskrivning", "start", "admission"),
    FollowUpKind.FOLLOW_UP: ("followup", "opfolgning", "statusmode"),
    FollowUpKind.DISCHARGE: ("discharge", "udskrivning", "afslutning"),
}


def labelled(enum_class: type[LabelledEnum], value: Any) -> Any | None:
    """A member of a labelled enum (a theme, direction, goal status or follow-up kind) from its
    value, its Danish label or English words; None when it is none of them."""
    text = normalise(value)
    if not text:
        return None
    return _words(enum_class, _language()).get(text)


def _other_words(member: Any) -> tuple[str, ...]:
    """The other words of a goal or follow-up choice (matched by enum and value: members of
    different string enums with the same value are equal as dict keys)."""
    for known, words in OTHER_WORDS.items():
        if type(known) is type(member) and known.value == member.value:
            return words
    return ()


def _language() -> str:
    """The language labels are translated into now (they are matched in it)."""
    return str(get_locale() or "")


@lru_cache(maxsize=64)
def _words(enum_class: type[LabelledEnum], language: str) -> dict[str, Any]:
    """Every normalised word a member of `enum_class` is known by (its value, its label in
    `language`, the other words), once per enum and language; the first member wins."""
    extra: dict[Any, tuple[str, ...]] = (
        TARGET_WORDS if enum_class is TargetGroup else SEX_WORDS if enum_class is Sex else {}
    )
    words: dict[str, Any] = {}
    for member in enum_class:
        known = extra.get(member) or _other_words(member)
        for word in (normalise(member.value), normalise(member.label), *known):
            words.setdefault(word, member)
    return words
