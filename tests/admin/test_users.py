"""User administration: create with role and scope, edit, deactivate, reactivate, reset password."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from del_tool.auth.models import Role, User, UserUnit
from del_tool.auth.passwords import verify_password
from tests.admin.conftest import all_history_text, history, page
from tests.conftest import PASSWORD, login

NEW_PASSWORD = "plum orchard 42 lantern"


def create(client, **fields):
    data = {"username": "mette", "display_name": "Mette Holm", "role": "analyst"}
    data.update(fields)
    return client.post("/admin/users/new", data=data)


def edit_token(client, user_id):
    """The edit token of the user form, as the browser would post it back."""
    html = page(client.get(f"/admin/users/{user_id}"))
    return re.search(r'name="edit_token" type="hidden" value="([0-9a-f]+)"', html).group(1)


def find(db, username):
    return db().exec(select(User).where(User.username == username)).first()


def test_user_list_shows_role_scope_and_status(admin_client, make_user, org):
    make_user("staff", username="sofie", unit_ids=[org.unit_id])
    make_user("council", username="odense", municipality_code=org.municipality_code)
    html = page(admin_client.get("/admin/users"))
    assert "sofie" in html and "Medarbejder" in html
    assert "odense" in html and "Kommune" in html
    assert "chief" in html and "Administrator" in html


def test_create_staff_user_with_units(admin_client, org, db, admin):
    response = create(
        admin_client,
        role="staff",
        units=[str(org.unit_id), str(org.other_unit_id)],
        password=NEW_PASSWORD,
        confirm=NEW_PASSWORD,
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    session = db()
    user = find(db, "mette")
    assert user.role is Role.STAFF and user.display_name == "Mette Holm"
    assert user.centre_id is None and user.municipality_code is None
    units = session.exec(select(UserUnit.unit_id).where(UserUnit.user_id == user.id)).all()
    assert sorted(units) == sorted([org.unit_id, org.other_unit_id])
    assert verify_password(user.password_hash, NEW_PASSWORD)
    [event] = history(session, "users")
    assert event.action == "create" and event.user_id == admin.id and event.citizen_id is None
    assert event.changes["role"] == [None, "staff"]
    assert event.changes["unit_ids"] == [None, sorted([org.unit_id, org.other_unit_id])]
    assert "password_hash" not in event.changes


@pytest.mark.parametrize(
    ("role", "scope_field"),
    [("leader", "centre"), ("council", "municipality"), ("analyst", None), ("admin", None)],
)
def test_create_each_role_with_its_scope(admin_client, org, db, role, scope_field):
    scope = {
        "centre": {"centre": str(org.centre_id)},
        "municipality": {"municipality": org.municipality_code},
        None: {},
    }[scope_field]
    response = create(admin_client, role=role, password=NEW_PASSWORD, confirm=NEW_PASSWORD, **scope)
    assert response.status_code == 302
    user = find(db, "mette")
    assert user.role.value == role
    assert user.centre_id == (org.centre_id if role == "leader" else None)
    assert user.municipality_code == (org.municipality_code if role == "council" else None)


#: (posted fields, the field the error must be beside, part of the message)
BAD_INPUT = [
    ({"role": "staff"}, "units", "Vælg mindst ét tilbud for en medarbejder."),
    ({"role": "leader"}, "centre", "Vælg lederens center."),
    ({"role": "council"}, "municipality", "Vælg kommunen."),
    ({"role": "leader", "centre": "99999"}, "centre", "Vælg en af de viste muligheder."),
    ({"role": "leader", "centre": "abc"}, "centre", "Vælg en af de viste muligheder."),
    ({"role": "council", "municipality": "999"}, "municipality", "Vælg en af de viste"),
    ({"role": "staff", "units": ["99999"]}, "units", "Vælg en af de viste muligheder."),
    ({"role": "staff", "units": ["1; DROP"]}, "units", "Vælg en af de viste muligheder."),
    ({"role": "superuser"}, "role", "Vælg en af de viste muligheder."),
    ({"role": ""}, "role", "Vælg en rolle."),
    ({"username": ""}, "username", "Skriv et brugernavn."),
    ({"username": "a b"}, "username", "Brug kun bogstaver"),
    ({"username": "x" * 151}, "username", "Højst 150 tegn."),
    ({"display_name": " "}, "display_name", "Skriv brugerens navn."),
    ({"display_name": "x" * 10_000}, "display_name", "Højst 200 tegn."),
    ({"password": "short", "confirm": "short"}, "password", "mindst 8 tegn"),
    ({"password": "p" * 129, "confirm": "p" * 129}, "password", "højst have 128 tegn"),
    ({"password": "password", "confirm": "password"}, "password", "for almindelig"),
    ({"password": NEW_PASSWORD, "confirm": "other"}, "confirm", "ikke ens"),
]


def test_bad_input_is_refused_beside_the_field(admin_client, org, db):
    """Hostile and careless input: an error beside the field, a 200 page, nothing stored."""
    for fields, field_id, message in BAD_INPUT:
        values = {
            key: [v.format(unit=org.unit_id) for v in value]
            if isinstance(value, list)
            else value.format(centre=org.centre_id, code=org.municipality_code)
            for key, value in fields.items()
        }
        response = create(admin_client, **values)
        html = page(response)
        assert response.status_code == 200, fields
        assert f'id="{field_id}-error"' in html, fields
        error = html[html.index(f'id="{field_id}-error"') :][:400]
        assert message in error, (fields, error)
    assert db().exec(select(User).where(User.username != "chief")).all() == []
    assert history(db(), "users") == []


def test_scope_fields_of_other_roles_are_dropped_not_refused(admin_client, org, db):
    """#15 item 11: a role change leaves no centre or units behind for the user to clear."""
    response = create(
        admin_client,
        role="staff",
        units=[str(org.unit_id)],
        centre=str(org.centre_id),
        municipality=org.municipality_code,
    )
    assert response.status_code in (200, 302) and "Kun ledere" not in page(response)
    user = db().exec(select(User).where(User.username != "chief")).one()
    assert (user.role.value, user.centre_id, user.municipality_code) == ("staff", None, None)


