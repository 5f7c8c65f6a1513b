"""Telling citizens apart without a CPR number: who a new citizen may already be.

Names are compared after `normalise_name` (case, accents, and the Danish letters written
either way: æ/ae, ø/oe, å/aa) with rapidfuzz, and birth years within `YEAR_SLACK`. What the
check tells a user follows the scope rule of `del_tool.citizens.access`:

- similar citizens in the user's scope are shown (name, birth year and age, unit, case
  reference), so the user can open the record instead of creating a second one;
- that a likely match exists outside the scope is said in one sentence, never whom, where or
  how many. It is asked only by the create form (a valid new citizen with a stay in one of the
  user's units), at most `DUPLICATE_HINTS_PER_DAY` times in 24 hours per user, and every check is in
  the access log: the checker's event, and an event on each matched citizen outside the scope,
  so that citizen's log shows that someone's check found them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from rapidfuzz import fuzz
from sqlmodel import Session, col, func, select

from del_tool.audit.models import AccessEvent
from del_tool.audit.services import access_event
from del_tool.citizens.access import (
    Actor,
    citizen_in_scope_clause,
    ident,
    require_citizen_access,
    stay_in_scope_clause,
)
from del_tool.citizens.models import Citizen, Stay
from del_tool.modelbase import utcnow
from del_tool.organisation.models import Unit

#: Birth years this far apart still count as "the same person": a year is easily mistyped.
YEAR_SLACK = 1
#: rapidfuzz scores (0-100) from which two normalised names are "similar" (shown in scope) and
#: "a likely match" (the hint about other centres: stricter, so it says little by chance).
SIMILAR_SCORE = 85.0
ELSEWHERE_SCORE = 92.0
#: At most this many similar citizens in scope are shown.
MAX_SHOWN = 10
#: The access-log action of a duplicate check.
CHECK_ACTION = "duplicate_check"
#: Birth years per query of `similar_in_scope_many`.
CHUNK = 500

_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ß": "ss"})


def normalise_name(name: str) -> str:
    """`name` folded for comparison: lower case, æ/ø/å as ae/oe/aa, no accents or punctuation.

    "Nanna Rasmußen", "NANNA RASMUSSEN" and "Nánna  Rasmussen" give the same text, and so do
    "Søren Ærø" and "Soeren Aeroe".
    """
    text = name.casefold().translate(_DANISH)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = "".join(ch if ch.isalnum() else " " for ch in text)
    return " ".join(text.split())


def name_score(a: str, b: str) -> float:
    """How alike two normalised names are (0-100), word order and middle names aside.

    The set ratio ("Nanna Rasmussen" within "Nanna Marie Rasmussen") counts only when both
    names have two words or more, so a first name alone matches no full name.
    """
    score = fuzz.token_sort_ratio(a, b)
    if len(a.split()) > 1 and len(b.split()) > 1:
        score = max(score, fuzz.token_set_ratio(a, b))
    return float(score)


@dataclass(frozen=True, slots=True)
class SimilarCitizen:
    """A citizen in the user's scope who may be the same person."""

    citizen_id: int
    name: str
    birth_year: int
    case_reference: str | None
    unit_name: str
    start_date: date
    end_date: date | None
    score: float

    def age_on(self, day: date) -> int:
        """The age the citizen reaches in `day`'s year (DEL knows the birth year only)."""
        return day.year - self.birth_year


@dataclass(frozen=True, slots=True)
class DuplicateCheck:
    """What a check tells the user: similar citizens in scope, and whether one exists elsewhere."""

    similar: list[SimilarCitizen]
    elsewhere: bool

    @property
    def found(self) -> bool:
        """Whether there is anything to ask the user about."""
        return bool(self.similar) or self.elsewhere


def check_key(name: str, birth_year: int) -> str:
    """What a confirmation "this is another person" was given for (a changed name asks again)."""
    return f"{normalise_name(name)}|{birth_year}"


def _matches(
    session: Session, name: str, birth_year: int, *, exclude: int | None
) -> dict[int, float]:
    """Citizen id -> score for every live record with a similar name and a near birth year."""
    wanted = normalise_name(name)
    query = select(Citizen.id, Citizen.name).where(
        col(Citizen.birth_year).between(birth_year - YEAR_SLACK, birth_year + YEAR_SLACK),
        col(Citizen.merged_into_id).is_(None),
        col(Citizen.anonymised_at).is_(None),
    )
    if exclude is not None:
        query = query.where(col(Citizen.id) != exclude)
    found: dict[int, float] = {}
    for citizen_id, other in session.exec(query).all():
        score = name_score(wanted, normalise_name(other))
        if score >= SIMILAR_SCORE:
            found[ident(citizen_id)] = score
    return found


def similar_in_scope(
    session: Session, actor: Actor, name: str, birth_year: int, *, exclude: int | None = None
) -> list[SimilarCitizen]:
    """Citizens in the actor's scope who may be the same person, most alike first."""
    require_citizen_access(actor)
    scores = _matches(session, name, birth_year, exclude=exclude)
    return _in_scope(session, actor, scores)


