"""The endpoints of the app and real ids to call them with, in and out of a user's scope.

"own" objects belong to the demo staff user's units (inside the demo leader's centre too);
"other" objects belong to a unit of another centre, outside both scopes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Flask
from sqlalchemy import func
from sqlmodel import Session, col, select

from del_tool.actions.models import Action, ActionStatus
from del_tool.audit.models import AccessEvent
from del_tool.audit.services import log_access
from del_tool.auth.models import Role, User, UserUnit
from del_tool.auth.services import create_user
from del_tool.citizens.models import Stay, StayPurpose
from del_tool.followups.models import FollowUp
from del_tool.goals.models import Goal, GoalStatus
from del_tool.organisation.models import (
    LegalSection,
    PriceIndex,
    Referral,
    ReferralOutcome,
    Settlement,
    Tariff,
    Unit,
)
from tests.conftest import DEMO_PASSWORD

ROLES = ("anonymous", "staff", "leader", "analyst", "council", "admin")
SCOPES = ("own", "other")
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Route:
    """One rule of the url_map with one method."""

    endpoint: str
    rule: str
    method: str


def routes(app: Flask) -> list[Route]:
    """Every (endpoint, method) of the app, HEAD and OPTIONS left out."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append(Route(rule.endpoint, rule.rule, method))
    return sorted(found, key=lambda r: (r.endpoint, r.method))


def _stay(db: Session, *where: Any) -> Stay:
    """An open stay matching `where` that has goals and follow-ups."""
    return db.exec(
        select(Stay)
        .where(
            *where,
            col(Stay.end_date).is_(None),
            col(Stay.id).in_(select(Goal.stay_id).where(Goal.status == GoalStatus.ACTIVE)),
            col(Stay.id).in_(select(FollowUp.stay_id)),
        )
        .order_by(col(Stay.id))
    ).first()


def scoped_ids(db: Session) -> dict[str, dict[str, Any]]:
    """URL arguments per scope ("own", "other") from the demo database."""
    staff = db.exec(select(User).where(User.username == "staff")).one()
    leader = db.exec(select(User).where(User.username == "leader")).one()
    staff_units = set(db.exec(select(UserUnit.unit_id).where(UserUnit.user_id == staff.id)))
    centre_units = set(db.exec(select(Unit.id).where(Unit.centre_id == leader.centre_id)))
    # "other": a citizen who never stayed in the leader's centre, so out of every scope.
    inside = select(Stay.citizen_id).where(col(Stay.unit_id).in_(centre_units))
    stays = {
        "own": _stay(db, col(Stay.unit_id).in_(staff_units)),
        "other": _stay(db, col(Stay.citizen_id).not_in(inside)),
    }
    result = {scope: _ids_of(db, scope, stay, staff.id) for scope, stay in stays.items()}
    # A planned import of the leader's ("own") and one of another user's ("other").
    for scope, user_id in (("own", leader.id), ("other", result["other"]["user_id"])):
        result[scope]["batch_id"] = _planned_import(db, user_id, stays[scope].unit_id)
    db.commit()
    return result


def _planned_import(db: Session, user_id: int | None, unit_id: int) -> int:
    """A planned import (a dry run waiting for its confirmation) of a header-only file."""
    from del_tool.imports.batches import plan_upload

    header = "Borger-ID;Navn;Fødselsår;Køn;Målgruppe\n".encode()
    batch = plan_upload(
        db,
        user_id=user_id or 0,
        file_name="borgere.csv",
        data=header,
        scope=frozenset({unit_id}),
        all_or_nothing=False,
    )
    return int(batch.id or 0)


