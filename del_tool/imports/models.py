"""What DEL keeps of an import: the batch, its file while it waits, and per imported row the
record it became.

An upload on the web is an `ImportBatch` in state PLANNED with its file (`ImportFile`) and what
its dry run showed (`plan`); confirming queues it, the job commits it (RUNNING, then DONE with
what it wrote in `result`, or FAILED/REFUSED with a `message`) and drops the file. A command
line import is DONE at once. `ImportReference` ties a row's external reference (the source
system's id) to the record it created, with a hash of the row as imported, so a second import
of the same file changes nothing, an edited row updates its record, and an undo can tell what
came from where.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from del_tool.modelbase import JSONType, created_at_field, timestamp_column


class ImportState(enum.StrEnum):
    """Where an import is: planned (a dry run waiting for its confirmation), queued, running,
    done (written), refused (the plan no longer held: nothing written), failed, undone."""

    PLANNED = "planned"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    REFUSED = "refused"
    FAILED = "failed"
    UNDONE = "undone"


class ImportBatch(SQLModel, table=True):
    """One import of a file: who, when, which file, what its dry run showed and what it did."""

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
    #: Set when the import was undone.
    undone_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    state: str = Field(
        default=ImportState.DONE.value,
        sa_column=Column(String(10), nullable=False, server_default=ImportState.DONE.value),
    )
    #: The units the import may write to (its scope).
    unit_ids: list[int] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    #: Write nothing when any row is refused.
    all_or_nothing: bool = False
    #: What the dry run showed (`batches.plan_record`): counts, refusals, likely duplicates
    #: (as citizen ids) and the plan's fingerprint, which the commit checks again.
    plan: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    #: What the commit wrote (`commit.Written`): ids created and updated, their versions, the
    #: references it changed and its history events; the undo reads it.
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    #: Why a commit was refused or failed (one line).
    message: str | None = Field(default=None, sa_column=Column(String(500), nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))


class ImportFile(SQLModel, table=True):
    """The uploaded file of a planned import, kept until it is committed or expires."""

    __tablename__ = "import_files"

    batch_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("import_batches.id", ondelete="CASCADE"), primary_key=True
        )
    )
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


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
