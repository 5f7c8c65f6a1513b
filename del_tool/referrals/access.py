"""Who may see and record referrals: leaders in their centre's units, analysts read everything.

A referral names no citizen, so reading one is not reading citizen data; still only the people
who plan places see them: leaders (the units of their centre) and regional analysts (every unit,
read only). Staff, councils and administrators are refused (403). A missing unit or referral is
404, one outside the reader's units 403, as everywhere in DEL (`del_tool.citizens.access`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from del_tool.auth.access import AccessDeniedError, NotFoundError
from del_tool.auth.models import Role, User
from del_tool.citizens.access import Actor, get_by_id
from del_tool.organisation.models import Referral, Unit

#: Roles that read referrals; the first of them records them too.
READERS = (Role.LEADER, Role.ANALYST)


@dataclass(frozen=True, slots=True)
class ReferralActor:
    """The user acting on referrals: the history's user, the units seen, whether they record."""

    actor: Actor
    records: bool

    @classmethod
    def of(cls, user: User, *, session: Session) -> ReferralActor:
        """The actor for a logged-in user; AccessDeniedError for a role that has no referrals."""
        if user.role not in READERS:
            raise AccessDeniedError(f"role {user.role} has no access to referrals")
        return cls(Actor.of(user, session=session), records=user.role is Role.LEADER)

    @property
    def user_id(self) -> int:
        """The user's id (for the change history)."""
        return self.actor.user_id

    def allows_unit(self, unit_id: int) -> bool:
        """Whether the unit is among those the user sees."""
        return self.actor.scope.allows_unit(unit_id)


def ensure_records(actor: ReferralActor) -> None:
    """AccessDeniedError unless the actor records referrals (leaders)."""
    if not actor.records:
        raise AccessDeniedError("only leaders record referrals")


def get_unit(session: Session, actor: ReferralActor, unit_id: int) -> Unit:
    """The unit when it exists (NotFoundError) and the actor sees it (AccessDeniedError)."""
    unit = get_by_id(session, Unit, unit_id)
    if unit is None:
        raise NotFoundError(f"unit {unit_id}")
    if not actor.allows_unit(unit_id):
        raise AccessDeniedError(f"unit {unit_id} is outside the user's scope")
    return unit


def get_referral(
    session: Session, actor: ReferralActor, referral_id: int, *, write: bool = False
) -> Referral:
    """The referral in the actor's units (404 missing, 403 outside); `write` needs a leader."""
    referral = get_by_id(session, Referral, referral_id)
    if referral is None:
        raise NotFoundError(f"referral {referral_id}")
    if not actor.allows_unit(referral.unit_id):
        raise AccessDeniedError(f"referral {referral_id} is outside the user's scope")
    if write:
        ensure_records(actor)
    return referral
