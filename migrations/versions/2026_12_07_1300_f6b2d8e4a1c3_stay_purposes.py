"""the municipality's action plan: purposes of a stay, goals linked to them (#21 item 5)

- stay_purposes: the paying municipality's purposes of the stay (handleplan, Serviceloven § 141:
  indsatsformål): free text, an optional FFB theme and a position on the stay.
- goals.purpose_id: the purpose a goal serves (nullable; existing goals have none).

Revision ID: f6b2d8e4a1c3
Revises: e5a1c7b3d902
Create Date: 2026-12-07 13:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "f6b2d8e4a1c3"
down_revision: str | None = "e5a1c7b3d902"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add stay_purposes and goals.purpose_id."""
    op.create_table(
        "stay_purposes",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stay_id", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
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
            nullable=True,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["stay_id"], ["stays.id"], name=op.f("fk_stay_purposes_stay_id_stays")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stay_purposes")),
    )
    with op.batch_alter_table("stay_purposes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stay_purposes_stay_position", ["stay_id", "position"], unique=False
        )
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purpose_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_goals_purpose_id"), ["purpose_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_goals_purpose_id_stay_purposes"), "stay_purposes", ["purpose_id"], ["id"]
        )


def downgrade() -> None:
    """Drop goals.purpose_id and stay_purposes (the purposes and the goals' links are lost)."""
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_goals_purpose_id_stay_purposes"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_goals_purpose_id"))
        batch_op.drop_column("purpose_id")
    with op.batch_alter_table("stay_purposes", schema=None) as batch_op:
        batch_op.drop_index("ix_stay_purposes_stay_position")
    op.drop_table("stay_purposes")
