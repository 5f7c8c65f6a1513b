"""The demo generator's fast paths give exactly what the slow, obvious paths give."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import insert, text

from del_tool import create_app
from del_tool.audit.models import AuditEvent
from del_tool.citizens.models import Citizen, Sex
from del_tool.db import get_db, write_session
from del_tool.demo.generator import DemoError, DemoOptions, generate_demo
from del_tool.demo.scoring import BatchScorer
from del_tool.demo.writer import insert_rows
from del_tool.followups.models import AssessmentScore
from del_tool.organisation.models import TargetGroup
from del_tool.questionnaires import default_definitions_dir, load_registry
from tests.conftest import make_config
from tests.questionnaires.conftest import TEST_DEFINITION


class _Collect:
    """Stands in for RowBuffer: numbers rows as they are queued."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, model: type, row: dict[str, Any]) -> int:
        assert model is AssessmentScore
        self.rows.append(row)
        return len(self.rows)


def _random_answers(rng: random.Random, definition: Any) -> dict[str, int | None]:
    """Answers with a varying share missing, from none to all."""
    missing = rng.choice((0.0, 0.1, 0.4, 0.8, 1.0))
    return {
        item.id: None if rng.random() < missing else rng.choice(item.option_values)
        for item in definition.items
    }


@pytest.fixture(scope="module")
def definitions(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    """The shipped questionnaires and the questionnaire tests' definition (reverse items,
    prorated sums, a multiplier on a mean)."""
    own = tmp_path_factory.mktemp("definitions")
    (own / "tst.yaml").write_text(yaml.safe_dump(TEST_DEFINITION), encoding="utf-8")
    shipped = load_registry(default_definitions_dir())
    return [
        *(shipped.get(qid) for qid in ("del_functioning", "gad7", "phq9", "who5")),
        load_registry(Path(own)).get("tst"),
    ]


def test_batch_scores_equal_row_by_row_scores(definitions: list[Any]) -> None:
    rng = random.Random(3)
    scorer, collected = BatchScorer(registry=None), _Collect()
    expected: list[dict[str, Any]] = []
    for assessment_id in range(1, 601):
        definition = rng.choice(definitions)
        answers = _random_answers(rng, definition)
        scores = definition.score(answers)
        assert scorer.completeness(definition, answers) == scores.completeness
        scorer.add(definition, assessment_id, answers)
        expected += [
            {
                "assessment_id": assessment_id,
                "questionnaire_id": definition.id,
                "scale_id": scale_id,
                "value": score.value,
                "raw": score.raw,
                "n_answered": score.n_answered,
                "prorated": score.prorated,
            }
            for scale_id, score in scores.scales.items()
        ]
    scorer.drain(collected)  # type: ignore[arg-type]
    assert collected.rows == expected
    assert any(row["prorated"] for row in expected) and any(r["value"] is None for r in expected)
    assert scorer.order == [] and scorer.pending == {}


def _table_rows(url: str, table: str) -> list[tuple[Any, ...]]:
    app = create_app(make_config(url))
    try:
        with get_db(app).engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
    finally:
        get_db(app).dispose()


def test_bulk_insert_stores_what_a_core_insert_stores(databases: Any) -> None:
    moment = datetime(2025, 3, 1, 11, 30, 5, 123456, tzinfo=UTC)
    citizens = [
        {
            "name": f"Borger {i}",
            "birth_year": 1970 + i,
            "sex": Sex.FEMALE if i % 2 else Sex.OTHER,
            "target_group": TargetGroup.AUTISM,
            "case_reference": None if i % 2 else "DEMO-1",
            "created_at": moment,
            "anonymised_at": moment if i == 2 else None,
            "version": 1,
            "id": i,
        }
        for i in range(1, 4)
    ]
    events = [
        {
            "occurred_at": moment,
            "user_id": None,
            "action": "import",
            "entity": "citizens",
            "entity_id": "1",
            "citizen_id": 1,
            "changes": {"source": ["", "demo æøå"], "n": [1, 2.5]},
            "prev_hash": "0" * 64,
            "hash": f"{i:064d}",
            "id": i,
        }
        for i in range(1, 3)
    ]
    stored = []
    for use_bulk in (False, True):
        url = databases.fresh("seeded")
        app = create_app(make_config(url))
        with app.app_context(), write_session(app) as session:
            for model, rows in ((Citizen, citizens), (AuditEvent, events)):
                table = model.__table__  # type: ignore[attr-defined]
                if use_bulk:
                    insert_rows(session.connection(), table, [dict(r) for r in rows])
                else:
                    session.execute(insert(table), [dict(r) for r in rows])
        get_db(app).dispose()
        stored.append((_table_rows(url, "citizens"), _table_rows(url, "audit_events")))
        databases.drop(url)
    assert stored[0] == stored[1]
    assert len(stored[0][0]) == 3 and len(stored[0][1]) == 2


def _generate(databases: Any, **options: Any) -> list[tuple[Any, ...]]:
    url = databases.fresh("seeded")
    app = create_app(make_config(url))
    try:
        with app.app_context(), write_session(app) as session:
            generate_demo(
                session=session,
                options=DemoOptions(today=date(2026, 6, 30), **options),
                registry=app.extensions["del_questionnaires"],
            )
        with get_db(app).engine.connect() as conn:
            return list(
                conn.execute(
                    text(
                        "SELECT DISTINCT c.name FROM stays s JOIN units u ON u.id = s.unit_id "
                        "JOIN centres c ON c.id = u.centre_id"
                    )
                )
            )
    finally:
        get_db(app).dispose()
        databases.drop(url)


def test_centres_option_keeps_every_stay_in_the_named_centre(databases: Any) -> None:
    centres = _generate(databases, citizens=40, years=2, centres=("Center for Socialpsykiatri",))
    assert centres == [("Center for Socialpsykiatri",)]


def test_centres_option_refuses_an_unknown_centre(databases: Any) -> None:
    with pytest.raises(DemoError, match="Center for Ingenting"):
        _generate(databases, citizens=5, centres=("Center for Ingenting",))


def test_generation_leaves_planner_statistics(databases: Any) -> None:
    url = databases.fresh("seeded")
    app = create_app(make_config(url))
    try:
        with app.app_context(), write_session(app) as session:
            generate_demo(
                session=session,
                options=DemoOptions(citizens=8, years=1, today=date(2026, 6, 30)),
                registry=app.extensions["del_questionnaires"],
            )
        sql = (
            "SELECT COUNT(*) FROM pg_stat_user_tables "
            "WHERE relname = 'follow_ups' AND last_analyze IS NOT NULL"
            if databases.backend == "postgresql"
            else "SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'follow_ups'"
        )
        with get_db(app).engine.connect() as conn:
            assert conn.execute(text(sql)).scalar_one() >= 1
    finally:
        get_db(app).dispose()
        databases.drop(url)
