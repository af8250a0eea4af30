"""A BRIN index on the events' time, on PostgreSQL: the audit trail's daily anchors and
`tongban audit verify` read the events one day at a time. Events are appended in time order,
so the index stays a few pages and costs the case actions next to nothing (a B-tree on this
column was left out on purpose: #2). SQLite has no BRIN; a demo's days are small."""

from django.db import migrations


def _brin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS caseevent_at_brin ON cases_caseevent USING brin (at)"
        )


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS caseevent_at_brin")


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_authorisations")]

    operations = [migrations.RunPython(_brin, _drop)]
