"""actions tied to report figures (#21 item 1)

- actions: what a leader decided because of a report figure (what, owner, due date, status,
  outcome note, shared with the council), the figure it should move (report kind, section,
  key figure or table row, scope and period) and a snapshot of that figure as it was shown.

Revision ID: d4e8a2c61f09
Revises: c3a9d1e5f2b7
Create Date: 2026-12-07 11:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d4e8a2c61f09"
down_revision: str | None = "c3a9d1e5f2b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add actions."""
    op.create_table(
        "actions",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("centre_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("what", sa.String(length=2000), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "done",
                "dropped",
                name="action_status",
                native_enum=False,
                create_constraint=True,
                length=11,
            ),
            nullable=False,
        ),
        sa.Column("outcome_note", sa.String(length=2000), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shared_with_council", sa.Boolean(), nullable=False),
        sa.Column("report_kind", sa.String(length=20), nullable=False),
        sa.Column("section_key", sa.String(length=80), nullable=False),
        sa.Column("figure_key", sa.String(length=120), nullable=True),
        sa.Column("table_key", sa.String(length=120), nullable=True),
        sa.Column("row_label", sa.String(length=300), nullable=True),
        sa.Column("scope_key", sa.String(length=40), nullable=False),
        sa.Column("period_key", sa.String(length=30), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("figure_label", sa.String(length=300), nullable=False),
        sa.Column(
            "figure_value",
            sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql"),
            nullable=True,
        ),
        sa.Column("figure_kind", sa.String(length=10), nullable=False),
        sa.Column("figure_decimals", sa.Integer(), nullable=False),
        sa.Column("figure_note", sa.String(length=2000), nullable=True),
        sa.Column("figure_n", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(unit_id IS NULL) <> (centre_id IS NULL)", name=op.f("ck_actions_unit_or_centre")
        ),
        sa.CheckConstraint(
            "(figure_key IS NULL) <> (table_key IS NULL)",
            name=op.f("ck_actions_figure_or_table_row"),
        ),
        sa.CheckConstraint(
            "status = 'done' OR outcome_note IS NULL", name=op.f("ck_actions_outcome_when_done")
        ),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centres.id"], name=op.f("fk_actions_centre_id_centres")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_actions_created_by_users")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_actions_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
    )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index("ix_actions_report", ["report_kind", "scope_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_actions_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_actions_centre_id"), ["centre_id"], unique=False)


def downgrade() -> None:
    """Drop actions."""
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actions_centre_id"))
        batch_op.drop_index(batch_op.f("ix_actions_unit_id"))
        batch_op.drop_index("ix_actions_report")
    op.drop_table("actions")
