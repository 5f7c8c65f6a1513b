"""reminder subscriptions (#21 item 3)

- reminder_subscriptions: per user, the address of the weekly digest of follow-ups due, whether
  it is on, and the ISO week it was last sent (so a retried run sends it once).

Revision ID: b7e2d4c19a05
Revises: 4f1c2a7d9e30
Create Date: 2026-12-06 21:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7e2d4c19a05"
down_revision: str | None = "4f1c2a7d9e30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add reminder_subscriptions."""
    op.create_table(
        "reminder_subscriptions",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("weekly", sa.Boolean(), nullable=False),
        sa.Column("last_sent_week", sa.String(length=8), nullable=True),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_reminder_subscriptions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_reminder_subscriptions")),
    )


def downgrade() -> None:
    """Drop reminder_subscriptions."""
    op.drop_table("reminder_subscriptions")
