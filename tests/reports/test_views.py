"""Report pages, downloads, permissions, languages and the council command."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from del_tool.auth.access import AccessDeniedError
from del_tool.auth.scope import Scope
from del_tool.db import close_session, get_db
from del_tool.organisation.models import LegalSection, Tariff
from del_tool.reports import services
from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import resolve_scope
from del_tool.reports.effect.report import build_effect_report
from del_tool.reports.versions import scope_versions
from tests.conftest import DEMO_PASSWORD, login

EFFECT = "/reports/report?kind=effect&scope={scope}&period=2026"


def test_analysts_land_on_reports_and_councils_on_their_summary(client, make_user):
    analyst = make_user("analyst")
    login(client, analyst.username)
    assert client.get("/").headers["Location"].endswith("/reports/")
    page = client.get("/reports/").get_data(as_text=True)
    assert "Rapporter" in page and 'name="period"' in page and "Kommunerapport" in page
    client.post("/auth/logout")
    council = make_user("council", municipality_code="461")
    login(client, council.username)
    assert client.get("/").headers["Location"].endswith("/reports/council")


def test_staff_choose_only_their_own_units(client, make_user, world):
    staff = make_user("staff", unit_ids=[world.units["A"]])
    login(client, staff.username)
    page = client.get("/reports/").get_data(as_text=True)
    assert f'value="unit:{world.units["A"]}"' in page and 'value="region"' not in page
    assert client.get(EFFECT.format(scope="region")).status_code == 400
    assert client.get(EFFECT.format(scope=f"unit:{world.units['B']}")).status_code == 400
    assert client.get(EFFECT.format(scope=f"unit:{world.units['A']}")).status_code == 200


def test_builders_check_the_scope_themselves(session, world):
    scope = resolve_scope(f"centre:{world.centres['X']}", session=session)
    staff = Scope(unit_ids=frozenset({world.units["A"]}))
    with pytest.raises(AccessDeniedError):
        build_effect_report(session=session, scope=scope, period=parse_period("2026"), viewer=staff)
    council = Scope(unit_ids=frozenset(), municipality_code="461", sees_names=False)
    with pytest.raises(AccessDeniedError):
        build_effect_report(
            session=session, scope=scope, period=parse_period("2026"), viewer=council
        )


def test_downloads_in_every_format(client, make_user, world):
    login(client, make_user("analyst").username)
    url = EFFECT.format(scope=f"unit:{world.units['A']}")
    pdf = client.get(url + "&format=pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    # Names in the reader's language (#16): not ids such as "del-effect-unit-1-..." or
    # "effect_admission".
    disposition = pdf.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="DEL-Effektrapport-Tilbud-')
    assert "filename*=UTF-8''DEL-Effektrapport-Tilbud-" in disposition
    assert disposition.endswith("-2026.pdf")
    xlsx = client.get(url + "&format=xlsx")
    sheets = load_workbook(io.BytesIO(xlsx.data)).sheetnames
    assert sheets[0] == "Om rapporten" and "Siden indskrivning" in sheets
    csv = client.get(url + "&format=csv")
    assert "Siden-indskrivning.csv" in zipfile.ZipFile(io.BytesIO(csv.data)).namelist()
    assert client.get(url + "&format=exe").status_code == 400


def test_bad_input_is_a_form_error_not_a_crash(client, make_user, world):
    login(client, make_user("analyst").username)
    page = client.get("/reports/report?kind=effect&scope=region&period=last+year")
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and 'id="period-error"' in html and "2026Q3" in html
    assert client.get("/reports/report?kind=nope&scope=region&period=2026").status_code == 400
    assert client.get("/reports/report?kind=effect&scope=unit:99999&period=2026").status_code == 400


def test_reports_switch_to_english(client, make_user, world):
    login(client, make_user("analyst").username)
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.get(EFFECT.format(scope="region")).get_data(as_text=True)
    assert "Effect report" in page and "Change since admission" in page


def test_the_council_command_builds_every_pack_and_reports_failures(app, world, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "packs"
    args = ["reports", "council", "--period", "2026Q2", "--out", str(out), "--today", "2026-10-01"]
    result = runner.invoke(args=[*args, "--all"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "kunderaad-2026Q2-461-Odense.pdf",
        "kunderaad-2026Q2-461-Odense.xlsx",
        "kunderaad-2026Q2-561-Esbjerg.pdf",
        "kunderaad-2026Q2-561-Esbjerg.xlsx",
    ]
    failed = runner.invoke(args=[*args, "--municipality", "999", "--municipality", "461"])
    assert (
        failed.exit_code == 1 and "999" in failed.output and "Wrote 1 council pack" in failed.output
    )
    bad = runner.invoke(
        args=["reports", "council", "--period", "2026Q9", "--all", "--out", str(out)]
    )
    assert bad.exit_code == 2 and "2026Q9" in bad.output


def _cells(path):
    """Every sheet's rows, without the "Dannet" (generated at) row, whose minute may differ."""
    book = load_workbook(path, read_only=True)
    return [
        [row for row in sheet.iter_rows(values_only=True) if row[0] != "Dannet"]
        for sheet in book.worksheets
    ]


