"""What DEL keeps of an import: the batch, and per imported row the record it became.

`ImportReference` ties a row's external reference (the source system's id) to the record it
created, with a hash of the row as imported, so a second import of the same file changes
nothing, an edited row updates its record, and the next steps (commit, undo, conflicts with
changes made in DEL since) can tell what came from where.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from del_tool.modelbase import JSONType, created_at_field, timestamp_column


class ImportBatch(SQLModel, table=True):
    """One committed import of a file: who, when, which file, and what it did."""

    __tablename__ = "import_batches"

    id: int | None = Field(default=None, primary_key=True)
    #: None: the command line without --user.
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    file_name: str = Field(max_length=200)
    #: SHA-256 of the file's bytes (the same file imported again is recognisable).
    file_hash: str = Field(sa_column=Column(String(64), nullable=False))
    #: The source system the external references belong to.
    source: str = Field(max_length=50)
    created_at: datetime = created_at_field()
    #: Counts per sheet of created, updated, unchanged and refused rows.
    summary: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False)
    )
    #: Set when the import was undone (a later step).
    undone_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))


class ImportReference(SQLModel, table=True):
    """A row of an import (source, sheet, external reference) and the record it became."""

    __tablename__ = "import_references"
    __table_args__ = (
        UniqueConstraint("source", "sheet", "external_ref"),
        Index("ix_import_references_entity", "entity", "entity_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=50)
    sheet: str = Field(max_length=20)
    external_ref: str = Field(max_length=50)
    #: The table of the record (`citizens`, `stays`) and its id.
    entity: str = Field(max_length=50)
    entity_id: int
    #: SHA-256 of the row's checked values as last imported.
    row_hash: str = Field(sa_column=Column(String(64), nullable=False))
    #: The import that last wrote the record.
    import_id: int = Field(foreign_key="import_batches.id", index=True)