def test_the_error_summary_follows_the_order_of_the_fields(admin_client):
    html = page(create(admin_client, username="", display_name="", role="staff"))
    summary = html[html.index('id="error-summary"') :]
    summary = summary[: summary.index("</ul>")]
    order = [summary.index(f'href="#{name}"') for name in ("username", "display_name", "units")]
    assert order == sorted(order)


def test_duplicate_username_is_refused(admin_client, make_user, db):
    make_user("analyst", username="mette")
    response = create(admin_client, username="  METTE ")
    assert "Brugernavnet er optaget." in page(response)
    assert len(db().exec(select(User).where(User.username == "mette")).all()) == 1


def test_empty_password_generates_one_shown_once(admin_client, app, db):
    response = create(admin_client, password="", confirm="")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    shown = re.search(r'<code id="generated-password">([^<]+)</code>', page(response))
    assert shown
    password = shown.group(1)
    assert len(password) >= 16
    assert verify_password(find(db, "mette").password_hash, password)
    assert password not in all_history_text(db())
    assert password not in page(admin_client.get("/admin/users"))
    fresh = app.test_client()
    assert login(fresh, "mette", password).status_code == 302


def test_edit_name_role_and_scope(admin_client, make_user, org, db, admin):
    user = make_user("staff", username="sofie", unit_ids=[org.unit_id])
    assert 'value="Test staff"' in page(admin_client.get(f"/admin/users/{user.id}"))
    response = admin_client.post(
        f"/admin/users/{user.id}",
        data={
            "display_name": "Sofie Lund",
            "role": "leader",
            "centre": str(org.centre_id),
            "edit_token": edit_token(admin_client, user.id),
        },
    )
    assert response.status_code == 302
    session = db()
    stored = session.get(User, user.id)
    assert (stored.display_name, stored.role, stored.centre_id) == (
        "Sofie Lund",
        Role.LEADER,
        org.centre_id,
    )
    assert session.exec(select(UserUnit).where(UserUnit.user_id == user.id)).all() == []
    assert stored.version == 2
    event = history(session, "users")[-1]
    assert event.action == "update" and event.user_id == admin.id
    assert event.changes == {
        "display_name": ["Test staff", "Sofie Lund"],
        "role": ["staff", "leader"],
        "centre_id": [None, org.centre_id],
        "unit_ids": [[org.unit_id], []],
    }


