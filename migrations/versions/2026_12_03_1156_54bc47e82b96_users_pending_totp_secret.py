"""users: pending TOTP secret

The secret of an enrolment in two-step verification used to wait in the session cookie, which
Flask signs but does not encrypt; it now waits on the user's row until the first code confirms
it. Enrolments under way when this runs start again (their cookie secret is no longer read).

Revision ID: 54bc47e82b96
Revises: 33cd0a27683d
Create Date: 2026-12-03 11:56:02.331853+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "54bc47e82b96"
down_revision: str | None = "33cd0a27683d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add users.totp_pending_secret."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_pending_secret", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Drop users.totp_pending_secret (enrolments under way start again)."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_pending_secret")
