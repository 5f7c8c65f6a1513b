"""stays: contact person

A stay may name its contact person (kontaktperson): a user whose scope includes the stay's
unit. The caseload filters and sorts by it, and "Mine borgere" lists the stays whose contact
person is the user. Existing stays have none until someone chooses one on the stay form.

Revision ID: 53086601dfe5
Revises: c1d2e3f4a5b6
Create Date: 2026-12-03 14:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "53086601dfe5"
down_revision: str | None = "c1d2e3f4a5b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add stays.contact_user_id (nullable, references users) with an index."""
    with op.batch_alter_table("stays", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_user_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_stays_contact_user", ["contact_user_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_stays_contact_user_id_users"), "users", ["contact_user_id"], ["id"]
        )


def downgrade() -> None:
    """Drop stays.contact_user_id (the contact persons are lost)."""
    with op.batch_alter_table("stays", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_stays_contact_user_id_users"), type_="foreignkey")
        batch_op.drop_index("ix_stays_contact_user")
        batch_op.drop_column("contact_user_id")