def test_second_administrator_saving_a_stale_form_gets_a_conflict(
    app, admin_client, make_user, org, db
):
    user = make_user("staff", username="sofie", unit_ids=[org.unit_id])
    second = app.test_client()
    login(second, make_user("admin", username="deputy").username)
    data = {"display_name": "Test staff", "role": "staff"}
    first_token = edit_token(admin_client, user.id)
    second_token = edit_token(second, user.id)
    response = admin_client.post(
        f"/admin/users/{user.id}",
        data={**data, "units": [org.unit2_id], "edit_token": first_token},
    )
    assert response.status_code == 302
    assert db().get(User, user.id).version == 2  # only the units changed: the row still moves
    stale = second.post(
        f"/admin/users/{user.id}",
        data={**data, "units": [org.unit_id], "edit_token": second_token},
    )
    assert stale.status_code == 302
    assert "Posten er ændret af en anden" in page(second.get(stale.headers["Location"]))
    units = db().exec(select(UserUnit.unit_id).where(UserUnit.user_id == user.id)).all()
    assert units == [org.unit2_id]
    assert [e.action for e in history(db(), "users")] == ["update"]


def test_a_login_during_the_edit_is_no_conflict(app, admin_client, make_user, db):
    user = make_user("analyst", username="anna")
    token = edit_token(admin_client, user.id)
    login(app.test_client(), "anna")  # moves the row's version (last_login_at)
    response = admin_client.post(
        f"/admin/users/{user.id}",
        data={"display_name": "Anna Berg", "role": "analyst", "edit_token": token},
    )
    assert response.status_code == 302
    assert db().get(User, user.id).display_name == "Anna Berg"


def test_tampered_edit_token_is_a_conflict(admin_client, make_user, db):
    user = make_user("analyst", username="anna")
    for token in ["", "0" * 32, "x" * 5000]:
        response = admin_client.post(
            f"/admin/users/{user.id}",
            data={"display_name": "Changed", "role": "analyst", "edit_token": token},
        )
        assert response.status_code in (200, 302), token
    assert db().get(User, user.id).display_name == "Test analyst"


def test_edit_refuses_bad_scope_and_keeps_the_user(admin_client, make_user, org, db):
    user = make_user("staff", username="sofie", unit_ids=[org.unit_id])
    response = admin_client.post(
        f"/admin/users/{user.id}",
        data={
            "display_name": "X",
            "role": "council",
            "municipality": "000",
            "edit_token": edit_token(admin_client, user.id),
        },
    )
    assert response.status_code == 200 and 'id="municipality-error"' in page(response)
    stored = db().get(User, user.id)
    assert stored.role is Role.STAFF and stored.display_name == "Test staff"


def test_administrator_cannot_change_own_role_or_deactivate_self(admin_client, admin, db):
    response = admin_client.post(
        f"/admin/users/{admin.id}",
        data={
            "display_name": "Chief",
            "role": "analyst",
            "edit_token": edit_token(admin_client, admin.id),
        },
    )
    assert "Du kan ikke ændre din egen rolle." in page(response)
    response = admin_client.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert "Du kan ikke deaktivere dig selv." in page(response)
    stored = db().get(User, admin.id)
    assert stored.role is Role.ADMIN and stored.active


def test_deactivation_ends_the_users_session_at_once(app, admin_client, make_user, db, admin):
    user = make_user("analyst", username="anna")
    other = app.test_client()
    assert login(other, "anna").status_code == 302
    assert other.get("/home").status_code == 200
    response = admin_client.post(f"/admin/users/{user.id}/deactivate")
    assert response.status_code == 302
    after = other.get("/home")
    assert after.status_code == 302 and "/auth/login" in after.headers["Location"]
    assert login(other, "anna").status_code == 200  # refused: stays on the login form
    stored = db().get(User, user.id)
    assert not stored.active and stored.session_version == 2
    event = history(db(), "users")[-1]
    assert event.action == "deactivate" and event.user_id == admin.id
    assert event.changes == {"active": [True, False], "session_version": [1, 2]}
    assert "Deaktiveret" in page(admin_client.get("/admin/users"))


