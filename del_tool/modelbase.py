"""Building blocks shared by the models of every feature package."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Column, DateTime, Dialect
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import declared_attr
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel
from wtforms import SelectChoice

import del_tool.db  # noqa: F401 - sets the metadata naming convention before any table exists

#: JSON on SQLite, JSONB on PostgreSQL.
JSONType = JSON().with_variant(JSONB(), "postgresql")


#: Dates in DEL (follow-up due dates, periods) are Danish calendar dates.
LOCAL_TIMEZONE = ZoneInfo("Europe/Copenhagen")


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def local_today() -> date:
    """Today's date in Denmark."""
    return datetime.now(LOCAL_TIMEZONE).date()


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes; store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC timestamp column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Attach UTC to what SQLite returns naive."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(
    enum_cls: type[enum.Enum], *, nullable: bool = False, index: bool = False
) -> Column[Any]:
    """A VARCHAR column holding the enum's values, with a named CHECK constraint."""
    return Column(
        SAEnum(
            enum_cls,
            native_enum=False,
            create_constraint=True,
            validate_strings=True,
            length=max(len(str(m.value)) for m in enum_cls) + 4,
            name=_snake(enum_cls.__name__),
            values_callable=lambda members: [m.value for m in members],
        ),
        nullable=nullable,
        index=index,
    )


def timestamp_column(*, nullable: bool = False, index: bool = False) -> Column[Any]:
    """A UTC timestamp column."""
    return Column(UtcDateTime(), nullable=nullable, index=index)


def created_at_field() -> Any:
    """A `created_at` field set when the row is made."""
    return Field(default_factory=utcnow, sa_column=timestamp_column())


class Versioned(SQLModel):
    """Optimistic locking: UPDATEs check and bump `version`; a stale write raises StaleDataError."""

    version: int = Field(default=1, nullable=False)

    @declared_attr  # type: ignore[arg-type]
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - declared_attr receives the class
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class LabelledEnum(enum.StrEnum):
    """A string enum whose members carry a UI label (lazy-translated in `labels()`)."""

    @classmethod
    def choices(cls) -> list[SelectChoice]:
        """The members as WTForms choices, labels translated now.

        Pass the method itself (`choices=Sex.choices`) so that WTForms calls it for each form,
        in the language of that request.
        """
        return [SelectChoice(value=m.value, label=str(m.label)) for m in cls]

    @property
    def label(self) -> Any:
        """The translated label of this member."""
        return type(self).labels()[self]

    @classmethod
    def labels(cls) -> dict[Any, Any]:
        """Map of member to lazy-translated label; subclasses override."""
        return {m: m.value for m in cls}


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
