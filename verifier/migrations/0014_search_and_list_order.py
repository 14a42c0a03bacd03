"""Full-text search of claims, and an index for the claims list's default order.

On PostgreSQL a trigger keeps ``claim.search_vector`` current (weighted: claim text,
then claimant, then rationale) and GIN indexes serve the searches of claims and of
their notes; ``verifier.search`` queries them with the same configuration. SQLite has
no full-text vector: the column stays NULL there and the search falls back to
substring matching.
"""

import django.contrib.postgres.search
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models

# Keep in step with verifier.search.CONFIG and verifier.search.note_vector().
POSTGRESQL_CREATE = """
CREATE OR REPLACE FUNCTION verifier_claim_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english'::regconfig, COALESCE(NEW.text, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, COALESCE(NEW.claimant, '')), 'B')
        || setweight(to_tsvector('english'::regconfig, COALESCE(NEW.rationale, '')), 'C');
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER verifier_claim_search_vector
    BEFORE INSERT OR UPDATE OF text, claimant, rationale ON verifier_claim
    FOR EACH ROW EXECUTE FUNCTION verifier_claim_search_vector();
UPDATE verifier_claim SET search_vector =
    setweight(to_tsvector('english'::regconfig, COALESCE(text, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, COALESCE(claimant, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, COALESCE(rationale, '')), 'C');
CREATE INDEX claim_search_idx ON verifier_claim USING gin (search_vector);
CREATE INDEX note_search_idx ON verifier_note
    USING gin (to_tsvector('english'::regconfig, COALESCE(text, '')));
"""
POSTGRESQL_DROP = """
DROP INDEX IF EXISTS note_search_idx;
DROP INDEX IF EXISTS claim_search_idx;
DROP TRIGGER IF EXISTS verifier_claim_search_vector ON verifier_claim;
DROP FUNCTION IF EXISTS verifier_claim_search_vector();
"""


def create_search(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_CREATE, params=None)


def drop_search(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("verifier", "0013_event_chain"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False, null=True
            ),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                fields=["updated_at", "id"], name="claim_updated_id_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                django.db.models.functions.text.Substr("text", 1, 60),
                "id",
                name="claim_text_prefix_idx",
            ),
        ),
        migrations.RunPython(create_search, drop_search),
    ]
