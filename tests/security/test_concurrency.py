"""SECURITY.md "SQLite: WAL, busy timeout ... write transactions that take the lock up front
(BEGIN IMMEDIATE) so concurrent writers wait instead of failing. PostgreSQL: version checks or
row locks on contended rows" and "A one-time submission token makes double submits harmless".

16 threads submit 1,000 follow-ups through the real follow-up form (100 of them twice, from two
threads at once); all are stored, none twice, and no "database is locked" reaches a user.
"""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

from sqlmodel import func, select

from del_tool.audit.integrity import verify_history
from del_tool.auth.models import User
from del_tool.citizens import services as citizens
from del_tool.citizens.access import Actor
from del_tool.citizens.models import Sex
from del_tool.followups.models import FollowUp
from del_tool.organisation.models import LegalSection, Unit
from tests.conftest import login
from tests.security.helpers import db_session

THREADS = 16
CITIZENS = 50
DATES = 20  # 50 citizens x 20 dates = 1,000 follow-ups
DOUBLE_SUBMITS = 100
FIRST_DAY = date(2021, 1, 4)


def _citizens(app, make_user) -> tuple[str, list[int]]:
    with db_session(app) as db:
        unit = db.exec(select(Unit).order_by(Unit.id)).first()
        unit_id, target_group = unit.id, unit.target_group
    user = make_user("staff", unit_ids=[unit_id])
    with db_session(app) as db:
        actor = Actor.of(db.get(User, user.id), session=db)
        ids = []
        for i in range(CITIZENS):
            citizen = citizens.create_citizen(
                session=db,
                actor=actor,
                citizen=citizens.CitizenData(
                    name=f"Samtidig Borger {i}",
                    birth_year=1970,
                    sex=Sex.FEMALE,
                    target_group=target_group,
                ),
                stay=citizens.StayData(
                    unit_id=unit_id,
                    municipality_code="461",
                    legal_section=LegalSection.S107,
                    start_date=date(2020, 1, 1),
                ),
            )
            ids.append(citizen.id)
    return user.username, ids


def test_sixteen_threads_store_a_thousand_follow_ups_exactly_once(app, make_user):
    username, citizen_ids = _citizens(app, make_user)
    jobs = [
        (citizen_id, FIRST_DAY + timedelta(days=7 * d), secrets.token_urlsafe(32))
        for citizen_id in citizen_ids
        for d in range(DATES)
    ]
    submissions = jobs + jobs[:DOUBLE_SUBMITS]  # the same form (token) sent a second time
    clients = [app.test_client() for _ in range(THREADS)]
    for client in clients:
        assert login(client, username).status_code == 302

    def work(thread: int) -> list[tuple[int, str]]:
        client, answers = clients[thread], []
        # Thread t takes every 16th submission, so the repeats run in other threads than the
        # originals, at about the same time.
        for citizen_id, day, token in submissions[thread::THREADS]:
            response = client.post(
                f"/followups/new/{citizen_id}?date={day.isoformat()}",
                data={
                    "followup_date": day.isoformat(),
                    "kind": "follow_up",
                    "note": "",
                    "submission_token": token,
                },
            )
            answers.append((response.status_code, response.get_data(as_text=True)))
        return answers

    with ThreadPoolExecutor(THREADS) as pool:
        answers = [a for batch in pool.map(work, range(THREADS)) for a in batch]

    assert len(answers) == len(submissions)
    assert {status for status, _ in answers} == {302}
    assert not any("locked" in body.lower() for _, body in answers)
    with db_session(app) as db:
        stored = db.exec(select(func.count()).select_from(FollowUp)).one()
        tokens = db.exec(select(func.count(func.distinct(FollowUp.submission_token)))).one()
        assert stored == tokens == len(jobs) == 1000
        assert set(db.exec(select(FollowUp.submission_token)).all()) == {t for *_, t in jobs}
        assert verify_history(db)[1] == []
