"""The municipality's action plan on a stay (handleplan, Serviceloven § 141): its purposes
(indsatsformål), added, corrected and removed with history; goals link to them.

FFB ships no closed code list for the purposes, so a purpose is free text with an optional FFB
theme. Every change checks that the stay is in the actor's scope (`get_stay`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, func, select

from del_tool.audit.services import record_change, snapshot
from del_tool.auth.access import NotFoundError
from del_tool.citizens import history
from del_tool.citizens.access import Actor, get_by_id, get_stay, ident
from del_tool.citizens.models import PURPOSE_MAX_CHARS, Stay, StayPurpose
from del_tool.citizens.services import check_version
from del_tool.errors import ConflictError, RuleError
from del_tool.forms import text_problem
from del_tool.goals.models import Goal, Theme
from del_tool.i18n import format_day
from del_tool.text import clean_text, is_blank


@dataclass(frozen=True, slots=True)
class PurposeData:
    """What a user enters about a purpose of the action plan."""

    text: str
    theme: Theme | None = None


def check_purpose(data: PurposeData) -> PurposeData:
    """The form's rules for other callers; the purpose with its text cleaned."""
    text = clean_text(data.text) or ""
    if is_blank(text):
        raise RuleError("text", _l("Skriv formålet."))
    problem = text_problem(text, max_chars=PURPOSE_MAX_CHARS)
    if problem is not None:
        raise RuleError("text", problem)
    return PurposeData(text=text, theme=data.theme)


def purposes_of_stay(session: Session, stay_id: int) -> list[StayPurpose]:
    """The stay's purposes in their order."""
    return list(
        session.exec(
            select(StayPurpose)
            .where(col(StayPurpose.stay_id) == stay_id)
            .order_by(col(StayPurpose.position), col(StayPurpose.id))
        )
    )


def get_purpose(session: Session, actor: Actor, purpose_id: int) -> StayPurpose:
    """A purpose whose stay the actor may change; 404 / 403 otherwise."""
    purpose = get_by_id(session, StayPurpose, purpose_id)
    if purpose is None:
        raise NotFoundError(f"stay purpose {purpose_id}")
    get_stay(session, actor, purpose.stay_id)
    return purpose


def add_purpose(*, session: Session, actor: Actor, stay_id: int, data: PurposeData) -> StayPurpose:
    """A new purpose at the end of the stay's list."""
    stay = get_stay(session, actor, stay_id)
    clean = check_purpose(data)
    last = session.exec(
        select(func.max(StayPurpose.position)).where(col(StayPurpose.stay_id) == stay_id)
    ).one()
    row = StayPurpose(stay_id=stay_id, position=0 if last is None else last + 1, **asdict(clean))
    return history.insert(session, actor, row, citizen_id=stay.citizen_id)


def update_purpose(
    *, session: Session, actor: Actor, purpose_id: int, data: PurposeData, version: int | None
) -> StayPurpose:
    """Correct a purpose; refused with ConflictError when someone saved it since the form."""
    row = get_purpose(session, actor, purpose_id)
    clean = check_purpose(data)
    values = asdict(clean)
    if not check_version(row, version, values):
        return row
    stay = get_stay(session, actor, row.stay_id)
    return history.update(session, actor, row, values, citizen_id=stay.citizen_id)


def linked_goal_count(session: Session, purpose_id: int) -> int:
    """How many goals serve the purpose."""
    return session.exec(
        select(func.count()).select_from(Goal).where(col(Goal.purpose_id) == purpose_id)
    ).one()


def remove_purpose(*, session: Session, actor: Actor, purpose_id: int, version: int | None) -> None:
    """Remove a purpose no goal links to, recording what was removed."""
    row = get_purpose(session, actor, purpose_id)
    linked = linked_goal_count(session, purpose_id)
    if linked:
        raise RuleError(
            "purpose",
            _l(
                "Formålet kan ikke fjernes: %(n)d mål er knyttet til det. Fjern koblingen i "
                "målene først.",
                n=linked,
            ),
        )
    if version is None or version != row.version:
        raise ConflictError(f"stay_purposes {row.id}: form version {version}")
    stay = get_stay(session, actor, row.stay_id)
    record_change(
        session=session,
        user_id=actor.user_id,
        action="delete",
        entity=StayPurpose.__tablename__,
        entity_id=row.id,
        citizen_id=stay.citizen_id,
        changes={k: [v, None] for k, v in snapshot(row).items()},
    )
    session.delete(row)
    session.flush()


def editable_stay_ids(session: Session, actor: Actor, citizen_id: int) -> list[int]:
    """The citizen's stays the actor may change (a new goal goes into one of them)."""
    stays = session.exec(
        select(Stay).where(col(Stay.citizen_id) == citizen_id).order_by(col(Stay.start_date))
    ).all()
    return [ident(s.id) for s in stays if actor.allows_unit(s.unit_id)]


def purpose_choices(session: Session, stay_ids: Sequence[int]) -> list[tuple[int, str]]:
    """The purposes of the stays as (id, label) choices; with several stays, each label says
    which stay (by its start) the purpose belongs to."""
    if not stay_ids:
        return []
    rows = session.exec(
        select(StayPurpose, col(Stay.start_date))
        .join(Stay, col(Stay.id) == StayPurpose.stay_id)
        .where(col(StayPurpose.stay_id).in_(stay_ids))
        .order_by(col(Stay.start_date), col(StayPurpose.position), col(StayPurpose.id))
    ).all()
    several = len({p.stay_id for p, _start in rows}) > 1
    return [
        (
            ident(p.id),
            _shorten(p.text)
            if not several
            else str(
                _l("%(text)s (ophold fra %(date)s)", text=_shorten(p.text), date=format_day(start))
            ),
        )
        for p, start in rows
    ]


def _shorten(text: str, limit: int = 120) -> str:
    """A purpose's text for a list of choices."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def check_goal_purpose(session: Session, stay_id: int, purpose_id: int | None) -> None:
    """A goal's purpose must be one of its stay's purposes."""
    if purpose_id is None:
        return
    purpose = session.get(StayPurpose, purpose_id)
    if purpose is None or purpose.stay_id != stay_id:
        raise RuleError("purpose_id", _l("Vælg et af formålene i handleplanen for målets ophold."))
