"""the history's head advanced once per INSERT statement on PostgreSQL (#18 item 6)

- audit_events_advance_head on PostgreSQL: a statement-level trigger over the inserted rows (a
  transition table) instead of one per row. Advancing the single head row once per event made a
  bulk append quadratic there: every UPDATE of the same row in one transaction leaves a row
  version the next one walks past (110,000 events of a 100,000-row import: about 40 s). The head
  ends as before: the count grows by the rows inserted, last id and hash are the newest row's.
  The function keeps its name, owner and SECURITY DEFINER (del_app still cannot write the head).
  SQLite updates the row in place: its per-row trigger stays.

Revision ID: e5a1c7b3d902
Revises: d4e8a2c61f09
Create Date: 2026-12-07 12:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e5a1c7b3d902"
down_revision: str | None = "d4e8a2c61f09"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PER_STATEMENT = (
    """CREATE OR REPLACE FUNCTION del_audit_chain_advance() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE audit_chain_head
        SET event_count = event_count + added.n, last_id = newest.id, last_hash = newest.hash
        FROM (SELECT count(*) AS n FROM new_events) AS added,
             (SELECT id, hash FROM new_events ORDER BY id DESC LIMIT 1) AS newest
        WHERE audit_chain_head.id = 1;
        RETURN NULL;
    END $$""",
    "DROP TRIGGER IF EXISTS audit_events_advance_head ON audit_events",
    """CREATE TRIGGER audit_events_advance_head AFTER INSERT ON audit_events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION del_audit_chain_advance()""",
)
PER_ROW = (
    "DROP TRIGGER IF EXISTS audit_events_advance_head ON audit_events",
    """CREATE OR REPLACE FUNCTION del_audit_chain_advance() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE audit_chain_head SET event_count = event_count + 1, last_id = NEW.id,
            last_hash = NEW.hash WHERE id = 1;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER audit_events_advance_head AFTER INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION del_audit_chain_advance()""",
)
#: CREATE OR REPLACE resets the function's security: it runs with its owner's rights again.
DEFINER = "ALTER FUNCTION del_audit_chain_advance() SECURITY DEFINER SET search_path = {schema}"


def _apply(statements: Sequence[str]) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()
    for statement in statements:
        op.execute(statement)
    op.execute(DEFINER.format(schema=schema))


def upgrade() -> None:
    """Advance the head once per INSERT statement on PostgreSQL."""
    _apply(PER_STATEMENT)


def downgrade() -> None:
    """Advance it once per row again."""
    _apply(PER_ROW)
