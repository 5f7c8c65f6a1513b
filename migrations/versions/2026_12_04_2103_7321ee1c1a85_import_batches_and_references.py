"""import batches and references (#18)

- import_batches: one committed import of a file (who, when, the file's name and hash, the
  source system, what it did).
- import_references: per imported row (source, sheet, external reference) the record it became
  and a hash of the row as imported, so importing the same file again changes nothing.

Revision ID: 7321ee1c1a85
Revises: 1fa0e9281648
Create Date: 2026-12-04 21:03:36.594099+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7321ee1c1a85"
down_revision: str | None = "1fa0e9281648"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "summary",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_import_batches_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
    )
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_batches_user_id"), ["user_id"], unique=False)

    op.create_table(
        "import_references",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("sheet", sa.String(length=20), nullable=False),
        sa.Column("external_ref", sa.String(length=50), nullable=False),
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("row_hash", sa.String(length=64), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["import_batches.id"],
            name=op.f("fk_import_references_import_id_import_batches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_references")),
        sa.UniqueConstraint(
            "source",
            "sheet",
            "external_ref",
            name=op.f("uq_import_references_source_sheet_external_ref"),
        ),
    )
    with op.batch_alter_table("import_references", schema=None) as batch_op:
        batch_op.create_index("ix_import_references_entity", ["entity", "entity_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_import_references_import_id"), ["import_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("import_references", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_references_import_id"))
        batch_op.drop_index("ix_import_references_entity")

    op.drop_table("import_references")
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_batches_user_id"))

    op.drop_table("import_batches")
