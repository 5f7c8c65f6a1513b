"""Fixtures of the action tests (see tests/support/staff.py)."""

from tests.support.staff import client_as, db, staff, user_as, world

__all__ = ["client_as", "db", "staff", "user_as", "world"]
