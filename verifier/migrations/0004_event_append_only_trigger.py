"""Make the audit trail append-only in the database itself.

Event.save/delete and its QuerySet refuse changes, but raw SQL, ``_base_manager`` and
``loaddata`` (which saves with ``save_base``) go around the ORM. A trigger stops them.

PostgreSQL refuses UPDATE and DELETE of any row. TRUNCATE is left to the database
owner on purpose: Django's test flush and a restore into an emptied database use it.

SQLite refuses UPDATE only: Django's flush between transactional tests empties tables
with DELETE there. SQLite drops a table's triggers when a migration rebuilds the table,
so a later migration that alters Event must create this trigger again.
"""

from django.db import migrations

POSTGRESQL_CREATE = """
CREATE OR REPLACE FUNCTION verifier_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Events are append-only: % of verifier_event refused.', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER verifier_event_append_only
    BEFORE UPDATE OR DELETE ON verifier_event
    FOR EACH ROW EXECUTE FUNCTION verifier_event_append_only();
"""
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS verifier_event_append_only ON verifier_event;
DROP FUNCTION IF EXISTS verifier_event_append_only();
"""
SQLITE_CREATE = """
CREATE TRIGGER IF NOT EXISTS verifier_event_no_update BEFORE UPDATE ON verifier_event
BEGIN
    SELECT RAISE(ABORT, 'Events are append-only: UPDATE of verifier_event refused.');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS verifier_event_no_update;"

SQL = {
    "postgresql": (POSTGRESQL_CREATE, POSTGRESQL_DROP),
    "sqlite": (SQLITE_CREATE, SQLITE_DROP),
}


def create_trigger(apps, schema_editor):
    create, _ = SQL.get(schema_editor.connection.vendor, ("", ""))
    if create:
        schema_editor.execute(create, params=None)


def drop_trigger(apps, schema_editor):
    _, drop = SQL.get(schema_editor.connection.vendor, ("", ""))
    if drop:
        schema_editor.execute(drop, params=None)


class Migration(migrations.Migration):
    dependencies = [("verifier", "0003_article_sentences")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
