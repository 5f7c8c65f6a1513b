"""Creating a citizen and their first stay from a referral (the new-citizen form's
`?referral=<id>`): the form is filled in from the referral, and saving admits it."""

from __future__ import annotations

from flask_login import current_user
from sqlmodel import Session, col, select

from del_tool.auth.access import NotFoundError
from del_tool.citizens.forms import NewCitizenForm
from del_tool.citizens.models import Citizen, Stay
from del_tool.db import get_session
from del_tool.organisation.models import Referral
from del_tool.referrals.access import ReferralActor, get_referral
from del_tool.referrals.services import admit_with_stay


def referral_to_admit(raw: str | None) -> Referral | None:
    """The referral named by the query string, for a leader who records it; None without one.

    NotFoundError for text that is no id or an unknown referral, AccessDeniedError for a
    referral outside the leader's centre or a user who does not record referrals.
    """
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) < 10):
        raise NotFoundError(f"referral {raw[:20]!r}")
    session = get_session()
    actor = ReferralActor.of(current_user, session=session)
    return get_referral(session, actor, int(raw), write=True)


def prefill_from_referral(form: NewCitizenForm, referral: Referral) -> None:
    """The stay fields the referral answers: unit, paying municipality and legal section."""
    form.unit_id.data = referral.unit_id
    form.municipality_code.data = referral.municipality_code
    if referral.legal_section is not None:
        form.legal_section.data = referral.legal_section.value


def admit_from_new_stay(session: Session, referral: Referral, citizen: Citizen) -> None:
    """Admit the referral with the citizen's new (first) stay, in the caller's transaction."""
    stay = session.exec(
        select(Stay).where(col(Stay.citizen_id) == citizen.id).order_by(col(Stay.id))
    ).first()
    if stay is None:  # create_citizen always writes the stay
        raise RuntimeError("a new citizen without a stay")
    actor = ReferralActor.of(current_user, session=session)
    admit_with_stay(session=session, actor=actor, referral_id=int(referral.id or 0), stay=stay)
