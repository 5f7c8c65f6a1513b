"""Published council summaries: frozen once published, so asking again gives the same pack."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from del_tool.modelbase import JSONType, timestamp_column, utcnow


class CouncilPublication(SQLModel, table=True):
    """One municipality's council summary for one calendar period, as it was published.

    `content` holds the built summary in each language (the report model as JSON, and its
    drawn charts; `reports.codec`). Nothing here names a citizen: councils get aggregates only.
    """

    __tablename__ = "council_publications"
    __table_args__ = (UniqueConstraint("municipality_code", "period_key"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_code: str = Field(foreign_key="municipalities.code", max_length=3, index=True)
    period_key: str = Field(max_length=30)
    published_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    content: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
