"""Approved claims, and only they, carry their frozen record.

Apart from 0006_approval_record_claimant_kind_source_versions, whose data migration
fills the record first: PostgreSQL refuses to alter a table in the transaction that
just updated its rows.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("verifier", "0006_approval_record_claimant_kind_source_versions"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="claim",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("approval__isnull", False), ("state", "approved")),
                    models.Q(
                        models.Q(("state", "approved"), _negated=True),
                        ("approval__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="claim_approval_frozen_when_approved",
            ),
        ),
    ]
