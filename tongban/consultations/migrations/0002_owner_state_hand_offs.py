# 首问负责 (issue #11, item 8), part 1: an enquiry gets a current owner, an open/closed state with a final
# reply, and the chain of its hand-ons. Enquiries logged before this were answered on the spot
# (nothing else could be done with them), so they become closed when asked, by their first
# responder, with their answer as the reply; each is owned by its first responder.
# Part 2 (0003) makes the owner required: PostgreSQL cannot ALTER a table with the deferred
# foreign-key checks of this update still pending in the same transaction.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def owners_and_states(apps, schema_editor):
    Consultation = apps.get_model("consultations", "Consultation")
    Consultation.objects.update(
        owner=models.F("clerk"),
        closed_at=models.F("asked_at"),
        closed_by=models.F("clerk"),
        reply=models.F("answer"),
    )


class Migration(migrations.Migration):

    dependencies = [
        ("consultations", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="consultation",
            name="owner",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="当前责任人"),
        ),
        migrations.AddField(
            model_name="consultation",
            name="reply",
            field=models.TextField(blank=True, verbose_name="办结答复"),
        ),
        migrations.AddField(
            model_name="consultation",
            name="closed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="办结时间"),
        ),
        migrations.AddField(
            model_name="consultation",
            name="closed_by",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="办结人"),
        ),
        migrations.RunPython(owners_and_states, migrations.RunPython.noop, elidable=True),
    ]
