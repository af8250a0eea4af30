"""Items get their kind (行政许可, 公共服务, 其他行政权力: the law a notice cites) and versions the
fields of their decision (办结结果). Items whose category already says their kind (the other
departments' approvals) are given it; the rest are public services, as medical insurance's are."""

from django.db import migrations, models


def _kinds(apps, schema_editor):
    ServiceItem = apps.get_model("catalog", "ServiceItem")
    ServiceItem.objects.filter(category="行政许可").update(kind="licence")
    ServiceItem.objects.filter(category="其他行政权力").update(kind="other")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_agreement_platforms"),
    ]

    operations = [
        migrations.AddField(
            model_name="itemversion",
            name="decision",
            field=models.JSONField(blank=True, default=list, verbose_name="办结结果字段"),
        ),
        migrations.AddField(
            model_name="serviceitem",
            name="kind",
            field=models.CharField(
                choices=[
                    ("licence", "行政许可"),
                    ("public_service", "公共服务"),
                    ("other", "其他行政权力"),
                ],
                default="public_service",
                max_length=16,
                verbose_name="事项类型",
            ),
        ),
        migrations.RunPython(_kinds, migrations.RunPython.noop, elidable=True),
    ]