def test_reactivation_lets_the_user_log_in_again(app, admin_client, make_user, db):
    user = make_user("analyst", username="anna")
    admin_client.post(f"/admin/users/{user.id}/deactivate")
    response = admin_client.post(f"/admin/users/{user.id}/reactivate", follow_redirects=True)
    assert "anna kan logge ind igen." in page(response)
    assert db().get(User, user.id).active
    assert login(app.test_client(), "anna").status_code == 302
    assert [e.action for e in history(db(), "users")] == ["deactivate", "reactivate"]


def test_deactivation_is_post_only(admin_client, make_user):
    user = make_user("analyst")
    assert admin_client.get(f"/admin/users/{user.id}/deactivate").status_code == 405


def test_reset_password_set_by_administrator(app, admin_client, make_user, db):
    user = make_user("analyst", username="anna")
    other = app.test_client()
    login(other, "anna")
    response = admin_client.post(
        f"/admin/users/{user.id}/password",
        data={"mode": "set", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert other.get("/home").status_code == 302  # the user's session ended
    assert login(app.test_client(), "anna", PASSWORD).status_code == 200  # old password refused
    assert login(app.test_client(), "anna", NEW_PASSWORD).status_code == 302
    event = history(db(), "users")[-1]
    assert event.action == "password_reset"
    assert set(event.changes) == {"password_changed_at", "session_version"}
    text = all_history_text(db())
    assert NEW_PASSWORD not in text and "argon2" not in text


def test_reset_password_generated_is_shown_once(app, admin_client, make_user, db):
    user = make_user("analyst", username="anna")
    response = admin_client.post(f"/admin/users/{user.id}/password", data={"mode": "generate"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = re.search(r'<code id="generated-password">([^<]+)</code>', page(response)).group(1)
    assert login(app.test_client(), "anna", password).status_code == 302
    assert password not in page(admin_client.get(f"/admin/users/{user.id}"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mode": "set", "password": "", "confirm": ""}, "Skriv den nye adgangskode."),
        ({"mode": "set", "password": "kort", "confirm": "kort"}, "mindst 8 tegn"),
        ({"mode": "set", "password": NEW_PASSWORD, "confirm": "x"}, "ikke ens"),
        ({"mode": "email"}, "Vælg en af de viste muligheder."),
    ],
)
def test_reset_password_refuses_bad_input(admin_client, make_user, db, data, message):
    user = make_user("analyst", username="anna")
    response = admin_client.post(f"/admin/users/{user.id}/password", data=data)
    assert response.status_code == 200 and message in page(response)
    stored = db().get(User, user.id)
    assert verify_password(stored.password_hash, PASSWORD) and stored.session_version == 1
    assert history(db(), "users") == []


def test_english_errors_beside_the_field(admin_client):
    admin_client.post("/language", data={"lang": "en", "next": "/"})
    html = page(create(admin_client, role="staff"))
    assert "Choose at least one unit for a staff member." in html


def test_a_failure_midway_writes_nothing(admin_client, monkeypatch, db):
    import del_tool.admin.services as services

    def broken(**_kwargs):
        raise RuntimeError("history unavailable")

    monkeypatch.setattr(services, "record_change", broken)
    with pytest.raises(RuntimeError):
        create(admin_client, password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert find(db, "mette") is None


def test_a_generated_password_must_be_replaced_at_the_first_login(admin_client, app, db):
    """#15 item 11: the user chooses their own password before anything else."""
    response = create(admin_client, password="", confirm="")
    password = re.search(r'<code id="generated-password">([^<]+)</code>', page(response)).group(1)
    assert find(db, "mette").must_change_password
    user_client = app.test_client()
    login(user_client, "mette", password)
    home = user_client.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/account/password")
    new = "et helt nyt kodeord til Mette"
    changed = user_client.post(
        "/account/password",
        data={"current_password": password, "new_password": new, "confirm": new},
    )
    assert changed.status_code == 302
    assert not find(db, "mette").must_change_password


def test_a_typed_password_need_not_be_replaced(admin_client, db):
    create(admin_client, password=PASSWORD, confirm=PASSWORD)
    assert not find(db, "mette").must_change_password
