"""Issue #20 item 4: a tested upgrade path from the previous release, and a working downgrade for
every migration (on SQLite and, with DEL_TEST_POSTGRES_URL, PostgreSQL).

There are no release tags; the previous release is `PREVIOUS`, the head before the migrations
of the week of 2026-12-04 (operators, places, demand, tariff levels, ...). What the upgrade must
keep is the data and every figure the reports make of them. The old release's code is not
here to build its reports, and the demo generator writes today's models, so the test proves
the upgrade on data the old schema can hold, which is all the data an old deployment has:

1. The demo region is generated at head and reduced to what the previous schema can hold
   (`to_previous_schema`: rows of tables the previous release did not have are removed, and
   columns it did not have are set to what the upgrade gives old rows). Its report figures
   (effect, documentation, learning and economy reports for the region, and a council
   summary) are computed at head: these are the figures such data must give after an upgrade.
2. A database is built with `alembic upgrade PREVIOUS` (the previous release's schema, made by
   its own migrations), and the rows are copied into it column by column, as the previous
   release had stored them. It is upgraded to head.
3. Every table's rows must be those of step 1, the models and migrations must agree, the history
   must verify, and every report figure (key figures, tables, chart data, messages) must be
   unchanged. Then it is downgraded to PREVIOUS and upgraded again, and the same must hold.

When a release is made, move `PREVIOUS` to its head and `to_previous_schema` to what that
release's schema cannot hold; a row check that fails names the table whose data the projection
or an upgrade lost.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, create_engine, inspect, select, text
from sqlmodel import Session

from del_tool import create_app, migrate
from del_tool.audit.integrity import verify_history
from del_tool.db import get_db
from tests.conftest import DEMO_OPTIONS, make_config

#: The previous release: the head before migration 1fa0e9281648 (2026-12-04).
PREVIOUS = "bb9711e968ec"
TODAY: date = DEMO_OPTIONS["today"]  # type: ignore[assignment]
PERIOD = "2026Q2"
COUNCIL = "461"
#: Written by the migrations themselves, not copied.
NOT_COPIED = {"alembic_version", "audit_chain_head"}


def test_every_migration_downgrades_and_upgrades_again(databases):
    """A stairway: each revision in turn is upgraded to, downgraded from and upgraded to again,
    on an empty database, so each downgrade works from its own revision."""
    url = databases.empty()
    app = create_app(make_config(url))
    script = ScriptDirectory.from_config(migrate.alembic_config())
    try:
        for revision in reversed(list(script.walk_revisions())):
            migrate.upgrade(app, revision.revision)
            migrate.downgrade(app, revision.down_revision or "base")
            assert migrate.current_revision(app) == revision.down_revision
            migrate.upgrade(app, revision.revision)
            assert migrate.current_revision(app) == revision.revision
        assert migrate.is_up_to_date(app) and migrate.schema_drift(app) == []
    finally:
        get_db(app).dispose()
        databases.drop(url)


def to_previous_schema(engine: Engine, previous_tables: dict[str, set[str]]) -> None:
    """Reduce a head database to what the previous release's schema holds: remove the rows of
    tables it did not have, and give the columns it did not have what the upgrade gives."""
    head = MetaData()
    head.reflect(engine)
    with engine.begin() as conn:
        # f6b2d8e4a1c3: no action-plan purposes, so no goal serves one (first: they are deleted).
        conn.execute(text("UPDATE goals SET purpose_id = NULL"))
        for table in reversed(head.sorted_tables):
            if table.name not in previous_tables:
                conn.execute(table.delete())
        # 1fa0e9281648: one tariff per offer (level ""), no occupancy basis, no tariff level on
        # stays, every centre the region's, no Tilbudsportalen ids, no operators' administrators.
        conn.execute(text("DELETE FROM tariffs WHERE level <> ''"))
        conn.execute(text("UPDATE tariffs SET occupancy_basis = NULL"))
        conn.execute(text("UPDATE stays SET tariff_level = NULL"))
        conn.execute(text("UPDATE centres SET operator_code = NULL"))
        conn.execute(text("UPDATE units SET offer_id = NULL"))
        conn.execute(text("UPDATE users SET operator_code = NULL"))


def columns_by_table(engine: Engine) -> dict[str, set[str]]:
    """Each table's columns."""
    found = inspect(engine)
    return {name: {c["name"] for c in found.get_columns(name)} for name in found.get_table_names()}


def copy_rows(source: Engine, target: Engine) -> None:
    """Every row of `source`'s tables that `target` has, in `target`'s columns, parents first."""
    schema = MetaData()
    schema.reflect(target)
    with source.connect() as read, target.begin() as write:
        for table in schema.sorted_tables:
            if table.name in NOT_COPIED:
                continue
            rows = read.execute(select(*table.columns).order_by(*_order(table))).mappings().all()
            if rows:
                write.execute(table.insert(), [dict(row) for row in rows])


