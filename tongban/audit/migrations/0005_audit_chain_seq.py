# A migration of its own: on PostgreSQL, a table cannot be altered in the transaction that
# updated its rows (0004's chaining) while their trigger events are pending.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0004_audit_chain"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(unique=True),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["target", "seq"], name="audit_target_idx"),
        ),
    ]
