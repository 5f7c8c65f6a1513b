"""scale references: the frozen SD and reliability behind reliable change, per scale version

Revision ID: c1d2e3f4a5b6
Revises: b7c4e2a91d3f
Create Date: 2026-12-03 14:15:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "c1d2e3f4a5b6"
down_revision: str | None = "b7c4e2a91d3f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "scale_references",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("scale_id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("sd", sa.Float(), nullable=True),
        sa.Column("sd_source", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("reliability", sa.Float(), nullable=True),
        sa.Column(
            "reliability_source", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False
        ),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scale_references")),
        sa.UniqueConstraint(
            "questionnaire_id",
            "version",
            "scale_id",
            name=op.f("uq_scale_references_questionnaire_id_version_scale_id"),
        ),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("scale_references")
