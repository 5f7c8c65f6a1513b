"""import uploads, commit jobs and undo (#18)

- import_batches: the import's state (planned on the web until confirmed, queued, running,
  done, refused, failed, undone; done for every batch so far, all written by the command line),
  its units, the all-or-nothing choice, what its dry run showed, what its commit wrote (for the
  undo), a message when it was refused or failed, and when it finished.
- import_files: the uploaded file of a planned import, until it is committed.

Revision ID: 4f1c2a7d9e30
Revises: 7321ee1c1a85
Create Date: 2026-12-05 10:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "4f1c2a7d9e30"
down_revision: str | None = "7321ee1c1a85"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    """Add the batch's state and plan columns and the import_files table."""
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("state", sa.String(length=10), nullable=False, server_default="done")
        )
        batch_op.add_column(
            sa.Column("unit_ids", JSON, nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(
            sa.Column("all_or_nothing", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("plan", JSON, nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(
            sa.Column("result", JSON, nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(sa.Column("message", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "import_files",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batches.id"],
            name=op.f("fk_import_files_batch_id_import_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_import_files")),
    )


def downgrade() -> None:
    """Drop import_files and the batch's new columns (planned imports are lost)."""
    op.drop_table("import_files")
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        for name in (
            "finished_at",
            "message",
            "result",
            "plan",
            "all_or_nothing",
            "unit_ids",
            "state",
        ):
            batch_op.drop_column(name)