def _ids_of(db: Session, scope: str, stay: Stay, staff_id: int | None) -> dict[str, Any]:
    """The URL arguments around one stay: its citizen, goal, follow-up, unit, tariff, a read,
    the price index's first year and a settlement of the unit (made when the demo has none)."""
    goal = db.exec(select(Goal).where(Goal.stay_id == stay.id).order_by(col(Goal.id))).first()
    follow_up = db.exec(
        select(FollowUp).where(FollowUp.stay_id == stay.id).order_by(col(FollowUp.id))
    ).first()
    tariff = (
        db.exec(
            select(Tariff).where(Tariff.unit_id == stay.unit_id).order_by(col(Tariff.id))
        ).first()
        or db.exec(select(Tariff).order_by(col(Tariff.id))).first()
    )
    access = log_access(
        session=db,
        user_id=staff_id,
        action="view",
        citizen_id=stay.citizen_id,
        endpoint="citizens.profile",
    )
    db.flush()
    target = create_user(
        session=db,
        username=f"target-{scope}",
        display_name=f"Target {scope}",
        password=DEMO_PASSWORD,
        role=Role.STAFF,
        unit_ids=[stay.unit_id],
    )
    index_year = db.exec(select(PriceIndex.year).order_by(col(PriceIndex.year))).first()
    if index_year is None:
        db.add(PriceIndex(year=2026, percent=Decimal("2.00")))
        index_year = 2026
    settlement = db.exec(
        select(Settlement).where(Settlement.unit_id == stay.unit_id).order_by(col(Settlement.id))
    ).first()
    if settlement is None:
        settlement = Settlement(
            unit_id=stay.unit_id,
            municipality_code=stay.municipality_code,
            year=2025,
            amount=Decimal("1000.00"),
        )
        db.add(settlement)
    db.flush()
    # A pending referral to the stay's unit (no citizen: a unit, a payer and a day).
    referral = Referral(
        unit_id=stay.unit_id,
        municipality_code=stay.municipality_code,
        legal_section=LegalSection.S107,
        referred_on=stay.start_date,
        outcome=ReferralOutcome.PENDING,
    )
    db.add(referral)
    db.flush()
    # An open action on a learning-report figure of the stay's unit (organisation data).
    action = Action(
        unit_id=stay.unit_id,
        owner="Teamleder",
        what="Ugentlig målsamtale",
        due_date=stay.start_date,
        status=ActionStatus.OPEN,
        report_kind="learning",
        section_key="units",
        figure_key="reliable_share",
        scope_key=f"unit:{stay.unit_id}",
        period_key="2026Q1",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        figure_label="Andel pålideligt forbedret",
        figure_value=0.4,
        figure_kind="pct",
    )
    db.add(action)
    db.flush()
    # A purpose of the stay's action plan (no goal links to it).
    purpose = StayPurpose(stay_id=stay.id, text="Bo i egen bolig")
    db.add(purpose)
    db.flush()
    # A second citizen of the same unit (the other record of a merge), open stay only.
    other_id = db.exec(
        select(Stay.citizen_id)
        .where(
            Stay.unit_id == stay.unit_id,
            Stay.citizen_id != stay.citizen_id,
            col(Stay.end_date).is_(None),
        )
        .order_by(col(Stay.id))
    ).first()
    return {
        "citizen_id": stay.citizen_id,
        "other_id": other_id,
        "stay_id": stay.id,
        "goal_id": goal.id,
        "follow_up_id": follow_up.id,
        "unit_id": stay.unit_id,
        "tariff_id": tariff.id if tariff else 1,
        "year": index_year,
        "settlement_id": settlement.id,
        "access_event_id": access.id,
        "referral_id": referral.id,
        "action_id": action.id,
        "purpose_id": purpose.id,
        "user_id": target.id,
        "fmt": "json",
        "pack_id": "0" * 32,
        "qid": "who5",
        "lang": "da",
        "name": "zip",
        "filename": "js/del.js",
        "token_id": 1,
    }


def url_for_rule(app: Flask, route: Route, args: dict[str, Any]) -> str:
    """The URL of `route` with its arguments taken from `args` (fails on an unknown one)."""
    rule = next(r for r in app.url_map.iter_rules(route.endpoint) if r.rule == route.rule)
    missing = set(rule.arguments) - set(args)
    assert not missing, f"tests/security/endpoints.py has no value for {missing} ({route.rule})"
    with app.test_request_context():
        from flask import url_for

        return url_for(route.endpoint, **{k: args[k] for k in rule.arguments})


def table_counts(db: Session) -> dict[str, tuple[int, int]]:
    """Row count and sum of versions (where versioned) of every table but the read logs."""
    from sqlmodel import SQLModel

    counts = {}
    for name, table in SQLModel.metadata.tables.items():
        # Read logs, the frozen copy of a due council summary that its first read publishes, and
        # the reliable-change reference a scale's first report freezes (each a job's work, the
        # same whoever asks: DEVELOPING "Security checks").
        if name in {"access_events", "login_events", "council_publications", "scale_references"}:
            continue
        rows = db.execute(select(func.count()).select_from(table)).scalar_one()
        version = (
            db.execute(select(func.coalesce(func.sum(table.c.version), 0))).scalar_one()
            if "version" in table.c
            else 0
        )
        counts[name] = (rows, int(version))
    return counts


def access_event_count(db: Session) -> int:
    """Number of access events (reads are logged; tests compare before and after)."""
    return db.exec(select(func.count()).select_from(AccessEvent)).one()
