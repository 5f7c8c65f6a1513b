"""Build the demo region: organisation, tariffs, citizens with their whole course, demo users."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from del_tool.auth.models import Role, User
from del_tool.auth.services import create_user
from del_tool.citizens.models import Citizen, Sex, Stay, StayPurpose
from del_tool.demo import names, profiles
from del_tool.demo.economy import (
    economy_counts,
    occupancy_basis,
    stay_level,
    tariff_growth,
    write_economy,
)
from del_tool.demo.events import run_stay
from del_tool.demo.scoring import BatchScorer
from del_tool.demo.simulate import (
    CitizenCourse,
    DemoUnit,
    SimStay,
    follow_up_dates,
    lognormal_days,
)
from del_tool.demo.writer import RowBuffer
from del_tool.followups.models import Assessment, FollowUp, GoalReview, Perspective
from del_tool.goals.models import Goal, Theme
from del_tool.organisation.models import (
    Centre,
    LegalSection,
    TargetGroup,
    Tariff,
    Unit,
    UnitQuestionnaire,
)
from del_tool.organisation.services import region_definition, seed_all


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """Size and seed of the demo region; the same options give the same data."""

    citizens: int = 400
    years: int = 3
    seed: int = 2026
    today: date = field(default_factory=date.today)
    batch_size: int = 500
    #: Names of the centres whose units take the citizens (empty: every centre of the region).
    centres: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DemoUserSpec:
    """A demo login; `operator`: the municipality it works for as an operator of offers."""

    username: str
    display_name: str
    role: Role
    operator: str | None = None


DEMO_USERS = (
    DemoUserSpec("staff", "Mette Holm (demo)", Role.STAFF),
    DemoUserSpec("leader", "Lars Bach (demo)", Role.LEADER),
    DemoUserSpec("analyst", "Ida Friis (demo)", Role.ANALYST),
    DemoUserSpec("council", "Odense Kommune (demo)", Role.COUNCIL),
    DemoUserSpec("admin", "Administrator (demo)", Role.ADMIN),
    # Odense Kommune operates offers of its own: their leader and its own administrator.
    DemoUserSpec("kommuneleder", "Sofie Winther (demo, Odense Kommune)", Role.LEADER, "461"),
    DemoUserSpec("kommuneadmin", "Administrator (demo, Odense Kommune)", Role.ADMIN, "461"),
)
#: The demo staff user works in these units; the leader leads their centre.
STAFF_UNITS = ("Rehabiliteringsbostedet Åløkken", "Botilbuddet Strandhuse")
COUNCIL_MUNICIPALITY = "461"  # Odense, the region's largest payer
#: Citizens of the municipal offers, as a share of all demo citizens.
MUNICIPAL_CITIZEN_SHARE = 0.15

Progress = Callable[[int], None]


class DemoError(RuntimeError):
    """The demo cannot be generated (e.g. the database already holds citizens)."""


def generate_demo(
    *, session: Session, options: DemoOptions, registry: Any, progress: Progress | None = None
) -> dict[str, int]:
    """Fill an empty database with the demo region; returns row counts per table."""
    if session.exec(select(Citizen.id).limit(1)).first() is not None:
        raise DemoError("the database already holds citizens; demo data goes into an empty one")
    seed_all(session=session)
    rng = random.Random(options.seed)
    units, places = _demo_units(session, rng)
    window_start = options.today - timedelta(days=round(365.25 * options.years))
    first_year, last_year = window_start.year - 3, options.today.year
    _write_unit_setup(session, units, first_year=first_year, last_year=last_year, rng=rng)
    # The municipal offers draw from their own generator, so the region's data stays as it was.
    municipal_rng = random.Random(options.seed + 1)
    municipal, municipal_places = _demo_units(session, municipal_rng, municipal=True)
    _write_unit_setup(
        session, municipal, first_year=first_year, last_year=last_year, rng=municipal_rng
    )
    if options.centres:
        units, places = _restrict_to_centres(session, units, places, options.centres)
        municipal, municipal_places = _restrict_to_centres(
            session, municipal, municipal_places, options.centres, empty_ok=True
        )
    item_ids = {
        qid: tuple(item.id for item in registry.get(qid).items)
        for qid in {q for u in (*units, *municipal) for q in u.questionnaires}
    }
    buffer = RowBuffer(session)
    scorer = BatchScorer(registry)
    municipal_count = round(options.citizens * MUNICIPAL_CITIZEN_SHARE) if municipal else 0
    runs = [(rng, units, places, options.citizens - municipal_count)]
    if municipal_count:
        runs.append((municipal_rng, municipal, municipal_places, municipal_count))
    done = 0
    for run_rng, run_units, weights, count in runs:
        for _index in range(count):
            unit = run_rng.choices(run_units, weights=weights)[0]
            _citizen(run_rng, buffer, unit, run_units, options, window_start, scorer, item_ids)
            done += 1
            if done % options.batch_size == 0:
                scorer.drain(buffer)
                buffer.flush()
                if progress:
                    progress(options.batch_size)
    scorer.drain(buffer)
    buffer.flush()
    if progress and done % options.batch_size:
        progress(done % options.batch_size)
    buffer.reset_sequences()
    write_economy(
        session,
        [*units, *municipal],
        seed=options.seed,
        window_start=window_start,
        first_year=first_year,
        today=options.today,
    )
    buffer.analyze()
    counts = dict(buffer.counts)
    counts.update(economy_counts(session))
    from del_tool.demo.actions import write_demo_actions  # builds reports: imported when used

    counts["actions"] = write_demo_actions(session, seed=options.seed, today=options.today)
    return counts


def _demo_units(
    session: Session, rng: random.Random, *, municipal: bool = False
) -> tuple[list[DemoUnit], list[float]]:
    """The region's units (or, `municipal`, the municipal offers' units) with their sections,
    questionnaires, tariff levels and a drawn effectiveness; weights by places."""
    definition = region_definition()
    centres = definition.get("municipal_centres", ()) if municipal else definition["centres"]
    by_name = {u["name"]: (c, u) for c in centres for u in c["units"]}
    rows = session.exec(select(Unit).order_by(col(Unit.id))).all()
    units, places = [], []
    for unit in rows:
        centre_spec, spec = by_name.get(unit.name, (None, None))
        if spec is None:
            continue
        extra = profiles.EXTRA_QUESTIONNAIRES.get(unit.target_group, ())
        units.append(
            DemoUnit(
                id=unit.id,  # type: ignore[arg-type]
                centre_id=unit.centre_id,
                target_group=unit.target_group,
                sections=tuple(LegalSection(s) for s in spec["sections"]),
                interval_days=unit.followup_interval_days,
                slope_factor=min(2.2, max(-0.2, rng.gauss(1.0, 0.45))),
                lateness=rng.uniform(0.6, 2.4),
                questionnaires=(profiles.FUNCTIONING_QUESTIONNAIRE, *extra),
                operator_code=centre_spec.get("operator") if centre_spec else None,
                levels=tuple((str(k), float(v)) for k, v in (spec.get("levels") or {}).items()),
            )
        )
        places.append(float(spec["places"]))
    return units, places


def _restrict_to_centres(
    session: Session,
    units: list[DemoUnit],
    places: list[float],
    centres: tuple[str, ...],
    *,
    empty_ok: bool = False,
) -> tuple[list[DemoUnit], list[float]]:
    """Only the units of the named centres (drawn after every unit, so the seed's draws hold);
    `empty_ok`: none of them may be among `units` (the municipal offers, when only regional
    centres are named)."""
    ids = set(session.exec(select(Centre.id).where(col(Centre.name).in_(centres))).all())
    kept = [
        (unit, weight) for unit, weight in zip(units, places, strict=True) if unit.centre_id in ids
    ]
    if empty_ok:
        return [unit for unit, _ in kept], [weight for _, weight in kept]
    if len(ids) != len(set(centres)) or not kept:
        raise DemoError(f"no demo units in the centres {', '.join(centres)}")
    return [unit for unit, _ in kept], [weight for _, weight in kept]


def _write_unit_setup(
    session: Session, units: list[DemoUnit], *, first_year: int, last_year: int, rng: random.Random
) -> None:
    """Questionnaires used per unit and a tariff per unit, section, level and calendar year.

    Tariffs rise each year by the demo price index plus the unit's own deviation
    (`economy.tariff_growth`), so some units rise more than the index, as in real life.
    """
    for unit in units:
        for qid in unit.questionnaires:
            if session.get(UnitQuestionnaire, (unit.id, qid)) is None:
                session.add(UnitQuestionnaire(unit_id=unit.id, questionnaire_id=qid))
        factor = profiles.TARGET_GROUP_TARIFF_FACTOR.get(unit.target_group, 1.0)
        factor *= rng.uniform(0.85, 1.2)
        growth = tariff_growth(unit.id, first_year=first_year, last_year=last_year)
        for section in unit.sections:
            for year in range(first_year, last_year + 1):
                amount = profiles.BASE_TARIFF[section] * factor * growth[year]
                for level, level_factor in unit.levels or (("", 1.0),):
                    session.add(
                        Tariff(
                            unit_id=unit.id,
                            legal_section=section,
                            level=level,
                            valid_from=date(year, 1, 1),
                            valid_to=None if year == last_year else date(year, 12, 31),
                            daily_amount=Decimal(f"{amount * level_factor:.2f}"),
                            occupancy_basis=occupancy_basis(section),
                        )
                    )
    session.flush()


def _payer(rng: random.Random) -> str:
    if rng.random() < profiles.OUTSIDE_SHARE:
        return rng.choice(profiles.OUTSIDE_PAYERS)
    codes = list(profiles.PAYER_WEIGHTS)
    return rng.choices(codes, weights=[profiles.PAYER_WEIGHTS[c] for c in codes])[0]


def _operator_payer(rng: random.Random, operator: str) -> str:
    """A municipal offer mostly serves its own municipality's citizens and sells the rest of
    its places to others."""
    return operator if rng.random() < profiles.OPERATOR_OWN_SHARE else _payer(rng)


def _person(rng: random.Random, target_group: TargetGroup, today: date) -> tuple[str, int, Sex]:
    male_share = {TargetGroup.AUTISM: 0.7, TargetGroup.SUBSTANCE_ABUSE: 0.72}.get(
        target_group, 0.55
    )
    draw = rng.random()
    sex = Sex.OTHER if draw < 0.01 else (Sex.MALE if draw < male_share else Sex.FEMALE)
    first = {Sex.MALE: names.MALE_FIRST, Sex.FEMALE: names.FEMALE_FIRST}.get(sex, names.OTHER_FIRST)
    age = (
        rng.randint(15, 22)
        if target_group is TargetGroup.CHILDREN_YOUTH
        else int(min(85, max(18, rng.gauss(42, 15))))
    )
    return f"{rng.choice(first)} {rng.choice(names.SURNAMES)}", today.year - age, sex


def _stays(
    rng: random.Random,
    unit: DemoUnit,
    units: list[DemoUnit],
    options: DemoOptions,
    window_start: date,
) -> list[SimStay]:
    """One stay, sometimes followed by a move to another unit of the same centre."""
    section = rng.choices(unit.sections, weights=[2.0] + [1.0] * (len(unit.sections) - 1))[0]
    legacy = (
        section in (LegalSection.S108, LegalSection.S103, LegalSection.S104) and rng.random() < 0.35
    )
    earliest = window_start - timedelta(days=730 if legacy else 120)
    span = max(1, (options.today - timedelta(days=7) - earliest).days)
    start = earliest + timedelta(days=rng.randrange(span))
    length = lognormal_days(rng, profiles.STAY_MEDIAN_DAYS[section])
    if rng.random() < profiles.DROPOUT_SHARE:
        length = max(14, int(length * rng.uniform(0.1, 0.4)))
    end = start + timedelta(days=length)
    payer = _operator_payer(rng, unit.operator_code) if unit.operator_code else _payer(rng)
    stays = [
        SimStay(
            unit=unit,
            municipality_code=payer,
            section=section,
            start=start,
            end=end if end < options.today else None,
        )
    ]
    siblings = [u for u in units if u.centre_id == unit.centre_id and u.id != unit.id]
    if stays[0].end is not None and siblings and rng.random() < 0.12:
        nxt = rng.choice(siblings)
        start2 = stays[0].end + timedelta(days=rng.randint(1, 30))
        if start2 < options.today:
            end2 = start2 + timedelta(
                days=lognormal_days(rng, profiles.STAY_MEDIAN_DAYS[nxt.sections[0]])
            )
            stays.append(
                SimStay(
                    unit=nxt,
                    municipality_code=payer,
                    section=nxt.sections[0],
                    start=start2,
                    end=end2 if end2 < options.today else None,
                )
            )
    return stays


def _at(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def _citizen(
    rng: random.Random,
    buffer: RowBuffer,
    unit: DemoUnit,
    units: list[DemoUnit],
    options: DemoOptions,
    window_start: date,
    scorer: BatchScorer,
    item_ids: dict[str, tuple[str, ...]],
) -> None:
    """Simulate one citizen and queue all their rows."""
    name, birth_year, sex = _person(rng, unit.target_group, options.today)
    stays = _stays(rng, unit, units, options, window_start)
    course = CitizenCourse(rng, unit.target_group, options.today.year - birth_year)
    citizen_id = buffer.add(
        Citizen,
        {
            "name": name,
            "birth_year": birth_year,
            "sex": sex,
            "target_group": unit.target_group,
            "case_reference": f"DEMO-{rng.randrange(10**6):06d}" if rng.random() < 0.6 else None,
            "created_at": _at(stays[0].start),
            "anonymised_at": None,
            "version": 1,
        },
    )
    buffer.add_audit(
        {
            "occurred_at": _at(stays[0].start),
            "user_id": None,
            "action": "import",
            "entity": "citizens",
            "entity_id": str(citizen_id),
            "citizen_id": citizen_id,
            "changes": {"source": ["", "demo generator"]},
        }
    )
    for stay in stays:
        run_stay(
            rng,
            course,
            stay,
            follow_up_dates(rng, stay, options.today, window_start),
            options.today,
            item_ids,
        )
        _queue_stay(buffer, citizen_id, stay, scorer)


def _queue_stay(buffer: RowBuffer, citizen_id: int, stay: SimStay, scorer: BatchScorer) -> None:
    stay_id = buffer.add(
        Stay,
        {
            "citizen_id": citizen_id,
            "unit_id": stay.unit.id,
            "municipality_code": stay.municipality_code,
            "legal_section": stay.section,
            "start_date": stay.start,
            "end_date": stay.end,
            "tariff_level": stay_level(stay.unit.levels, citizen_id, stay.start),
            "version": 1,
        },
    )
    purposes = _queue_purposes(buffer, citizen_id, stay_id, stay)
    goal_ids = []
    for goal in stay.goals:
        texts = (
            [t.format(title=goal.title.lower()) for t in profiles.GAS_TEMPLATES]
            if goal.gas
            else [None] * 5
        )
        goal_ids.append(
            buffer.add(
                Goal,
                {
                    "citizen_id": citizen_id,
                    "stay_id": stay_id,
                    "theme": goal.theme,
                    "title": goal.title,
                    "description": "",
                    "direction": goal.direction,
                    "baseline_level": goal.baseline_level,
                    "target_level": goal.target_level,
                    "gas_minus2": texts[0],
                    "gas_minus1": texts[1],
                    "gas_zero": texts[2],
                    "gas_plus1": texts[3],
                    "gas_plus2": texts[4],
                    "weight": goal.weight,
                    "purpose_id": purposes.get(goal.theme),
                    "start_date": goal.start_date,
                    "review_date": goal.start_date + timedelta(days=stay.unit.interval_days),
                    "status": goal.status,
                    "closed_on": goal.closed_on,
                    "created_at": _at(goal.start_date),
                    "version": 1,
                },
            )
        )
    for fu in stay.follow_ups:
        fu_id = buffer.add(
            FollowUp,
            {
                "citizen_id": citizen_id,
                "stay_id": stay_id,
                "followup_date": fu.date,
                "kind": fu.kind,
                "recorded_by_id": None,
                "note": "",
                "created_at": _at(fu.date),
                "submission_token": None,
                "version": 1,
            },
        )
        for review in fu.reviews:
            buffer.add(
                GoalReview,
                {
                    "follow_up_id": fu_id,
                    "goal_id": goal_ids[review.goal_index],
                    "level": review.level,
                    "gas_score": review.gas_score,
                    "citizen_rating": review.citizen_rating,
                    "motivation": review.motivation,
                    "note": "",
                },
            )
        for qid, answers in fu.answers.items():
            _queue_assessment(buffer, scorer, fu_id, scorer.definition(qid), answers)


#: The municipality's purpose of a stay (its action plan, Serviceloven § 141) per FFB theme, as
#: the demo writes them (invented, in the plans' own words).
PURPOSE_TEXTS: dict[Theme, str] = {
    Theme.RELATIONS: "Borgeren har kontakt med sin familie og et netværk uden for tilbuddet",
    Theme.COMMUNICATION: "Borgeren kan gøre sig forstået og sige til og fra i hverdagen",
    Theme.MOBILITY: "Borgeren kan færdes sikkert i lokalområdet",
    Theme.SELF_CARE: "Borgeren klarer sin personlige hygiejne og sine måltider",
    Theme.COMMUNITY_LIFE: "Borgeren deltager i fællesskaber, beskæftigelse eller uddannelse",
    Theme.PRACTICAL_TASKS: "Borgeren bliver så selvhjulpen i sin bolig som muligt",
}
#: Share of stays whose payer's action plan is entered with purposes.
PURPOSE_SHARE = 0.7


def _queue_purposes(
    buffer: RowBuffer, citizen_id: int, stay_id: int, stay: SimStay
) -> dict[Theme, int]:
    """Most stays get the payer's purposes, one per theme of their first two goals' themes, so
    the status statement and the council summary show progress per purpose; the goals of a
    theme serve its purpose. Drawn from the stay's own generator: the rest of the demo stays as
    it was."""
    rng = random.Random(f"purposes:{citizen_id}:{stay.start.isoformat()}")
    if not stay.goals or rng.random() >= PURPOSE_SHARE:
        return {}
    themes = list(dict.fromkeys(goal.theme for goal in stay.goals))[:2]
    ids: dict[Theme, int] = {}
    for position, theme in enumerate(themes):
        ids[theme] = buffer.add(
            StayPurpose,
            {
                "stay_id": stay_id,
                "text": PURPOSE_TEXTS[theme],
                "theme": theme,
                "position": position,
                "version": 1,
            },
        )
    return ids


def _queue_assessment(
    buffer: RowBuffer,
    scorer: BatchScorer,
    follow_up_id: int,
    definition: Any,
    answers: dict[str, int | None],
) -> None:
    """Queue an assessment; its scale scores follow when the scorer drains the batch."""
    assessment_id = buffer.add(
        Assessment,
        {
            "follow_up_id": follow_up_id,
            "questionnaire_id": definition.id,
            "questionnaire_version": definition.version,
            "perspective": Perspective(definition.perspective),
            "answers": answers,
            "completeness": scorer.completeness(definition, answers),
        },
    )
    scorer.add(definition, assessment_id, answers)


def create_demo_users(*, session: Session, password: str) -> list[User]:
    """The five demo logins with scopes that make sense for the demo region (idempotent)."""
    staff_units = session.exec(select(Unit).where(col(Unit.name).in_(STAFF_UNITS))).all()
    centre_id = staff_units[0].centre_id if staff_units else session.exec(select(Centre.id)).first()
    users = []
    for spec in DEMO_USERS:
        existing = session.exec(select(User).where(User.username == spec.username)).first()
        if existing is not None:
            users.append(existing)
            continue
        centre = centre_id
        if spec.operator is not None:
            centre = session.exec(
                select(Centre.id)
                .where(Centre.operator_code == spec.operator)
                .order_by(col(Centre.id))
            ).first()
            if centre is None:
                continue  # an organisation without that municipality's offers
        user = create_user(
            session=session,
            username=spec.username,
            display_name=spec.display_name,
            password=password,
            role=spec.role,
            centre_id=centre if spec.role is Role.LEADER else None,
            municipality_code=COUNCIL_MUNICIPALITY if spec.role is Role.COUNCIL else None,
            unit_ids=[u.id for u in staff_units if u.id] if spec.role is Role.STAFF else (),
        )
        if spec.role is Role.ADMIN:
            user.operator_code = spec.operator
        users.append(user)
    session.flush()
    return users
