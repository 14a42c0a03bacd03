""" "Previously checked" asks for the approved claims nearest in trigrams, nearest first,
from a GiST index (``ORDER BY text <-> claim LIMIT 50``), instead of every approved
claim above a similarity threshold from a GIN index, re-ranked. At 100,000 claims a
short claim in common words made the GIN index propose thousands of rows, each
rechecked (a quarter to half a second per claim page); the GiST index walks to the
nearest fifty (a few milliseconds to 55 ms). The GIN trigram index has no other use.
PostgreSQL only, like 0010."""

from django.db import migrations

GIST = (
    "CREATE INDEX IF NOT EXISTS claim_approved_text_gist ON verifier_claim "
    "USING gist (\"text\" gist_trgm_ops(siglen=256)) WHERE state = 'approved'"
)
GIN = (
    "CREATE INDEX IF NOT EXISTS claim_approved_text_trgm ON verifier_claim "
    "USING gin (\"text\" gin_trgm_ops) WHERE state = 'approved'"
)


def nearest(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(GIST)
    schema_editor.execute("DROP INDEX IF EXISTS claim_approved_text_trgm")


def threshold(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(GIN)
    schema_editor.execute("DROP INDEX IF EXISTS claim_approved_text_gist")


class Migration(migrations.Migration):
    dependencies = [("verifier", "0016_notifications")]

    operations = [migrations.RunPython(nearest, threshold)]
