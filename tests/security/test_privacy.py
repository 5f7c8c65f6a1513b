"""SECURITY.md Privacy: "Export of all data about one citizen (right of access); erasure or
anonymisation with a minimal tombstone in the history; a retention job with a documented
policy" and "Pseudonymised exports for analysis (stable keyed pseudonyms, no names or free
text)"."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime

from pypdf import PdfReader
from sqlmodel import func, select

from del_tool.audit.integrity import verify_history
from del_tool.audit.models import AccessEvent, AuditEvent, LoginEvent
from del_tool.audit.services import record_update, snapshot
from del_tool.citizens.models import Citizen, Stay
from del_tool.goals.models import Goal
from del_tool.modelbase import local_today
from del_tool.organisation.models import LegalSection
from del_tool.security.privacy.pseudonyms import pseudonym
from del_tool.security.privacy.retention import RetentionPolicy, run_retention
from tests.security.helpers import db_session
from tests.security.test_history import add_citizen


def _first_citizen(db, *, anonymised=False):
    query = select(Citizen).where(Citizen.anonymised_at.is_(None) != anonymised)  # type: ignore[union-attr]
    return db.exec(query.order_by(Citizen.id)).first()


def test_export_json_holds_everything_and_is_logged(demo_app, tmp_path):
    runner = demo_app.test_cli_runner()
    with db_session(demo_app) as db:
        citizen = _first_citizen(db)
        citizen_id, name = citizen.id, citizen.name
        goals = db.exec(select(func.count()).where(Goal.citizen_id == citizen_id)).one()
    out = tmp_path / "export.json"
    result = runner.invoke(args=["privacy", "export", str(citizen_id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["citizen"]["name"] == name and len(data["goals"]) == goals
    assert data["stays"] and data["follow_ups"] and data["assessment_scores"] and data["history"]
    with db_session(demo_app) as db:
        exports = db.exec(select(AccessEvent).where(AccessEvent.citizen_id == citizen_id)).all()
        assert [e.action for e in exports] == ["export"]


def test_each_operator_answers_a_right_of_access_request_for_its_own_part(app, runner, tmp_path):
    """A citizen who stayed with the region and with Odense: each controller's export holds
    its own stays only (#17 item 1); the whole record without --operator."""
    from del_tool.organisation.operators import operator_units

    with db_session(app) as db:
        odense = min(operator_units(db, "461"))
        regional = min(operator_units(db, None))
        citizen = add_citizen(db, unit_id=regional, end=date(2024, 1, 1))
        db.add(
            Stay(
                citizen_id=citizen.id,
                unit_id=odense,
                municipality_code="461",
                legal_section=LegalSection.S85,
                start_date=date(2024, 2, 1),
            )
        )
        db.commit()
        citizen_id = citizen.id

    def units(*options):
        out = tmp_path / "export.json"
        args = ["privacy", "export", str(citizen_id), "--out", str(out), *options]
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        return sorted(s["unit_id"] for s in json.loads(out.read_text("utf-8"))["stays"])

    assert units() == sorted([regional, odense])
    assert units("--operator", "461") == [odense]
    assert units("--operator", "region") == [regional]
    refused = runner.invoke(
        args=["privacy", "export", str(citizen_id), "--out", str(tmp_path / "x"), "--operator", "9"]
    )
    assert refused.exit_code == 1 and "no municipality" in refused.output


def test_export_pdf_is_a_readable_document(demo_app, tmp_path):
    with db_session(demo_app) as db:
        citizen = _first_citizen(db)
        citizen_id, name = citizen.id, citizen.name
    out = tmp_path / "export.pdf"
    result = demo_app.test_cli_runner().invoke(
        args=["privacy", "export", str(citizen_id), "--format", "pdf", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = "".join(p.extract_text() for p in PdfReader(out).pages)
    assert name in text and "follow_ups" in text


def test_anonymisation_leaves_a_tombstone_and_a_valid_chain(app, runner):
    with db_session(app) as db:
        citizen = add_citizen(db, name="Hemmelig Hansen")
        before = snapshot(citizen)
        citizen.case_reference = "SAG-1"
        record_update(session=db, user_id=None, obj=citizen, before=before, citizen_id=citizen.id)
        other = add_citizen(db, name="Anden Andersen")
        citizen_id, other_id = citizen.id, other.id
    result = runner.invoke(args=["privacy", "anonymise", str(citizen_id), "--yes"])
    assert result.exit_code == 0, result.output
    with db_session(app) as db:
        stored = db.get(Citizen, citizen_id)
        assert stored.name == "Anonymiseret" and stored.case_reference is None
        assert stored.anonymised_at is not None and stored.birth_year == 1980
        events = db.exec(select(AuditEvent).where(AuditEvent.citizen_id == citizen_id)).all()
        dump = json.dumps([e.changes for e in events])
        assert "Hemmelig" not in dump and "SAG-1" not in dump
        assert [e.action for e in events] == ["create", "create", "update", "anonymise"]
        assert db.get(Citizen, other_id).name == "Anden Andersen"
        assert verify_history(db)[1] == []
    again = runner.invoke(args=["privacy", "anonymise", str(citizen_id), "--yes"])
    assert "already anonymised" in again.output


def test_retention_job_follows_the_policy(app, runner):
    with db_session(app) as db:
        old = add_citizen(db, name="Gammel", end=date(2015, 6, 30)).id
        recent = add_citizen(db, name="Ny", end=local_today()).id
        current = add_citizen(db, name="Aktuel").id
        db.add(
            LoginEvent(
                username="x",
                address="",
                success=False,
                occurred_at=datetime(2020, 1, 1, tzinfo=UTC),
            )
        )
        db.add(LoginEvent(username="y", address="", success=True))
    dry = runner.invoke(args=["retention", "run", "--dry-run"])
    assert dry.exit_code == 0 and "Would anonymise 1 citizen(s)" in dry.output
    assert "would delete 1 login event(s)" in dry.output
    with db_session(app) as db:
        assert db.get(Citizen, old).anonymised_at is None
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0 and "Anonymised 1 citizen(s)" in result.output
    with db_session(app) as db:
        assert db.get(Citizen, old).anonymised_at is not None
        assert db.get(Citizen, recent).anonymised_at is None
        assert db.get(Citizen, current).anonymised_at is None
        assert [e.username for e in db.exec(select(LoginEvent))] == ["y"]


def test_retention_policy_is_configurable(app):
    with db_session(app) as db:
        add_citizen(db, end=date(2024, 1, 1))
        policy = RetentionPolicy(years_after_discharge=1, login_event_days=1, access_event_years=1)
        now = datetime(2026, 1, 2, tzinfo=UTC)
        assert len(run_retention(session=db, policy=policy, now=now, dry_run=True).citizens) == 1
        policy = RetentionPolicy(years_after_discharge=5, login_event_days=1, access_event_years=1)
        assert run_retention(session=db, policy=policy, now=now, dry_run=True).citizens == []


def test_each_operator_keeps_its_citizens_as_long_as_it_decided(app):
    """Odense keeps the citizens of its own offers 10 years, the region 5: a regional citizen
    discharged 6 years ago is due, Odense's is not, nor one who stayed with both (#17 item 1)."""
    from del_tool.organisation.operators import operator_units

    with db_session(app) as db:
        odense = min(operator_units(db, "461"))
        regional = min(operator_units(db, None))
        ended = date(2020, 1, 1)
        due = add_citizen(db, unit_id=regional, end=ended).id
        kept = add_citizen(db, unit_id=odense, end=ended).id
        both = add_citizen(db, unit_id=regional, end=ended)
        db.add(
            Stay(
                citizen_id=both.id,
                unit_id=odense,
                municipality_code="461",
                legal_section=LegalSection.S85,
                start_date=date(2019, 1, 1),
                end_date=date(2019, 6, 1),
            )
        )
        db.flush()
        policy = RetentionPolicy(
            years_after_discharge=5,
            login_event_days=1,
            access_event_years=1,
            years_by_operator={"461": 10},
        )
        now = datetime(2026, 1, 2, tzinfo=UTC)
        found = run_retention(session=db, policy=policy, now=now, dry_run=True).citizens
        assert due in found and kept not in found and both.id not in found
        shorter = RetentionPolicy(
            years_after_discharge=10,
            login_event_days=1,
            access_event_years=1,
            years_by_operator={"461": 5},
        )
        found = run_retention(session=db, policy=shorter, now=now, dry_run=True).citizens
        assert kept in found and due not in found and both.id not in found


def test_pseudonymised_export(demo_app, tmp_path):
    demo_app.config["PSEUDONYM_KEY"] = "k" * 32
    runner = demo_app.test_cli_runner()
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert runner.invoke(args=["export", "pseudonymised", "--out", str(first)]).exit_code == 0
    assert runner.invoke(args=["export", "pseudonymised", "--out", str(second)]).exit_code == 0
    assert first.read_bytes() == second.read_bytes()  # stable
    rows = list(csv.DictReader(first.read_text(encoding="utf-8").splitlines()))
    assert len(rows) > 100
    with db_session(demo_app) as db:
        citizens = db.exec(select(Citizen)).all()
        names = {c.name for c in citizens}
        references = {c.case_reference for c in citizens if c.case_reference}
        notes = {g.title for g in db.exec(select(Goal))}
        ids = {c.id for c in citizens}
    text = first.read_text(encoding="utf-8")
    assert not any(n in text for n in names | references | notes)
    assert {r["pseudonym"] for r in rows} <= {pseudonym("k" * 32, i) for i in ids}
    assert all(r["birth_decade"].endswith("0") for r in rows)
    # No cell a spreadsheet could take for a formula (a leading minus only on numbers).
    cells = [value for row in rows for value in row.values()]
    assert not any(value[:1] in ("=", "+", "@", "\t", "\r") for value in cells)
    assert all(float(value) < 0 for value in cells if value.startswith("-"))
    demo_app.config["PSEUDONYM_KEY"] = "another key of enough length"
    runner.invoke(args=["export", "pseudonymised", "--out", str(second)])
    other = {r["pseudonym"] for r in csv.DictReader(second.read_text("utf-8").splitlines())}
    assert not other & {r["pseudonym"] for r in rows}


def test_pseudonymised_export_needs_a_key(runner, tmp_path):
    result = runner.invoke(args=["export", "pseudonymised", "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 1 and "PSEUDONYM_KEY" in result.output
