"""login log: unknown usernames not kept

The login log used to store whatever was typed as the username, so a password typed in the
wrong field was kept. New events store an unknown name only as a keyed hash
(`del_tool.auth.loginlog`); this revision removes the names already stored for attempts that
matched no account. The key lives in the configuration, not here, so old rows get the bare
marker "unknown:" instead of a hash: they are older than any throttling window anyway.

Revision ID: f2c41b65565e
Revises: e68259caf2bd
Create Date: 2026-12-03 11:34:57.146703+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "f2c41b65565e"
down_revision: str | None = "e68259caf2bd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Replace the stored names of attempts that matched no account by the marker."""
    op.execute(
        "UPDATE login_events SET username = 'unknown:' "
        "WHERE username NOT LIKE 'unknown:%' "
        "AND username NOT IN (SELECT username FROM users)"
    )


def downgrade() -> None:
    """Nothing to undo: the removed names are gone by design, and the schema is unchanged."""
