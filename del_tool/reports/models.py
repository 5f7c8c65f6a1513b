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


class ScaleReference(SQLModel, table=True):
    """The reference a scale's reliable change is judged against, frozen once it is set.

    One per instrument version and scale, so that a unit's share reliably improved is the same
    number in its own report, its centre's and the region's, and a multi-year trend does not
    shift as data arrive (`reports.common.reference`). `sd` is the standard deviation of the
    baseline scores of the whole deployment, over `n` baselines, unless the definition gives
    one; `reliability` likewise (Cronbach's alpha of the same baselines when it gives none).
    """

    __tablename__ = "scale_references"
    __table_args__ = (UniqueConstraint("questionnaire_id", "version", "scale_id"),)

    id: int | None = Field(default=None, primary_key=True)
    questionnaire_id: str = Field(max_length=60)
    version: str = Field(max_length=30)
    scale_id: str = Field(max_length=60)
    sd: float | None = None
    sd_source: str = Field(max_length=30)
    reliability: float | None = None
    reliability_source: str = Field(max_length=30)
    n: int = 0
    frozen_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
