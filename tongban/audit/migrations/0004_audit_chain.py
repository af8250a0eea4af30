"""The audit chain (audit.chain): each entry's place, the hash of the one before and its own
SM3 hash, and the head. Entries already there are chained in the order they were written
(by id), as they stand now: the proof starts from this migration."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from tongban.audit.chain import GENESIS, entry_hash, ip_text, plain


def chain_existing(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditHead = apps.get_model("audit", "AuditHead")
    seq, prev, batch = 0, GENESIS, []
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        seq += 1
        entry.seq, entry.prev_hash = seq, prev
        # As record() now writes them: one spelling of the address, JSON that comes back alike.
        entry.ip, entry.data = ip_text(entry.ip), plain(entry.data)
        entry.hash = prev = entry_hash(entry)
        batch.append(entry)
        if len(batch) == 2000:
            AuditEntry.objects.bulk_update(batch, ["seq", "prev_hash", "hash", "ip", "data"])
            batch = []
    AuditEntry.objects.bulk_update(batch, ["seq", "prev_hash", "hash", "ip", "data"])
    AuditHead.objects.update_or_create(pk=1, defaults={"seq": seq, "hash": prev})


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_audit_username_index"),
        ("offices", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.BigIntegerField(default=0)),
                ("hash", models.CharField(default=GENESIS, max_length=64)),
            ],
            options={"verbose_name": "审计链头", "verbose_name_plural": "审计链头"},
        ),
        migrations.AlterModelOptions(
            name="auditentry",
            options={"ordering": ["-seq"], "verbose_name": "审计记录", "verbose_name_plural": "审计记录"},
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="outcome",
            field=models.CharField(choices=[("success", "成功"), ("failure", "失败")], default="success", max_length=10),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="office",
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="offices.office"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
    ]
