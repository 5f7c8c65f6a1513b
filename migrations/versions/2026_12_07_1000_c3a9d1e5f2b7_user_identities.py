"""user identities for single sign-on (#19 part 1)

- user_identities: a user's (issuer, subject) at the OpenID provider, the provider's session id
  of their newest login (back-channel logout) and whether SCIM manages them.

Revision ID: c3a9d1e5f2b7
Revises: 8b7e19ff84eb
Create Date: 2026-12-07 10:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c3a9d1e5f2b7"
down_revision: str | None = "8b7e19ff84eb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add user_identities."""
    op.create_table(
        "user_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("last_sid", sa.String(length=255), nullable=True),
        sa.Column("scim_managed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_identities_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_identities")),
        sa.UniqueConstraint("issuer", "subject", name=op.f("uq_user_identities_issuer_subject")),
        sa.UniqueConstraint("user_id", name=op.f("uq_user_identities_user_id")),
    )


def downgrade() -> None:
    """Drop user_identities."""
    op.drop_table("user_identities")
