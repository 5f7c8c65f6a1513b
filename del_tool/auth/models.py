"""Users, their roles and scopes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, ForeignKey, String
from sqlmodel import Field, SQLModel

from del_tool.modelbase import (
    LabelledEnum,
    Versioned,
    created_at_field,
    enum_column,
    timestamp_column,
)


class Role(LabelledEnum):
    """The five roles of DEL (DESIGN §1)."""

    STAFF = "staff"
    LEADER = "leader"
    ANALYST = "analyst"
    COUNCIL = "council"
    ADMIN = "admin"

    @classmethod
    def labels(cls) -> dict[Any, Any]:
        """Danish-first labels."""
        return {
            cls.STAFF: _l("Medarbejder"),
            cls.LEADER: _l("Leder"),
            cls.ANALYST: _l("Regional analytiker"),
            cls.COUNCIL: _l("Kommune"),
            cls.ADMIN: _l("Administrator"),
        }


class User(Versioned, table=True):
    """A person who logs in. Scope: staff by units, leaders by centre, councils by municipality."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role <> 'leader' OR centre_id IS NOT NULL", name="leader_has_centre"),
        CheckConstraint(
            "role <> 'council' OR municipality_code IS NOT NULL", name="council_has_municipality"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=150, unique=True)
    display_name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    role: Role = Field(sa_column=enum_column(Role))
    centre_id: int | None = Field(default=None, foreign_key="centres.id")
    municipality_code: str | None = Field(
        default=None, sa_column=Column(String(3), ForeignKey("municipalities.code"))
    )
    #: The operator an administrator works for: None for the deployment's owner (the
    #: region), a municipality's code for a municipality that operates offers. Leaders and
    #: staff belong to their centre's operator.
    operator_code: str | None = Field(
        default=None, sa_column=Column(String(3), ForeignKey("municipalities.code"))
    )
    active: bool = Field(default=True)
    #: Bumped by logout-everywhere, password change and deactivation; sessions carry it.
    session_version: int = Field(default=1)
    totp_secret: str | None = Field(default=None, sa_column=Column(String(64)))
    #: The secret of an enrolment under way, until the first code confirms it (kept here, not
    #: in the session cookie, which is signed but readable).
    totp_pending_secret: str | None = Field(default=None, sa_column=Column(String(64)))
    #: The last TOTP time step accepted, so a code cannot be used twice.
    totp_last_step: int | None = None
    created_at: datetime = created_at_field()
    last_login_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    password_changed_at: datetime | None = Field(
        default=None, sa_column=timestamp_column(nullable=True)
    )
    #: Set when an administrator gave the user a generated password: they choose their own
    #: before anything else (`del_tool.security.passwordchoice`).
    must_change_password: bool = Field(default=False)

    # Flask-Login protocol -------------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        """Always true for a loaded user (Flask-Login)."""
        return True

    @property
    def is_active(self) -> bool:
        """Deactivated users cannot log in (Flask-Login)."""
        return self.active

    @property
    def is_anonymous(self) -> bool:
        """Never anonymous (Flask-Login)."""
        return False

    def get_id(self) -> str:
        """Session identity: id and session version, so bumping the version ends sessions."""
        return f"{self.id}:{self.session_version}"


class UserUnit(SQLModel, table=True):
    """A unit a staff user works in."""

    __tablename__ = "user_units"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    unit_id: int = Field(foreign_key="units.id", primary_key=True)


class RecoveryCode(SQLModel, table=True):
    """A one-time recovery code for the second factor, stored as an Argon2id hash."""

    __tablename__ = "recovery_codes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=255)
    used_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
