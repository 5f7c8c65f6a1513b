"""Organisation: seed data (municipalities, the region's centres and units) and look-ups."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml
from flask_babel import gettext as _
from sqlmodel import Session, col, select

from del_tool.auth.scope import Scope
from del_tool.organisation.models import (
    Centre,
    LegalSection,
    Municipality,
    Region,
    TargetGroup,
    Unit,
    offer_kind_for,
)


@dataclass(frozen=True, slots=True)
class SeedResult:
    """How many rows a seeding step added (0 when everything was already there)."""

    municipalities: int
    centres: int
    units: int


def _data_text(name: str) -> str:
    return resources.files("del_tool.organisation").joinpath("data", name).read_text("utf-8")


def municipality_rows() -> list[dict[str, str]]:
    """The 98 municipalities from the bundled CSV (code, name, region)."""
    lines = [
        line for line in _data_text("municipalities.csv").splitlines() if not line.startswith("#")
    ]
    return list(csv.DictReader(lines))


def region_definition() -> dict[str, Any]:
    """The demo region's centres and units from the bundled YAML."""
    data: dict[str, Any] = yaml.safe_load(_data_text("region_syddanmark.yaml"))
    return data


def all_centres(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """The region's own centres, then the municipal offers' centres (with their `operator`)."""
    return [*definition["centres"], *definition.get("municipal_centres", ())]


def seed_municipalities(*, session: Session) -> int:
    """Insert missing municipalities; returns how many were added."""
    existing = set(session.exec(select(Municipality.code)).all())
    added = 0
    for row in municipality_rows():
        if row["code"] not in existing:
            session.add(Municipality(code=row["code"], name=row["name"], region_name=row["region"]))
            added += 1
    session.flush()
    return added


def seed_region(*, session: Session) -> tuple[int, int]:
    """Insert the region, its centres and units and the municipal offers' centres and units
    where missing; returns (centres, units) added."""
    definition = region_definition()
    region = session.exec(select(Region).where(Region.name == definition["region"])).first()
    if region is None:
        region = Region(name=definition["region"])
        session.add(region)
        session.flush()
    centres_added = units_added = 0
    for centre_def in all_centres(definition):
        centre = session.exec(select(Centre).where(Centre.name == centre_def["name"])).first()
        if centre is None:
            centre = Centre(
                region_id=region.id,  # type: ignore[arg-type]
                name=centre_def["name"],
                target_group=TargetGroup(centre_def["target_group"]),
                operator_code=centre_def.get("operator"),
            )
            session.add(centre)
            session.flush()
            centres_added += 1
        known = {
            unit.name: unit
            for unit in session.exec(select(Unit).where(Unit.centre_id == centre.id)).all()
        }
        for unit_def in centre_def["units"]:
            kind = offer_kind_for(frozenset(LegalSection(s) for s in unit_def["sections"]))
            unit = known.get(unit_def["name"])
            if unit is None:
                session.add(
                    Unit(
                        centre_id=centre.id,  # type: ignore[arg-type]
                        name=unit_def["name"],
                        target_group=TargetGroup(unit_def["target_group"]),
                        offer_kind=kind,
                    )
                )
                units_added += 1
    session.flush()
    return centres_added, units_added


def seed_all(*, session: Session) -> SeedResult:
    """Seed municipalities and the region (idempotent)."""
    municipalities = seed_municipalities(session=session)
    centres, units = seed_region(session=session)
    return SeedResult(municipalities=municipalities, centres=centres, units=units)


def describe_scope(scope: Scope, *, session: Session) -> str:
    """A one-line, human description of a scope for the UI."""
    if scope.municipality_code:
        municipality = session.get(Municipality, scope.municipality_code)
        name = municipality.name if municipality else scope.municipality_code
        return _("Samlede tal for borgere betalt af %(name)s Kommune", name=name)
    if scope.unit_ids is None:
        return _("Alle centre og tilbud i regionen (pseudonymiseret)")
    if not scope.unit_ids:
        return _("Ingen borgerdata (konfiguration)")
    names = session.exec(select(Unit.name).where(col(Unit.id).in_(scope.unit_ids))).all()
    return ", ".join(sorted(names))
