"""Indexes for "Previously checked" on PostgreSQL: trigram and full-text search over
the text of approved claims (``verifier.previously``). SQLite needs neither."""

from django.db import migrations

INDEXES = [
    (
        "claim_approved_text_trgm",
        'USING gin ("text" gin_trgm_ops)',
    ),
    (
        "claim_approved_text_fts",
        "USING gin (to_tsvector('english'::regconfig, COALESCE(\"text\", '')))",
    ),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension: the database's owner may create it. It stays
    # when this migration is reversed (other databases of the cluster may use it).
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, how in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON verifier_claim {how} "
            "WHERE state = 'approved'"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("verifier", "0006_claim_approval_constraint")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
