"""the citizen's locked self-report screen (#21 item 2): sessions and unlock PINs

- self_report_sessions: one locked session a staff member started for a citizen: the questions
  fixed at the start, the answers as they come, how it ended, the follow-up it was written to.
- self_report_pins: a staff member's PIN for unlocking the screen (Argon2id hash).

Revision ID: bd23b9f2072e
Revises: f6b2d8e4a1c3
Create Date: 2026-12-07 14:09:11.675253+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "bd23b9f2072e"
down_revision: str | None = "f6b2d8e4a1c3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add self_report_sessions and self_report_pins."""
    op.create_table(
        "self_report_pins",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("pin_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_self_report_pins_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_self_report_pins")),
    )
    op.create_table(
        "self_report_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("stay_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=False),
        sa.Column("login_marker", sa.Float(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "questions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "answers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "ratings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "end_reason",
            sa.Enum(
                "done",
                "stopped",
                "idle",
                name="end_reason",
                native_enum=False,
                create_constraint=True,
                length=11,
            ),
            nullable=True,
        ),
        sa.Column("follow_up_id", sa.Integer(), nullable=True),
        sa.Column("unlocked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_unlocks", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_self_report_sessions_citizen_id_citizens"),
        ),
        sa.ForeignKeyConstraint(
            ["follow_up_id"],
            ["follow_ups.id"],
            name=op.f("fk_self_report_sessions_follow_up_id_follow_ups"),
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"],
            ["users.id"],
            name=op.f("fk_self_report_sessions_started_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["stay_id"], ["stays.id"], name=op.f("fk_self_report_sessions_stay_id_stays")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_report_sessions")),
    )
    with op.batch_alter_table("self_report_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_self_report_sessions_citizen_id"), ["citizen_id"], unique=False
        )
        batch_op.create_index(
            "ix_self_report_sessions_starter_open", ["started_by_id", "unlocked_at"], unique=False
        )


def downgrade() -> None:
    """Drop both tables (the sessions' kept answers are lost; those written stay)."""
    with op.batch_alter_table("self_report_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_self_report_sessions_starter_open")
        batch_op.drop_index(batch_op.f("ix_self_report_sessions_citizen_id"))

    op.drop_table("self_report_sessions")
    op.drop_table("self_report_pins")