def _order(table: Any) -> list[Any]:
    """A table's primary key columns (all its columns when it has none)."""
    return list(table.primary_key.columns) or list(table.columns)


def table_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows (but the schema revision), ordered by primary key."""
    schema = MetaData()
    schema.reflect(engine)
    with engine.connect() as conn:
        return {
            table.name: [
                tuple(row) for row in conn.execute(select(*table.columns).order_by(*_order(table)))
            ]
            for table in schema.sorted_tables
            if table.name != "alembic_version"
        }


def _plain(value: Any) -> Any:
    """Report data as comparable values: floats to 9 decimals (the same numbers, summed in
    another row order), numpy and pandas values as lists, the rest as text."""
    if isinstance(value, float):
        return round(value, 9) if math.isfinite(value) else repr(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):
        return _plain(value.tolist())
    return str(value)


def report_figures(app: Any) -> dict[str, Any]:
    """Every figure of the region's four reports and of a council summary, for one period."""
    from del_tool.reports.codec import encode
    from del_tool.reports.common.period import parse_period
    from del_tool.reports.common.selection import resolve_scope
    from del_tool.reports.council.report import build_council_summary
    from del_tool.reports.services import KINDS, build_report

    period = parse_period(PERIOD)
    found: dict[str, Any] = {}
    with app.test_request_context(), get_db(app).session(write=False) as db:
        reports = {
            kind: build_report(
                kind,
                session=db,
                scope=resolve_scope("region", session=db),
                period=period,
                today=TODAY,
            )
            for kind in KINDS
        }
        reports["council"] = build_council_summary(
            session=db, municipality_code=COUNCIL, period=period, today=TODAY
        )
        for kind, report in reports.items():
            encoded = encode(report)
            encoded.pop("generated_at", None)
            charts = [(c.key, c.data) for s in report.sections for c in s.charts]
            found[kind] = _plain({"report": encoded, "charts": charts})
    return found


@pytest.fixture
def demo_at_head(databases: Any) -> Iterator[tuple[str, Any]]:
    """The demo region at head, reduced to what the previous release's schema holds."""
    previous_url = databases.empty()
    previous = create_app(make_config(previous_url))
    migrate.upgrade(previous, PREVIOUS)
    previous_tables = columns_by_table(get_db(previous).engine)
    get_db(previous).dispose()
    databases.drop(previous_url)

    url = databases.fresh("demo")
    engine = create_engine(url)
    try:
        to_previous_schema(engine, previous_tables)
    finally:
        engine.dispose()
    app = create_app(make_config(url))
    yield url, app
    get_db(app).dispose()
    databases.drop(url)


def _same_data_and_figures(app: Any, rows: Any, figures: Any) -> None:
    engine = get_db(app).engine
    found = table_rows(engine)
    assert sorted(found) == sorted(rows)
    for table, expected in rows.items():
        assert found[table] == expected, f"{table}: the upgrade changed its rows"
    assert migrate.schema_drift(app) == []
    with app.app_context(), Session(engine) as db:
        assert verify_history(db)[1] == []
    now = report_figures(app)
    for kind, expected in figures.items():
        assert now[kind] == expected, f"the {kind} report changed"


@pytest.mark.slow
def test_an_upgrade_from_the_previous_release_keeps_every_row_and_figure(databases, demo_at_head):
    url, head_app = demo_at_head
    figures = report_figures(head_app)  # first: a build freezes the scales' reference SDs
    rows = table_rows(get_db(head_app).engine)
    for table in ("citizens", "follow_ups", "tariffs", "audit_events", "scale_references"):
        assert rows[table], f"the demo has no {table}"
    council = figures["council"]["report"]
    assert council["sections"] and figures["effect"]["report"]["sections"]

    old_url = databases.empty()
    old = create_app(make_config(old_url))
    try:
        migrate.upgrade(old, PREVIOUS)
        assert "referrals" not in columns_by_table(get_db(old).engine)
        source = create_engine(url)
        try:
            copy_rows(source, get_db(old).write_engine)
        finally:
            source.dispose()
        migrate.upgrade(old)
        assert migrate.is_up_to_date(old)
        _same_data_and_figures(old, rows, figures)

        migrate.downgrade(old, PREVIOUS)  # and back: the downgrade keeps the data too
        assert migrate.current_revision(old) == PREVIOUS
        migrate.upgrade(old)
        _same_data_and_figures(old, rows, figures)
    finally:
        get_db(old).dispose()
        databases.drop(old_url)