def test_council_packs_built_by_worker_processes_match_those_built_in_process(app, world, tmp_path):
    from del_tool.reports.council.parallel import can_fork

    assert can_fork(app)  # the test database is a file, so the workers really run
    runner = app.test_cli_runner()
    args = ["reports", "council", "--period", "2026Q2", "--today", "2026-10-01", "--all"]
    one, two = tmp_path / "one", tmp_path / "two"
    assert runner.invoke(args=[*args, "--out", str(one), "--jobs", "1"]).exit_code == 0
    assert runner.invoke(args=[*args, "--out", str(two), "--jobs", "2"]).exit_code == 0
    names = sorted(p.name for p in one.iterdir())
    assert names == sorted(p.name for p in two.iterdir()) and len(names) == 4
    for name in names:
        if name.endswith(".xlsx"):
            assert _cells(one / name) == _cells(two / name)
        else:
            assert (two / name).read_bytes().startswith(b"%PDF")
    failed = runner.invoke(
        args=[
            *args[:-1],
            "--out",
            str(tmp_path / "three"),
            "--jobs",
            "2",
            *("--municipality", "999", "--municipality", "461", "--municipality", "561"),
        ]
    )
    assert failed.exit_code == 1, failed.output
    assert "Failed: 999: NotFoundError" in failed.output
    assert "Wrote 2 council pack" in failed.output


def test_the_demo_tells_its_story_to_leader_and_council(demo_client):
    login(demo_client, "leader", DEMO_PASSWORD)
    page = demo_client.get("/reports/report?kind=effect&scope=centre:2&period=2026")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Forbedring i funktionsevne siden indskrivning" in html
    assert "Andel mål nået" in html and "<img" in html
    documentation = demo_client.get(
        "/reports/report?kind=documentation&scope=centre:2&period=2026Q3"
    )
    assert documentation.status_code == 200
    demo_client.post("/auth/logout")
    login(demo_client, "council", DEMO_PASSWORD)
    summary = demo_client.get("/reports/council?period=2026Q3")
    text = summary.get_data(as_text=True)
    assert summary.status_code == 200 and "Odense" in text and "Regionen" in text


def _add_future_tariff(db, unit_id):
    """A change to data every report reads (a tariff from 2030), committed."""
    db.add(
        Tariff(
            unit_id=unit_id,
            legal_section=LegalSection.S104,
            valid_from=date(2030, 1, 1),
            daily_amount=Decimal(1),
        )
    )
    db.commit()


def test_built_reports_are_reused_until_the_data_changes(
    app, client, make_user, world, monkeypatch
):
    app.config["REPORT_CACHE_MAX_AGE"] = 0
    calls = []
    original = services.build_report
    monkeypatch.setattr(
        services, "build_report", lambda *a, **k: calls.append(1) or original(*a, **k)
    )
    login(client, make_user("analyst").username)
    url = EFFECT.format(scope=f"unit:{world.units['C']}")
    first, second = client.get(url), client.get(url + "&format=pdf")
    assert first.status_code == second.status_code == 200 and len(calls) == 1
    # The test's app context outlives the requests: end their session as teardown would.
    close_session()
    unit = world.stays_in({"C"})[0].unit_id
    with app.app_context(), get_db(app).session(write=True) as db:
        before = scope_versions(db, {unit})
        _add_future_tariff(db, unit)
        assert scope_versions(db, {unit}) != before
    stale = client.get(url)  # the older build at once, marked; a rebuild is asked for
    assert stale.status_code == 200 and "En opdateret udgave er på vej" in stale.text
    assert len(calls) == 2
    assert "En opdateret udgave er på vej" not in client.get(url).text


def test_a_change_in_one_unit_leaves_the_version_of_the_others(app, world):
    c, a = world.stays_in({"C"})[0].unit_id, world.units["A"]
    with app.app_context(), get_db(app).session(write=True) as db:
        before_c, before_a = scope_versions(db, {c}), scope_versions(db, {a})
        _add_future_tariff(db, c)
        assert scope_versions(db, {c}) != before_c
        assert scope_versions(db, {a}) == before_a
        assert scope_versions(db, None) != scope_versions(db, {a})


def test_an_anonymisation_is_never_hidden_by_a_cached_report(
    app, client, make_user, world, monkeypatch
):
    from del_tool.security.privacy.anonymise import anonymise_citizen

    calls = []
    original = services.build_report
    monkeypatch.setattr(
        services, "build_report", lambda *a, **k: calls.append(1) or original(*a, **k)
    )
    login(client, make_user("analyst").username)
    url = EFFECT.format(scope=f"unit:{world.units['C']}")
    assert client.get(url).status_code == 200 and len(calls) == 1
    close_session()
    stay = world.stays_in({"C"})[0]
    with app.app_context(), get_db(app).session(write=True) as db:
        _add_future_tariff(db, stay.unit_id)
    assert client.get(url).status_code == 200 and len(calls) == 1  # within the minute's grace
    close_session()
    with app.app_context(), get_db(app).session(write=True) as db:
        anonymise_citizen(session=db, citizen_id=stay.citizen_id, user_id=None)
        db.commit()
    assert client.get(url).status_code == 200 and len(calls) == 2
