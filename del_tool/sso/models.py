"""The link between a DEL user and their account at the identity provider."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from del_tool.modelbase import created_at_field, timestamp_column


class ExternalIdentity(SQLModel, table=True):
    """A user's (issuer, subject) at an OpenID provider: the only key an SSO login matches on.

    Never the e-mail address, which a directory reuses and a user may change. SCIM-provisioned
    users get the same key, the subject being the directory's `externalId`.
    """

    __tablename__ = "user_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", unique=True, ondelete="CASCADE")
    issuer: str = Field(sa_column=Column(String(255), nullable=False))
    subject: str = Field(sa_column=Column(String(255), nullable=False))
    #: The provider's session id (`sid`) of the newest login, for back-channel logout.
    last_sid: str | None = Field(default=None, sa_column=Column(String(255)))
    #: Whether a SCIM directory created or last changed the user (it then owns their state).
    scim_managed: bool = Field(default=False)
    created_at: datetime = created_at_field()
    last_login_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