def similar_in_scope_many(
    session: Session, actor: Actor, people: Sequence[tuple[str, int]]
) -> list[list[SimilarCitizen]]:
    """`similar_in_scope` for many (name, birth year) pairs at once (an import's new citizens),
    in the same order: the candidates (live citizens in the actor's scope born within
    YEAR_SLACK of any of the years) are read in one query per CHUNK years and compared in
    memory, each name folded once; only the matches' rows are read to show them."""
    require_citizen_access(actor)
    years = sorted({y + d for _n, y in people for d in range(-YEAR_SLACK, YEAR_SLACK + 1)})
    by_year: dict[int, list[tuple[int, str]]] = {}
    for start in range(0, len(years), CHUNK):
        query = select(Citizen.id, Citizen.name, Citizen.birth_year).where(
            col(Citizen.birth_year).in_(years[start : start + CHUNK]),
            col(Citizen.merged_into_id).is_(None),
            col(Citizen.anonymised_at).is_(None),
            citizen_in_scope_clause(actor),
        )
        for citizen_id, other, year in session.exec(query).all():
            by_year.setdefault(int(year), []).append((ident(citizen_id), normalise_name(other)))
    found: list[list[SimilarCitizen]] = []
    for name, birth_year in people:
        wanted = normalise_name(name)
        scores: dict[int, float] = {}
        for year in range(birth_year - YEAR_SLACK, birth_year + YEAR_SLACK + 1):
            for citizen_id, other in by_year.get(year, ()):
                score = name_score(wanted, other)
                if score >= SIMILAR_SCORE:
                    scores[citizen_id] = score
        found.append(_in_scope(session, actor, scores) if scores else [])
    return found


def _scoped(session: Session, actor: Actor, ids: list[int]) -> set[int]:
    """Those of `ids` that are in the actor's scope."""
    if not ids:
        return set()
    found = session.exec(
        select(Citizen.id).where(col(Citizen.id).in_(ids), citizen_in_scope_clause(actor))
    ).all()
    return {ident(i) for i in found}


def _in_scope(session: Session, actor: Actor, scores: dict[int, float]) -> list[SimilarCitizen]:
    ids = _scoped(session, actor, sorted(scores))
    shown = sorted(ids, key=lambda i: (-scores[i], i))[:MAX_SHOWN]
    if not shown:
        return []
    latest = (
        select(Stay.citizen_id, func.max(Stay.start_date).label("start"))
        .where(stay_in_scope_clause(actor), col(Stay.citizen_id).in_(shown))
        .group_by(col(Stay.citizen_id))
        .subquery()
    )
    rows = session.exec(
        select(Citizen, Stay, Unit.name)
        .join(latest, latest.c.citizen_id == Citizen.id)
        .join(Stay, (col(Stay.citizen_id) == Citizen.id) & (col(Stay.start_date) == latest.c.start))
        .join(Unit, col(Unit.id) == Stay.unit_id)
    ).all()
    similar = [
        SimilarCitizen(
            citizen_id=ident(citizen.id),
            name=citizen.name,
            birth_year=citizen.birth_year,
            case_reference=citizen.case_reference,
            unit_name=unit_name,
            start_date=stay.start_date,
            end_date=stay.end_date,
            score=scores[ident(citizen.id)],
        )
        for citizen, stay, unit_name in rows
    ]
    return sorted(similar, key=lambda s: (-s.score, s.name, s.citizen_id))


def hints_left(session: Session, actor: Actor) -> int:
    """How many more "a likely match exists elsewhere" answers the actor gets (per 24 hours)."""
    since = utcnow() - timedelta(days=1)
    given = session.exec(
        select(func.count(col(AccessEvent.id))).where(
            col(AccessEvent.user_id) == actor.user_id,
            col(AccessEvent.action) == CHECK_ACTION,
            col(AccessEvent.citizen_id).is_(None),
            col(AccessEvent.detail).like("%elsewhere=1%"),
            col(AccessEvent.occurred_at) >= since,
        )
    ).one()
    return max(0, int(current_app.config["DUPLICATE_HINTS_PER_DAY"]) - int(given))


def check_new_citizen(
    session: Session, actor: Actor, *, name: str, birth_year: int, endpoint: str
) -> tuple[DuplicateCheck, list[AccessEvent]]:
    """The duplicate check of the create form, and the access events it must leave.

    The caller writes the events (in a transaction of their own: the form is shown again and
    nothing else is stored). Matches outside the scope are told only as `elsewhere`, and only
    while `hints_left`; each gets an event of its own either way.
    """
    require_citizen_access(actor)
    scores = _matches(session, name, birth_year, exclude=None)
    similar = _in_scope(session, actor, scores)
    inside = _scoped(session, actor, sorted(scores))
    outside = sorted(i for i, s in scores.items() if i not in inside and s >= ELSEWHERE_SCORE)
    elsewhere = bool(outside) and hints_left(session, actor) > 0
    events = [
        access_event(
            user_id=actor.user_id,
            action=CHECK_ACTION,
            citizen_id=None,
            endpoint=endpoint,
            detail=f"in_scope={len(similar)} elsewhere={int(elsewhere)}",
        )
    ]
    events += [
        access_event(
            user_id=actor.user_id,
            action=CHECK_ACTION,
            citizen_id=s.citizen_id,
            endpoint=endpoint,
            detail="shown as similar",
        )
        for s in similar
    ]
    events += [
        access_event(
            user_id=actor.user_id,
            action=CHECK_ACTION,
            citizen_id=citizen_id,
            endpoint=endpoint,
            detail="matched outside scope, not shown",
        )
        for citizen_id in outside
    ]
    return DuplicateCheck(similar=similar, elsewhere=elsewhere), events
