"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 13:11:51.278973+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""

    op.create_table(
        "access_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=True),
        sa.Column("endpoint", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_events")),
    )
    with op.batch_alter_table("access_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_access_events_citizen_time", ["citizen_id", "occurred_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_access_events_user_id"), ["user_id"], unique=False)

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("entity_id", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=True),
        sa.Column(
            "changes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_events_hash")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_events_citizen_id"), ["citizen_id"], unique=False
        )
        batch_op.create_index("ix_audit_events_entity", ["entity", "entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_user_id"), ["user_id"], unique=False)

    op.create_table(
        "citizens",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=False),
        sa.Column(
            "sex",
            sa.Enum(
                "female",
                "male",
                "other",
                name="sex",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column(
            "target_group",
            sa.Enum(
                "autism",
                "deafblindness",
                "mental_illness",
                "substance_abuse",
                "developmental_disability",
                "brain_injury",
                "children_youth",
                "communication",
                name="target_group",
                native_enum=False,
                create_constraint=True,
                length=28,
            ),
            nullable=False,
        ),
        sa.Column("case_reference", sa.String(length=50), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "birth_year BETWEEN 1900 AND 2100", name=op.f("ck_citizens_birth_year_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizens")),
    )
    with op.batch_alter_table("citizens", schema=None) as batch_op:
        batch_op.create_index("ix_citizens_name", ["name"], unique=False)

    op.create_table(
        "login_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_events")),
    )
    with op.batch_alter_table("login_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_login_events_address_time", ["address", "occurred_at"], unique=False
        )
        batch_op.create_index(
            "ix_login_events_username_time", ["username", "occurred_at"], unique=False
        )

    op.create_table(
        "municipalities",
        sa.Column("code", sa.String(length=3), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("region_name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.CheckConstraint("length(code) = 3", name=op.f("ck_municipalities_code_three_digits")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_municipalities")),
        sa.UniqueConstraint("name", name=op.f("uq_municipalities_name")),
    )
    op.create_table(
        "regions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regions")),
        sa.UniqueConstraint("name", name=op.f("uq_regions_name")),
    )
    op.create_table(
        "centres",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
        sa.Column(
            "target_group",
            sa.Enum(
                "autism",
                "deafblindness",
                "mental_illness",
                "substance_abuse",
                "developmental_disability",
                "brain_injury",
                "children_youth",
                "communication",
                name="target_group",
                native_enum=False,
                create_constraint=True,
                length=28,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_centres_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_centres")),
        sa.UniqueConstraint("name", name=op.f("uq_centres_name")),
    )
    with op.batch_alter_table("centres", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_centres_region_id"), ["region_id"], unique=False)

    op.create_table(
        "units",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
        sa.Column(
            "target_group",
            sa.Enum(
                "autism",
                "deafblindness",
                "mental_illness",
                "substance_abuse",
                "developmental_disability",
                "brain_injury",
                "children_youth",
                "communication",
                name="target_group",
                native_enum=False,
                create_constraint=True,
                length=28,
            ),
            nullable=False,
        ),
        sa.Column("followup_interval_days", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "followup_interval_days BETWEEN 14 AND 730",
            name=op.f("ck_units_followup_interval_range"),
        ),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centres.id"], name=op.f("fk_units_centre_id_centres")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
        sa.UniqueConstraint("centre_id", "name", name=op.f("uq_units_centre_id_name")),
    )
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_units_centre_id"), ["centre_id"], unique=False)

    op.create_table(
        "users",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "staff",
                "leader",
                "analyst",
                "council",
                "admin",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=11,
            ),
            nullable=False,
        ),
        sa.Column("centre_id", sa.Integer(), nullable=True),
        sa.Column("municipality_code", sa.String(length=3), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role <> 'council' OR municipality_code IS NOT NULL",
            name=op.f("ck_users_council_has_municipality"),
        ),
        sa.CheckConstraint(
            "role <> 'leader' OR centre_id IS NOT NULL", name=op.f("ck_users_leader_has_centre")
        ),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centres.id"], name=op.f("fk_users_centre_id_centres")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_users_municipality_code_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "stays",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("municipality_code", sa.String(length=3), nullable=False),
        sa.Column(
            "legal_section",
            sa.Enum(
                "85",
                "103",
                "104",
                "107",
                "108",
                name="legal_section",
                native_enum=False,
                create_constraint=True,
                length=7,
            ),
            nullable=False,
        ),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date", name=op.f("ck_stays_end_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name=op.f("fk_stays_citizen_id_citizens")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_stays_municipality_code_municipalities"),
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_stays_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stays")),
    )
    with op.batch_alter_table("stays", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stays_citizen_id"), ["citizen_id"], unique=False)
        batch_op.create_index(
            "ix_stays_municipality_period", ["municipality_code", "start_date"], unique=False
        )
        batch_op.create_index(
            "ix_stays_unit_period", ["unit_id", "start_date", "end_date"], unique=False
        )

    op.create_table(
        "tariffs",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "legal_section",
            sa.Enum(
                "85",
                "103",
                "104",
                "107",
                "108",
                name="legal_section",
                native_enum=False,
                create_constraint=True,
                length=7,
            ),
            nullable=False,
        ),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("daily_amount", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.CheckConstraint("daily_amount >= 0", name=op.f("ck_tariffs_amount_not_negative")),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_tariffs_period_order")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_tariffs_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariffs")),
        sa.UniqueConstraint(
            "unit_id",
            "legal_section",
            "valid_from",
            name=op.f("uq_tariffs_unit_id_legal_section_valid_from"),
        ),
    )
    with op.batch_alter_table("tariffs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tariffs_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "unit_questionnaires",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_unit_questionnaires_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("unit_id", "questionnaire_id", name=op.f("pk_unit_questionnaires")),
    )
    op.create_table(
        "user_units",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_user_units_unit_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_units_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "unit_id", name=op.f("pk_user_units")),
    )
    op.create_table(
        "follow_ups",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("stay_id", sa.Integer(), nullable=False),
        sa.Column("followup_date", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "baseline",
                "follow_up",
                "discharge",
                name="follow_up_kind",
                native_enum=False,
                create_constraint=True,
                length=13,
            ),
            nullable=False,
        ),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submission_token", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name=op.f("fk_follow_ups_citizen_id_citizens")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_follow_ups_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["stay_id"], ["stays.id"], name=op.f("fk_follow_ups_stay_id_stays")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
        sa.UniqueConstraint(
            "citizen_id", "followup_date", name=op.f("uq_follow_ups_citizen_id_followup_date")
        ),
        sa.UniqueConstraint("submission_token", name=op.f("uq_follow_ups_submission_token")),
    )
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.create_index("ix_follow_ups_date", ["followup_date"], unique=False)
        batch_op.create_index("ix_follow_ups_stay_date", ["stay_id", "followup_date"], unique=False)

    op.create_table(
        "goals",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("stay_id", sa.Integer(), nullable=False),
        sa.Column(
            "theme",
            sa.Enum(
                "relations",
                "communication",
                "mobility",
                "self_care",
                "community_life",
                "practical_tasks",
                name="theme",
                native_enum=False,
                create_constraint=True,
                length=19,
            ),
            nullable=False,
        ),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "direction",
            sa.Enum(
                "develop",
                "maintain",
                "limit_loss",
                name="goal_direction",
                native_enum=False,
                create_constraint=True,
                length=14,
            ),
            nullable=False,
        ),
        sa.Column("baseline_level", sa.Integer(), nullable=False),
        sa.Column("target_level", sa.Integer(), nullable=False),
        sa.Column("gas_minus2", sa.String(length=500), nullable=True),
        sa.Column("gas_minus1", sa.String(length=500), nullable=True),
        sa.Column("gas_zero", sa.String(length=500), nullable=True),
        sa.Column("gas_plus1", sa.String(length=500), nullable=True),
        sa.Column("gas_plus2", sa.String(length=500), nullable=True),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "achieved",
                "ended",
                name="goal_status",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(direction = 'develop' AND target_level < baseline_level) OR (direction = 'maintain' AND target_level = baseline_level) OR (direction = 'limit_loss' AND target_level >= baseline_level)",
            name=op.f("ck_goals_direction_matches_levels"),
        ),
        sa.CheckConstraint(
            "baseline_level BETWEEN 0 AND 4", name=op.f("ck_goals_baseline_level_range")
        ),
        sa.CheckConstraint(
            "closed_on IS NULL OR closed_on >= start_date", name=op.f("ck_goals_closed_order")
        ),
        sa.CheckConstraint(
            "review_date IS NULL OR review_date >= start_date", name=op.f("ck_goals_review_order")
        ),
        sa.CheckConstraint(
            "target_level BETWEEN 0 AND 4", name=op.f("ck_goals_target_level_range")
        ),
        sa.CheckConstraint("weight > 0 AND weight <= 10", name=op.f("ck_goals_weight_range")),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name=op.f("fk_goals_citizen_id_citizens")
        ),
        sa.ForeignKeyConstraint(["stay_id"], ["stays.id"], name=op.f("fk_goals_stay_id_stays")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
    )
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.create_index("ix_goals_citizen_status", ["citizen_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_goals_stay_id"), ["stay_id"], unique=False)

    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("follow_up_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column(
            "questionnaire_version", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False
        ),
        sa.Column(
            "perspective",
            sa.Enum(
                "staff",
                "self_report",
                name="perspective",
                native_enum=False,
                create_constraint=True,
                length=15,
            ),
            nullable=False,
        ),
        sa.Column(
            "answers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("completeness", sa.Float(), nullable=False),
        sa.CheckConstraint(
            "completeness BETWEEN 0 AND 1", name=op.f("ck_assessments_completeness_range")
        ),
        sa.ForeignKeyConstraint(
            ["follow_up_id"],
            ["follow_ups.id"],
            name=op.f("fk_assessments_follow_up_id_follow_ups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint(
            "follow_up_id",
            "questionnaire_id",
            name=op.f("uq_assessments_follow_up_id_questionnaire_id"),
        ),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessments_questionnaire_id"), ["questionnaire_id"], unique=False
        )

    op.create_table(
        "goal_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("follow_up_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("gas_score", sa.Integer(), nullable=True),
        sa.Column("citizen_rating", sa.Integer(), nullable=True),
        sa.Column("motivation", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "citizen_rating BETWEEN 1 AND 5", name=op.f("ck_goal_reviews_citizen_rating_range")
        ),
        sa.CheckConstraint("gas_score BETWEEN -2 AND 2", name=op.f("ck_goal_reviews_gas_range")),
        sa.CheckConstraint("level BETWEEN 0 AND 4", name=op.f("ck_goal_reviews_level_range")),
        sa.CheckConstraint(
            "motivation BETWEEN 1 AND 5", name=op.f("ck_goal_reviews_motivation_range")
        ),
        sa.ForeignKeyConstraint(
            ["follow_up_id"],
            ["follow_ups.id"],
            name=op.f("fk_goal_reviews_follow_up_id_follow_ups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goals.id"], name=op.f("fk_goal_reviews_goal_id_goals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_reviews")),
        sa.UniqueConstraint(
            "follow_up_id", "goal_id", name=op.f("uq_goal_reviews_follow_up_id_goal_id")
        ),
    )
    with op.batch_alter_table("goal_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_reviews_goal_id"), ["goal_id"], unique=False)

    op.create_table(
        "assessment_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("scale_id", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("raw", sa.Float(), nullable=True),
        sa.Column("n_answered", sa.Integer(), nullable=False),
        sa.Column("prorated", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_assessment_scores_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_scores")),
        sa.UniqueConstraint(
            "assessment_id", "scale_id", name=op.f("uq_assessment_scores_assessment_id_scale_id")
        ),
    )
    with op.batch_alter_table("assessment_scores", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessment_scores_questionnaire_scale",
            ["questionnaire_id", "scale_id"],
            unique=False,
        )


def downgrade() -> None:
    """Revert this revision."""

    with op.batch_alter_table("assessment_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_scores_questionnaire_scale")

    op.drop_table("assessment_scores")
    with op.batch_alter_table("goal_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_reviews_goal_id"))

    op.drop_table("goal_reviews")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_questionnaire_id"))

    op.drop_table("assessments")
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goals_stay_id"))
        batch_op.drop_index("ix_goals_citizen_status")

    op.drop_table("goals")
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_ups_stay_date")
        batch_op.drop_index("ix_follow_ups_date")

    op.drop_table("follow_ups")
    op.drop_table("user_units")
    op.drop_table("unit_questionnaires")
    with op.batch_alter_table("tariffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tariffs_unit_id"))

    op.drop_table("tariffs")
    with op.batch_alter_table("stays", schema=None) as batch_op:
        batch_op.drop_index("ix_stays_unit_period")
        batch_op.drop_index("ix_stays_municipality_period")
        batch_op.drop_index(batch_op.f("ix_stays_citizen_id"))

    op.drop_table("stays")
    op.drop_table("users")
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_units_centre_id"))

    op.drop_table("units")
    with op.batch_alter_table("centres", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_centres_region_id"))

    op.drop_table("centres")
    op.drop_table("regions")
    op.drop_table("municipalities")
    with op.batch_alter_table("login_events", schema=None) as batch_op:
        batch_op.drop_index("ix_login_events_username_time")
        batch_op.drop_index("ix_login_events_address_time")

    op.drop_table("login_events")
    with op.batch_alter_table("citizens", schema=None) as batch_op:
        batch_op.drop_index("ix_citizens_name")

    op.drop_table("citizens")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_user_id"))
        batch_op.drop_index("ix_audit_events_entity")
        batch_op.drop_index(batch_op.f("ix_audit_events_citizen_id"))

    op.drop_table("audit_events")
    with op.batch_alter_table("access_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_events_user_id"))
        batch_op.drop_index("ix_access_events_citizen_time")

    op.drop_table("access_events")
