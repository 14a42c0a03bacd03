"""Indexes for "Previously checked" on PostgreSQL: trigram and full-text search over
the text of approved claims (``verifier.previously``). SQLite needs neither."""

from django.contrib.postgres.operations import TrigramExtension
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

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
