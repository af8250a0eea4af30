"""Bank account fields become the form type "account" (digits; masked to staff, shown in full
only on request and audited). The field, its label and what applicants type stay the same, so
versions in force are reclassified in place rather than given a new version."""

from django.db import migrations


def _accounts(apps, schema_editor):
    ItemVersion = apps.get_model("catalog", "ItemVersion")
    for version in ItemVersion.objects.all().only("pk", "form"):
        form = version.form or []
        if any(f.get("name") == "bank_account" and f.get("type") == "text" for f in form):
            for f in form:
                if f.get("name") == "bank_account" and f.get("type") == "text":
                    f["type"] = "account"
            ItemVersion.objects.filter(pk=version.pk).update(form=form)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_initial")]

    operations = [migrations.RunPython(_accounts, migrations.RunPython.noop, elidable=True)]
