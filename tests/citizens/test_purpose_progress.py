"""Progress per purpose of the municipality's action plan (#21 item 5) on the citizen status
statement (page and PDF) and, briefly, on the profile."""

from __future__ import annotations

import subprocess

import pytest

from del_tool.citizens.models import StayPurpose
from del_tool.db import get_db
from del_tool.goals.models import Goal, Theme


@pytest.fixture
def linked(app, world):
    """Two purposes on stay a: the first serves both goals of citizen a (one met: the
    maintain goal at its level; one not: the develop goal still at 3 against a target of 2),
    the second (with an FFB theme) none."""
    with get_db(app).session(write=True) as db:
        home = StayPurpose(stay_id=world.stay_a, text="Kunne bo i egen bolig", position=0)
        work = StayPurpose(
            stay_id=world.stay_a,
            text="Komme i beskæftigelse",
            theme=Theme.COMMUNITY_LIFE,
            position=1,
        )
        db.add_all([home, work])
        db.flush()
        for goal_id in (world.goal_develop, world.goal_gas):
            goal = db.get(Goal, goal_id)
            goal.purpose_id = home.id
            db.add(goal)
        db.commit()


def test_the_statement_shows_each_purpose_with_its_goals_against_the_target(world, staff, linked):
    page = staff.get(f"/citizens/{world.citizen_a}/status").get_data(as_text=True)
    section = page[page.index('id="status-purposes"') : page.index('id="status-scores"')]
    assert "Kommunens formål med indsatsen (handleplan)" in section
    assert section.index("Kunne bo i egen bolig") < section.index("Komme i beskæftigelse")
    assert "1 af 2 knyttede mål har nået målniveauet." in section
    assert (
        "Lave mad selv to gange om ugen: seneste niveau 3, målniveau 2, ikke nået endnu" in section
    )
    assert "Ringe til sin søster hver uge: seneste niveau 2, målniveau 2, nået" in section
    assert "FFB-tema: Samfundsliv" in section
    assert "Intet mål var knyttet til formålet i perioden." in section


def test_the_pdf_statement_lists_the_purposes(world, staff, linked, tmp_path):
    response = staff.get(f"/citizens/{world.citizen_a}/status.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "status.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert "Kommunens formål med indsatsen (handleplan)" in flat
    assert "Kunne bo i egen bolig" in flat and "1 af 2 knyttede mål har nået målniveauet." in flat
    assert "seneste niveau 3, målniveau 2, ikke nået endnu" in flat


def test_a_period_before_the_stay_shows_none_of_its_purposes(world, staff, linked):
    from tests.support.staff import TODAY

    day = TODAY.replace(year=TODAY.year - 3).isoformat()
    page = staff.get(f"/citizens/{world.citizen_a}/status?period={day}..{day}")
    assert "status-purposes" not in page.get_data(as_text=True)


def test_the_profile_shows_the_purposes_briefly(world, staff, linked):
    page = staff.get(f"/citizens/{world.citizen_a}").get_data(as_text=True)
    section = page[page.index('id="purposes-title"') :]
    assert "1 af 2 knyttede mål har nået målniveauet" in section
    assert "Lave mad selv to gange om ugen (ikke nået endnu)" in section
    assert "Komme i beskæftigelse" in section and "Intet mål er knyttet til formålet." in section


def test_a_profile_without_purposes_has_no_such_section(world, staff):
    page = staff.get(f"/citizens/{world.citizen_a}").get_data(as_text=True)
    assert 'id="purposes-title"' not in page
