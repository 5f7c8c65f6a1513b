"""The administration services on their own: permissions, checks no caller can skip, races."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm.exc import StaleDataError

from del_tool.admin.organisation import (
    TariffValues,
    create_tariff,
    overlapping_tariff,
    update_tariff,
    update_unit,
)
from del_tool.admin.rules import scope_problems
from del_tool.admin.services import (
    UserScope,
    check_scope,
    create_account,
    generate_password,
    reset_password,
    set_active,
)
from del_tool.auth.access import AccessDeniedError
from del_tool.auth.models import Role, User
from del_tool.auth.passwords import password_problems
from del_tool.db import get_db
from del_tool.errors import ConflictError, RuleError
from del_tool.organisation.models import LegalSection, Tariff, Unit

GOOD_PASSWORD = "plum orchard 42 lantern"


def values(unit_id, start=date(2026, 1, 1), end=None, amount="100.00"):
    return TariffValues(
        unit_id=unit_id,
        legal_section=LegalSection.S107,
        valid_from=start,
        valid_to=end,
        daily_amount=Decimal(amount),
    )


@pytest.mark.parametrize("role", ["staff", "leader", "council", "analyst"])
def test_only_administrators_manage_users_and_units(session, user_for_role, org, role):
    actor = user_for_role(role)
    with pytest.raises(AccessDeniedError):
        create_account(
            session=session,
            actor=actor,
            username="x",
            display_name="X",
            password=GOOD_PASSWORD,
            scope=UserScope(role=Role.ADMIN),
        )
    with pytest.raises(AccessDeniedError):
        reset_password(session=session, actor=actor, user_id=actor.id, password=GOOD_PASSWORD)
    with pytest.raises(AccessDeniedError):
        set_active(session=session, actor=actor, user_id=actor.id, active=False)
    with pytest.raises(AccessDeniedError):
        update_unit(
            session=session,
            actor=actor,
            unit_id=org.unit_id,
            version=1,
            followup_interval_days=30,
            active=True,
            questionnaire_ids=[],
            available_questionnaires=[],
        )


@pytest.mark.parametrize("role", ["staff", "leader", "council"])
def test_tariffs_need_the_tariff_permission(session, user_for_role, org, role):
    with pytest.raises(AccessDeniedError):
        create_tariff(session=session, actor=user_for_role(role), values=values(org.unit_id))


def test_scope_rules_fit_each_role():
    assert (
        scope_problems(role=Role.STAFF, unit_ids=[1], centre_id=None, municipality_code=None) == []
    )
    assert scope_problems(role=Role.LEADER, unit_ids=[], centre_id=1, municipality_code=None) == []
    assert (
        scope_problems(role=Role.COUNCIL, unit_ids=[], centre_id=None, municipality_code="461")
        == []
    )
    for role in (Role.ANALYST, Role.ADMIN):
        assert scope_problems(role=role, unit_ids=[], centre_id=None, municipality_code=None) == []
        fields = scope_problems(role=role, unit_ids=[1], centre_id=2, municipality_code="461")
        assert [field for field, _ in fields] == ["units", "centre", "municipality"]


def test_service_refuses_ids_that_do_not_exist(session, org):
    for scope, field in [
        (UserScope(role=Role.STAFF, unit_ids=frozenset({org.unit_id, 99999})), "units"),
        (UserScope(role=Role.LEADER, centre_id=99999), "centre"),
        (UserScope(role=Role.COUNCIL, municipality_code="999"), "municipality"),
        (UserScope(role=Role.COUNCIL), "municipality"),
    ]:
        with pytest.raises(RuleError) as caught:
            check_scope(session=session, scope=scope)
        assert caught.value.field == field


def test_service_checks_tariffs_whatever_the_caller(session, admin, org):
    bad = [
        (values(99999), "unit"),
        (values(org.unit_id, amount="-0.01"), "daily_amount"),
        (values(org.unit_id, amount="0.001"), "daily_amount"),
        (values(org.unit_id, amount="1000000"), "daily_amount"),
        (values(org.unit_id, amount="NaN"), "daily_amount"),
        (values(org.unit_id, end=date(2025, 12, 31)), "valid_to"),
        (values(org.unit_id, start=date(1900, 1, 1)), "valid_from"),
    ]
    for tariff_values, field in bad:
        with pytest.raises(RuleError) as caught:
            create_tariff(session=session, actor=admin, values=tariff_values)
        assert caught.value.field == field, tariff_values
    create_tariff(session=session, actor=admin, values=values(org.unit_id))
    with pytest.raises(RuleError) as caught:
        create_tariff(session=session, actor=admin, values=values(org.unit_id, date(2027, 1, 1)))
    assert caught.value.field == "valid_from"


def test_overlap_query_treats_open_ends_as_open(session, admin, org):
    create_tariff(
        session=session,
        actor=admin,
        values=values(org.unit_id, date(2025, 1, 1), date(2025, 6, 30)),
    )
    assert overlapping_tariff(session=session, values=values(org.unit_id, date(2025, 7, 1))) is None
    assert overlapping_tariff(session=session, values=values(org.unit_id, date(2025, 6, 30)))
    earlier = values(org.unit_id, date(2024, 1, 1), date(2024, 12, 31))
    assert overlapping_tariff(session=session, values=earlier) is None
    spanning = values(org.unit_id, date(2024, 1, 1), None)
    assert overlapping_tariff(session=session, values=spanning) is not None


def test_stale_version_is_refused_by_the_service(session, admin, org):
    tariff = create_tariff(session=session, actor=admin, values=values(org.unit_id))
    session.commit()
    with pytest.raises(ConflictError):
        update_tariff(
            session=session,
            actor=admin,
            tariff_id=tariff.id,
            version=tariff.version + 1,
            values=values(org.unit_id, amount="5"),
        )


def test_two_saves_that_both_passed_the_check_cannot_both_win(app, admin, org):
    """The row's version check catches a race the form's version cannot (StaleDataError)."""
    database = get_db(app)
    with app.app_context(), database.session(write=True) as first:
        first.expire_on_commit = False
        unit = first.get(Unit, org.unit_id)
        first.commit()  # end the transaction, keep the loaded (soon stale) unit
        with database.session(write=True) as second:
            update_unit(
                session=second,
                actor=admin,
                unit_id=org.unit_id,
                version=1,
                followup_interval_days=91,
                active=True,
                questionnaire_ids=[],
                available_questionnaires=[],
            )
            second.commit()
        assert unit.version == 1  # what the first request saw
        with pytest.raises(StaleDataError):
            update_unit(
                session=first,
                actor=admin,
                unit_id=org.unit_id,
                version=1,
                followup_interval_days=365,
                active=True,
                questionnaire_ids=[],
                available_questionnaires=[],
            )
        first.rollback()
    with database.session(write=False) as check:
        assert check.get(Unit, org.unit_id).followup_interval_days == 91


def test_generated_passwords_follow_the_rules_and_differ():
    passwords = {generate_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert password_problems(password) == []
        assert len(password) == 19 and password.count("-") == 3


def test_deactivating_twice_changes_nothing_the_second_time(session, admin, make_user):
    user = make_user("analyst")
    set_active(session=session, actor=admin, user_id=user.id, active=False)
    set_active(session=session, actor=admin, user_id=user.id, active=False)
    session.commit()
    assert session.get(User, user.id).session_version == 2


def test_tariff_rows_keep_two_decimals(session, admin, org):
    tariff = create_tariff(session=session, actor=admin, values=values(org.unit_id, amount="7.5"))
    session.commit()
    session.expire_all()
    assert session.get(Tariff, tariff.id).daily_amount == Decimal("7.50")
