"""What a report covers: its scope (unit, centre or region), filters, and who may see it.

Scope checks live here so that every builder, view and command applies the same rules: staff see
their own units, leaders their centre, analysts everything (without names), councils only the
council summary of their own municipality.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session, col, select

from del_tool.auth.access import AccessDeniedError, NotFoundError
from del_tool.auth.scope import Scope
from del_tool.organisation.models import (
    Centre,
    LegalSection,
    Municipality,
    Region,
    TargetGroup,
    Unit,
)

ScopeLevel = Literal["unit", "centre", "region"]


@dataclass(frozen=True, slots=True)
class ReportScope:
    """A unit, a centre or the region; `unit_ids` None means every unit."""

    level: ScopeLevel
    id: int | None
    name: str
    unit_ids: frozenset[int] | None

    @property
    def key(self) -> str:
        """The form/URL value: "region", "centre:3" or "unit:12"."""
        return self.level if self.id is None else f"{self.level}:{self.id}"


@dataclass(frozen=True, slots=True)
class Filters:
    """Optional filters on the stays a report covers."""

    legal_section: LegalSection | None = None
    target_group: TargetGroup | None = None
    municipality_code: str | None = None

    @property
    def active(self) -> bool:
        """Whether any filter is set."""
        return any((self.legal_section, self.target_group, self.municipality_code))


NO_FILTERS = Filters()


def resolve_scope(key: str, *, session: Session) -> ReportScope:
    """The scope named by `key` ("region", "centre:ID", "unit:ID"); NotFoundError if unknown."""
    level, _, raw_id = (key or "").partition(":")
    if level == "region" and not raw_id:
        region = session.exec(select(Region.name).order_by(col(Region.id))).first()
        return ReportScope("region", None, region or "Regionen", None)
    if level not in ("unit", "centre") or not raw_id.isdigit():
        raise NotFoundError(f"unknown report scope {key!r}")
    ident = int(raw_id)
    if level == "unit":
        unit = session.get(Unit, ident)
        if unit is None:
            raise NotFoundError(f"unit {ident} does not exist")
        return ReportScope("unit", ident, unit.name, frozenset({ident}))
    centre = session.get(Centre, ident)
    if centre is None:
        raise NotFoundError(f"centre {ident} does not exist")
    units = session.exec(select(Unit.id).where(Unit.centre_id == ident)).all()
    return ReportScope("centre", ident, centre.name, frozenset(u for u in units if u is not None))


def ensure_report_access(viewer: Scope | None, scope: ReportScope) -> None:
    """Raise AccessDeniedError unless `viewer` may see row-level reports for all of `scope`.

    `viewer` None is the system itself (commands, benchmark): everything is allowed.
    """
    if viewer is None or viewer.unit_ids is None:
        return
    if scope.unit_ids is None or not scope.unit_ids or not scope.unit_ids <= viewer.unit_ids:
        raise AccessDeniedError(f"report scope {scope.key} is outside the user's scope")


def ensure_council_access(viewer: Scope | None, municipality_code: str) -> None:
    """Councils see their own municipality only; analysts and the system any municipality."""
    if viewer is None or (viewer.unit_ids is None and viewer.municipality_code is None):
        return
    if viewer.municipality_code != municipality_code:
        raise AccessDeniedError("a council sees the summary of its own municipality only")


def municipality_name(code: str, *, session: Session) -> str:
    """The municipality's name; NotFoundError for an unknown code."""
    municipality = session.get(Municipality, code)
    if municipality is None:
        raise NotFoundError(f"municipality {code!r} does not exist")
    return municipality.name


def scope_choices(viewer: Scope | None, *, session: Session) -> list[tuple[str, str]]:
    """(key, label) of the scopes `viewer` may choose, widest first."""
    units = session.exec(
        select(Unit.id, Unit.name, Unit.centre_id, Centre.name)
        .join(Centre, col(Centre.id) == col(Unit.centre_id))
        .order_by(Centre.name, Unit.name)
    ).all()
    allowed = [u for u in units if viewer is None or viewer.allows_unit(int(u[0] or 0))]
    choices: list[tuple[str, str]] = []
    if viewer is None or viewer.unit_ids is None:
        region = session.exec(select(Region.name).order_by(col(Region.id))).first()
        choices.append(("region", region or "Regionen"))
    centres: dict[int, str] = {}
    for _unit, _name, centre_id, centre_name in units:
        centres.setdefault(centre_id, centre_name)
    for centre_id, centre_name in centres.items():
        centre_units = {u[0] for u in units if u[2] == centre_id}
        if viewer is None or viewer.unit_ids is None or centre_units <= viewer.unit_ids:
            choices.append((f"centre:{centre_id}", centre_name))
    choices.extend((f"unit:{u[0]}", f"{u[1]} ({u[3]})") for u in allowed)
    return choices
