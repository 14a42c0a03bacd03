"""Chain the Events: each stores its place in the chain, when this instance wrote it,
the previous Event's hash and its own (``verifier.audit``); one row holds the chain's
head, which every append locks.

Existing Events are chained in the order they were written (by id), their
``recorded_at`` being their time (or the latest time before them, for Events restored
from an archive with older times). Their rows are updated once here, so the
append-only trigger of migration 0004 is dropped for the length of this migration and
created again at its end (SQLite would lose it anyway when it rebuilds the table).
"""

import importlib

import django.utils.timezone
from django.db import migrations, models

trigger = importlib.import_module("verifier.migrations.0004_event_append_only_trigger")


def chain_existing(apps, schema_editor):
    from verifier.audit import event_hash

    Event = apps.get_model("verifier", "Event")
    AuditHead = apps.get_model("verifier", "AuditHead")
    fields = (
        "pk",
        "target_type",
        "target_id",
        "claim_id",
        "article_id",
        "action",
        "actor_id",
        "created_at",
        "changes",
        "reason",
    )
    previous, recorded, sequence, batch = "", None, 0, []
    for row in Event.objects.order_by("pk").values(*fields).iterator(chunk_size=2000):
        sequence += 1
        recorded = max(recorded, row["created_at"]) if recorded else row["created_at"]
        row.update(sequence=sequence, previous_hash=previous, recorded_at=recorded)
        previous = event_hash(row)
        batch.append(
            Event(
                pk=row["pk"],
                sequence=sequence,
                recorded_at=recorded,
                previous_hash=row["previous_hash"],
                hash=previous,
            )
        )
        if len(batch) == 1000:
            _save(Event, batch)
            batch = []
    _save(Event, batch)
    AuditHead.objects.create(pk=1, sequence=sequence, hash=previous)


def _save(Event, batch):
    Event.objects.bulk_update(
        batch, ["sequence", "recorded_at", "previous_hash", "hash"]
    )


class Migration(migrations.Migration):
    dependencies = [("verifier", "0012_text_validators")]

    operations = [
        migrations.RunPython(trigger.drop_trigger, trigger.create_trigger),
        migrations.CreateModel(
            name="AuditHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("sequence", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(blank=True, max_length=64)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("pk", 1)), name="audit_head_single_row"
                    )
                ],
            },
        ),
        migrations.AlterField(
            model_name="event",
            name="created_at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="event",
            name="recorded_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="event",
            name="previous_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="event",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="event",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="event",
            name="recorded_at",
            field=models.DateTimeField(editable=False),
        ),
        migrations.RunPython(trigger.create_trigger, trigger.drop_trigger),
    ]
