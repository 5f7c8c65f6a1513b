"""`del-tool import` holds the write lock only to publish (the job's flow, `staged`): while the
command prepares its commit, another connection that will not wait at all (SQLite busy timeout
0; on PostgreSQL the history's chain lock tried, not awaited) writes a follow-up, and the
import still writes every row with the right links. A change the plan depends on, made while
it prepares, has the command plan again: the same plan is written, a different one (a likely
duplicate came) is not, with one line and exit status 1."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from bench.import_file import build_import_file, sheet_rows
from del_tool.audit.integrity import verify_history
from del_tool.auth.models import User
from del_tool.auth.scope import Scope
from del_tool.citizens.access import Actor
from del_tool.citizens.models import Citizen, Sex
from del_tool.citizens.services import CitizenData, StayData, create_citizen
from del_tool.db import get_db, write_session
from del_tool.followups.models import FollowUp
from del_tool.imports import staged
from del_tool.imports.models import ImportBatch, ImportReference
from del_tool.organisation.models import LegalSection, TargetGroup
from tests.imports.test_publish import (  # noqa: F401 - `setting` is a fixture
    CITIZENS,
    _write_without_waiting,
    setting,
)


@pytest.fixture
def command(app, setting, tmp_path):  # noqa: F811 - the fixture imported above
    """The command's arguments writing the benchmark's file of CITIZENS citizens as the
    leader of `setting`."""
    unit, leader_id, *_ = setting
    path = tmp_path / "fil.xlsx"
    path.write_bytes(build_import_file(CITIZENS))
    with app.app_context(), get_db(app).session(write=False) as db:
        username = db.get(User, leader_id).username
    return ["import", str(path), "--unit", str(unit), "--user", username]


def _while_preparing(monkeypatch, side_effect) -> list[int]:
    """Run `side_effect()` once, as the first preparation starts; the preparations' count."""
    calls: list[int] = []
    original = staged.prepare_commit

    def preparing(*args, **kwargs):
        if not calls:
            side_effect()
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(staged, "prepare_commit", preparing)
    return calls


def _new_citizen(app, unit: int, leader_id: int, name: str, birth_year: int, sex: Sex) -> None:
    """A citizen with a stay in `unit`, saved as the form saves one (with its history)."""
    actor = Actor(user_id=leader_id, scope=Scope(unit_ids=frozenset({unit})))
    with app.app_context(), write_session(app) as db:
        create_citizen(
            session=db,
            actor=actor,
            citizen=CitizenData(
                name=name, birth_year=birth_year, sex=sex, target_group=TargetGroup.AUTISM
            ),
            stay=StayData(
                unit_id=unit,
                municipality_code="461",
                legal_section=LegalSection.S107,
                start_date=date(2019, 1, 1),
            ),
        )


def _written(app) -> tuple[int, int]:
    with app.app_context(), get_db(app).session(write=False) as db:
        return (
            db.exec(select(func.count()).select_from(ImportBatch)).one(),
            db.exec(select(func.count()).select_from(ImportReference)).one(),
        )


def test_a_write_while_the_command_prepares_does_not_wait(
    app,
    runner,
    setting,  # noqa: F811
    command,
    monkeypatch,
):
    _unit, leader_id, stay_id, citizen_id = setting
    calls = _while_preparing(
        monkeypatch, lambda: _write_without_waiting(app, stay_id, citizen_id, leader_id)
    )
    result = runner.invoke(args=command)
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
    assert f"Borgere: {CITIZENS} oprettes, 0 opdateres, 0 uændret, 0 afvist" in result.output
    assert "Indlæsning 1 er gemt." in result.output
    with app.app_context(), get_db(app).session(write=False) as db:
        refs = {
            (r.sheet, r.external_ref): r.entity_id for r in db.exec(select(ImportReference)).all()
        }
        assert len(refs) == CITIZENS * 10
        ours = db.exec(select(FollowUp).where(col(FollowUp.stay_id) == stay_id)).all()
        assert len(ours) == 1  # the follow-up written meanwhile, kept
        for n in range(1, CITIZENS + 1):
            follow_up = db.get(FollowUp, refs[("follow_ups", f"F{n}")])
            assert follow_up is not None and follow_up.stay_id == refs[("stays", f"O{n}")]
            assert follow_up.citizen_id == refs[("citizens", f"B{n}")]
        _state, problems = verify_history(db)
    assert problems == []


def test_a_change_the_plan_depends_on_has_the_command_plan_again(
    app,
    runner,
    setting,  # noqa: F811
    command,
    monkeypatch,
):
    unit, leader_id, *_ = setting
    calls = _while_preparing(
        monkeypatch, lambda: _new_citizen(app, unit, leader_id, "Helt Anden", 1931, Sex.MALE)
    )
    result = runner.invoke(args=command)
    assert result.exit_code == 0, result.output
    assert len(calls) == 2  # a new citizen may be a duplicate: planned and prepared again
    assert _written(app) == (1, CITIZENS * 10)


def test_a_different_plan_after_the_change_writes_nothing(
    app,
    runner,
    setting,  # noqa: F811
    command,
    monkeypatch,
):
    unit, leader_id, *_ = setting
    _ref, name, birth_year, sex, _group = sheet_rows(CITIZENS)["Borgere"][1]
    like_b1 = Sex.FEMALE if sex == "K" else Sex.MALE
    _while_preparing(
        monkeypatch, lambda: _new_citizen(app, unit, leader_id, name, birth_year, like_b1)
    )
    result = runner.invoke(args=command)
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "Intet er gemt: data i DEL er ændret under indlæsningen. Kør den igen."
    )
    assert _written(app) == (0, 0)
    with app.app_context(), get_db(app).session(write=False) as db:
        assert db.exec(select(func.count()).select_from(Citizen)).one() == 2
