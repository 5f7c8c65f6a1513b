"""Data and privacy versions: has anything a report reads changed since it was built?

The data version of a set of units is the newest id, in those units, of every table reports read
(stays, follow-ups, goals, tariffs) and of the change history of their citizens (every edit
writes one; DEVELOPING "History and access log"), plus the newest change of the organisation
(history rows without a citizen: units, tariffs, users). Rows are only ever added to these
tables, so the version grows with every change and a follow-up saved in one unit leaves the
version of every other unit as it was. Bulk inserts (the demo, imports) are seen too: no write
path has to remember to bump anything.

The privacy version counts anonymised citizens: no served report may lag behind it.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from del_tool.audit.models import AuditEvent
from del_tool.citizens.models import Citizen, Stay
from del_tool.followups.models import FollowUp
from del_tool.goals.models import Goal
from del_tool.organisation.models import Tariff, Unit


def _newest(model: Any, *conditions: Any) -> Any:
    return select(func.max(model.id)).where(*conditions).scalar_subquery()


def scope_versions(session: Session, units: Collection[int] | None) -> tuple[list[int], int]:
    """(data version of `units` (None: every unit), privacy version) in one round trip."""
    if units is None:
        columns = [_newest(model) for model in (Stay, FollowUp, Goal, Tariff, Unit, AuditEvent)]
    else:
        ids = sorted(units)
        stays = select(col(Stay.id)).where(col(Stay.unit_id).in_(ids))
        citizens = select(col(Stay.citizen_id)).where(col(Stay.unit_id).in_(ids))
        columns = [
            _newest(Stay, col(Stay.unit_id).in_(ids)),
            _newest(FollowUp, col(FollowUp.stay_id).in_(stays)),
            _newest(Goal, col(Goal.stay_id).in_(stays)),
            _newest(Tariff, col(Tariff.unit_id).in_(ids)),
            _newest(Unit),
            _newest(AuditEvent, col(AuditEvent.citizen_id).in_(citizens)),
            _newest(AuditEvent, col(AuditEvent.citizen_id).is_(None)),
        ]
    columns.append(select(func.count(col(Citizen.anonymised_at))).scalar_subquery())
    *newest, anonymised = session.execute(select(*columns)).one()
    return [int(value or 0) for value in newest], int(anonymised or 0)
