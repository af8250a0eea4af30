# 首问负责 (issue #11, item 8), part 2: the owner is required; the index of 我的咨询, the
# closed-state constraint and the hand-on chain.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("consultations", "0002_owner_state_hand_offs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="consultation",
            name="owner",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="当前责任人"),
        ),
        migrations.AddIndex(
            model_name="consultation",
            index=models.Index(fields=["owner", "-closed_at", "asked_at"], name="consultation_owner_idx"),
        ),
        migrations.AddConstraint(
            model_name="consultation",
            constraint=models.CheckConstraint(condition=models.Q(models.Q(("closed_at__isnull", True), ("closed_by__isnull", True), ("reply", "")), models.Q(("closed_at__isnull", False), ("closed_by__isnull", False), models.Q(("reply", ""), _negated=True)), _connector="OR"), name="consultation_closed_whole"),
        ),
        migrations.CreateModel(
            name="ConsultationHandOff",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="转交时间")),
                ("note", models.TextField(verbose_name="转交说明")),
                ("consultation", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="hand_offs", to="consultations.consultation", verbose_name="咨询记录")),
                ("from_user", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="转出人")),
                ("to_user", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="接收人")),
                ("by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="操作人")),
            ],
            options={
                "verbose_name": "咨询转交记录",
                "verbose_name_plural": "咨询转交记录",
                "ordering": ["at", "id"],
            },
        ),
    ]
