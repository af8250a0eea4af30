"""On PostgreSQL the audit trail is append-only for every role the application may connect
as, its tables' owner and a superuser included (REVOKE would not bind those):

- an UPDATE or DELETE of an audit entry is refused by a trigger;
- the chain's head only moves forward, one entry at a time, onto an entry that is there and
  is chained to the head it leaves; it cannot be deleted.

ENABLE ALWAYS: the triggers fire even under session_replication_role = replica.

The limits: whoever may change the schema (the tables' owner, a superuser) can drop or disable
a trigger, and TRUNCATE fires none (Django's test flush truncates every table). Run the
application as a role that does not own the tables, so that only migrations can; and keep the
head that `tongban audit verify` prints outside the database. SQLite has no roles: there the
chain alone shows a change (and Django's flush of a test database deletes rows one by one).
"""

from django.db import migrations

ENTRIES, HEAD = "audit_auditentry", "audit_audithead"

CREATE = f"""
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % of an audit entry refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {ENTRIES}
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
ALTER TABLE {ENTRIES} ENABLE ALWAYS TRIGGER audit_append_only;

CREATE FUNCTION audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit chain''s head cannot be deleted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.seq <> OLD.seq + 1 OR NOT EXISTS (
        SELECT 1 FROM {ENTRIES} WHERE seq = NEW.seq AND hash = NEW.hash AND prev_hash = OLD.hash
    ) THEN
        RAISE EXCEPTION 'the audit chain''s head moves only onto the entry chained to it (from % to %)',
            OLD.seq, NEW.seq USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON {HEAD}
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward();
ALTER TABLE {HEAD} ENABLE ALWAYS TRIGGER audit_head_forward;
"""

DROP = f"""
DROP TRIGGER IF EXISTS audit_head_forward ON {HEAD};
DROP FUNCTION IF EXISTS audit_head_forward();
DROP TRIGGER IF EXISTS audit_append_only ON {ENTRIES};
DROP FUNCTION IF EXISTS audit_append_only();
"""


def _run(schema_editor, sql: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)  # no parameters: the % of RAISE stay as they are


def create(apps, schema_editor):
    _run(schema_editor, CREATE)


def drop(apps, schema_editor):
    _run(schema_editor, DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_audit_chain_seq")]

    operations = [migrations.RunPython(create, drop)]
