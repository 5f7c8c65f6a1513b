"""#15 item 2: a leader merges two records of the same person within their centre."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import col, select

from del_tool.audit.models import AccessEvent, AuditEvent
from del_tool.audit.services import verify_chain
from del_tool.citizens.models import Citizen, Sex, Stay
from del_tool.followups.models import FollowUp
from del_tool.goals.models import Goal
from del_tool.organisation.models import LegalSection, TargetGroup
from tests.support.staff import PAYER, TODAY, add, get_row, text


def _twin(db, world, *, start_days_ago=30, name="Åse Ørnsholt"):
    """A second record of the person of `world.citizen_a`, with a stay in unit a2."""
    with db() as session:
        twin = add(
            session,
            Citizen(name=name, birth_year=1980, sex=Sex.FEMALE, target_group=TargetGroup.AUTISM),
        )
        add(
            session,
            Stay(
                citizen_id=twin.id,
                unit_id=world.unit_a2,
                municipality_code=PAYER,
                legal_section=LegalSection.S104,
                start_date=TODAY - timedelta(days=start_days_ago),
            ),
        )
        session.commit()
        return twin.id


def _end_stay_a(db, world):
    """End citizen a's stay the day before the twin's began, so they do not overlap."""
    with db() as session:
        stay_a = session.get(Stay, world.stay_a)
        stay_a.end_date = TODAY - timedelta(days=31)
        session.add(stay_a)
        session.commit()


def _versions(db, *ids):
    return {
        key: get_row(db, Citizen, i).version
        for key, i in zip(("keep_version", "other_version"), ids, strict=True)
    }


def test_only_leaders_may_merge(world, client_as, db):
    twin = _twin(db, world)
    assert client_as("staff").get(f"/citizens/{world.citizen_a}/merge").status_code == 403
    leader = client_as("leader")
    page = text(leader.get(f"/citizens/{world.citizen_a}/merge"))
    assert f"/citizens/{world.citizen_a}/merge/{twin}" in page


def test_a_merge_of_overlapping_stays_is_refused_beside_the_checkbox(world, client_as, db):
    twin = _twin(db, world)  # a2 from 30 days ago overlaps the open a1 stay
    leader = client_as("leader")
    url = f"/citizens/{world.citizen_a}/merge/{twin}"
    response = leader.post(url, data={**_versions(db, world.citizen_a, twin), "confirm": "y"})
    assert response.status_code == 200 and "overlapper" in text(response)
    assert get_row(db, Citizen, twin).merged_into_id is None


def test_merge_moves_the_records_redirects_the_old_url_and_is_in_both_histories(
    app, world, client_as, db
):
    # Ended in a1 a month ago, registered again in a2 the day after: one person, twice.
    twin = _twin(db, world)
    _end_stay_a(db, world)
    with db() as session:
        twin_stay = session.exec(select(Stay.id).where(Stay.citizen_id == twin)).one()
    leader = client_as("leader")
    url = f"/citizens/{world.citizen_a}/merge/{twin}"
    page = text(leader.get(url))
    assert "Beholdes" in page and "Flyttes over" in page  # side by side
    assert get_row(db, Citizen, twin).merged_into_id is None  # GET changes nothing

    unconfirmed = leader.post(url, data=_versions(db, world.citizen_a, twin))
    assert unconfirmed.status_code == 200 and get_row(db, Citizen, twin).merged_into_id is None

    response = leader.post(url, data={**_versions(db, world.citizen_a, twin), "confirm": "y"})
    assert response.status_code == 302
    assert get_row(db, Citizen, twin).merged_into_id == world.citizen_a
    assert get_row(db, Stay, twin_stay).citizen_id == world.citizen_a

    old = leader.get(f"/citizens/{twin}")
    assert old.status_code == 302 and old.headers["Location"].endswith(f"/{world.citizen_a}")
    with db() as session:
        merges = session.exec(
            select(AuditEvent).where(AuditEvent.action == "merge").order_by(col(AuditEvent.id))
        ).all()
        assert [e.citizen_id for e in merges] == [world.citizen_a, twin]
        assert merges[0].changes["merged_from"] == [None, twin]
        moved = session.exec(
            select(AuditEvent).where(
                AuditEvent.entity == "stays", AuditEvent.entity_id == str(twin_stay)
            )
        ).all()
        assert moved[-1].changes["citizen_id"] == [twin, world.citizen_a]
        with app.app_context():
            assert verify_chain(session) == []
    # The kept record's log shows the reads made under the old id as well.
    log = text(leader.get(f"/audit/citizens/{world.citizen_a}"))
    assert log.count("merge") >= 2
    # The right-of-access export holds the merged record and what was recorded under its id.
    export = json.loads(leader.get(f"/audit/citizens/{world.citizen_a}/export.json").data)
    assert [r["id"] for r in export["merged_records"]] == [twin]
    assert twin in {e["citizen_id"] for e in export["history"]}


def test_a_citizen_of_another_centre_cannot_be_merged(world, client_as, db):
    leader = client_as("leader")
    url = f"/citizens/{world.citizen_a}/merge/{world.citizen_b}"
    assert leader.get(url).status_code == 403
    response = leader.post(
        url, data={**_versions(db, world.citizen_a, world.citizen_b), "confirm": "y"}
    )
    assert response.status_code == 403
    assert get_row(db, Citizen, world.citizen_b).merged_into_id is None


def test_follow_ups_and_goals_move_with_their_stays(world, client_as, db):
    twin = _twin(db, world)
    _end_stay_a(db, world)
    leader = client_as("leader")
    leader.get(f"/citizens/{world.citizen_a}")  # a read under the id that goes away
    url = f"/citizens/{twin}/merge/{world.citizen_a}"  # keep the twin this time
    response = leader.post(url, data={**_versions(db, twin, world.citizen_a), "confirm": "y"})
    assert response.status_code == 302
    with db() as session:
        assert session.exec(select(Goal).where(Goal.citizen_id == world.citizen_a)).all() == []
        assert session.exec(select(FollowUp).where(FollowUp.citizen_id == twin)).all()
        # Access events stay on the old id (attributable), shown with the kept record.
        reads = select(AccessEvent).where(AccessEvent.citizen_id == world.citizen_a)
        assert "citizens.profile" in [e.endpoint for e in session.exec(reads).all()]
    assert "citizens.profile" in text(leader.get(f"/audit/citizens/{twin}"))
