"""history: keyed chain (key_id), tombstones only for anonymised citizens, PostgreSQL roles

Events now carry the id of the MAC key their `hash` was made with (NULL: an event from before
the history was keyed, verified as a legacy segment). The update guard allows a tombstone only
for a citizen whose row has `anonymised_at` set, and keeps `key_id`.

On PostgreSQL, when the migrating user may create roles, the group roles `del_app` (what the web
app and jobs need: INSERT but no UPDATE or DELETE on the history, SELECT on its head),
`del_erasure` (the tombstone update, for anonymisation) and `del_witness` (reads the history)
are created if missing (they are cluster-wide: the same roles serve every DEL database), and
this database's tables are granted to them. Downgrade revokes the grants and keeps the roles.
README "Deploying on PostgreSQL" says how logins join them.

Revision ID: b7c4e2a91d3f
Revises: 54bc47e82b96
Create Date: 2026-12-03 14:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7c4e2a91d3f"
down_revision: str | None = "54bc47e82b96"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_GUARD = """CREATE TRIGGER audit_events_only_erasure BEFORE UPDATE ON audit_events
    WHEN NOT (
        NEW.id = OLD.id AND NEW.occurred_at = OLD.occurred_at AND NEW.user_id IS OLD.user_id
        AND NEW.action = OLD.action AND NEW.entity = OLD.entity
        AND NEW.entity_id = OLD.entity_id AND OLD.citizen_id IS NOT NULL
        AND NEW.citizen_id IS OLD.citizen_id AND NEW.prev_hash = OLD.prev_hash
        AND NEW.hash = OLD.hash {keyed}AND json_extract(NEW.changes, '$._erased') IS NOT NULL{citizen}
    )
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"""
SQLITE_KEYED = "AND NEW.key_id IS OLD.key_id "
SQLITE_CITIZEN = """
        AND (SELECT count(*) FROM json_each(NEW.changes)) = 1
        AND EXISTS (SELECT 1 FROM citizens WHERE citizens.id = OLD.citizen_id
                    AND citizens.anonymised_at IS NOT NULL)"""

_POSTGRES_GUARD = """CREATE OR REPLACE FUNCTION del_audit_events_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            IF NEW.id = OLD.id AND NEW.occurred_at = OLD.occurred_at
               AND NEW.user_id IS NOT DISTINCT FROM OLD.user_id AND NEW.action = OLD.action
               AND NEW.entity = OLD.entity AND NEW.entity_id = OLD.entity_id
               AND OLD.citizen_id IS NOT NULL AND NEW.citizen_id = OLD.citizen_id
               AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash
               {keyed}AND (NEW.changes::jsonb) ? '_erased'{citizen} THEN
                RETURN NEW;
            END IF;
        END IF;
        RAISE EXCEPTION 'audit_events is append-only';
    END $$"""
POSTGRES_KEYED = "AND NEW.key_id IS NOT DISTINCT FROM OLD.key_id\n               "
POSTGRES_CITIZEN = """
               AND (SELECT count(*) FROM jsonb_object_keys(NEW.changes::jsonb)) = 1
               AND EXISTS (SELECT 1 FROM citizens WHERE citizens.id = OLD.citizen_id
                           AND citizens.anonymised_at IS NOT NULL)"""

#: Group roles, created when missing by a user who may create roles (cluster-wide).
ROLES = ("del_app", "del_erasure", "del_witness")
_CREATE_ROLES = """DO $$
DECLARE name text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user
                   AND (rolsuper OR rolcreaterole)) THEN
        RETURN;
    END IF;
    FOREACH name IN ARRAY ARRAY['del_app', 'del_erasure', 'del_witness'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', name);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;  -- another migration on the same cluster created it meanwhile
            END;
        END IF;
    END LOOP;
END $$"""
#: Per role: what it is granted in this database (run only when the role exists).
GRANTS = {
    "del_app": (
        "GRANT USAGE ON SCHEMA {schema} TO del_app",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO del_app",
        "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO del_app",
        "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM del_app",
        "REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM del_app",
        "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_chain_head FROM del_app",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
        "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO del_app",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO del_app",
    ),
    "del_erasure": (
        "GRANT USAGE ON SCHEMA {schema} TO del_erasure",
        "GRANT SELECT ON audit_events, citizens TO del_erasure",
        "GRANT UPDATE (changes) ON audit_events TO del_erasure",
    ),
    "del_witness": (
        "GRANT USAGE ON SCHEMA {schema} TO del_witness",
        "GRANT SELECT ON audit_events, audit_chain_head TO del_witness",
    ),
}
REVOKES = {
    "del_app": (
        "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} REVOKE ALL ON TABLES FROM del_app",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} REVOKE ALL ON SEQUENCES FROM del_app",
        "REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM del_app",
    ),
    "del_erasure": (),
    "del_witness": (),
}
_REVOKE_ALL = (
    "REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
    "REVOKE USAGE ON SCHEMA {schema} FROM {role}",
)
#: The head is advanced by the trigger with its owner's rights: del_app cannot write it.
_HEAD_DEFINER = (
    "ALTER FUNCTION del_audit_chain_advance() SECURITY DEFINER SET search_path = {schema}"
)
_HEAD_INVOKER = "ALTER FUNCTION del_audit_chain_advance() SECURITY INVOKER RESET search_path"


def _postgres_roles(grant: bool) -> None:
    """Create the roles if allowed, then grant (or revoke) this database's rights to those that exist."""
    bind = op.get_bind()
    schema = bind.execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()
    if grant:
        op.execute(_CREATE_ROLES)
    existing = set(
        bind.execute(
            sa.text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:names)"),
            {"names": list(ROLES)},
        ).scalars()
    )
    for role in ROLES:
        if role not in existing:
            continue
        statements = GRANTS[role] if grant else (*REVOKES[role], *_REVOKE_ALL)
        for statement in statements:
            op.execute(statement.format(schema=schema, role=role))
    op.execute((_HEAD_DEFINER if grant else _HEAD_INVOKER).format(schema=schema))


def upgrade() -> None:
    """Add audit_events.key_id; tombstones only for anonymised citizens; PostgreSQL roles."""
    postgres = op.get_bind().dialect.name == "postgresql"
    if not postgres:
        op.execute("DROP TRIGGER IF EXISTS audit_events_only_erasure")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
    if postgres:
        op.execute(_POSTGRES_GUARD.format(keyed=POSTGRES_KEYED, citizen=POSTGRES_CITIZEN))
        _postgres_roles(grant=True)
    else:
        op.execute(_SQLITE_GUARD.format(keyed=SQLITE_KEYED, citizen=SQLITE_CITIZEN))


def downgrade() -> None:
    """Drop audit_events.key_id and the new guard; revoke the roles' rights (roles stay)."""
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        _postgres_roles(grant=False)
        op.execute(_POSTGRES_GUARD.format(keyed="", citizen=""))
        op.drop_column("audit_events", "key_id")
        return
    # Dropping a column rebuilds the table on SQLite, which would drop its triggers.
    triggers = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'audit_events' AND name != 'audit_events_only_erasure'"
            )
        )
        .all()
    )
    op.execute("DROP TRIGGER IF EXISTS audit_events_only_erasure")
    for name, _sql in triggers:
        op.execute(f"DROP TRIGGER {name}")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("key_id")
    for _name, sql in triggers:
        op.execute(sql)
    op.execute(_SQLITE_GUARD.format(keyed="", citizen=""))
