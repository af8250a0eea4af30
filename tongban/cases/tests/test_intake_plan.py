"""PostgreSQL's planner knows that a case's status and its handling office go together (cases
migration 0008): a submitted online application has no office yet, nearly every other case
has one. Taking them as independent, it once expected 5 rows in the city-wide intake where a
million cases held 2,968, and sorted them all instead of reading its index in order."""

import json

import pytest
from django.db import connection

from conftest import submit
from tongban.cases.models import Case, Status

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner"),
]


def _estimate(sql: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"]


def test_the_planner_expects_the_intake_it_will_find(carol, alice):
    done = submit(carol)
    Case.objects.filter(pk=done.pk).update(status=Status.COMPLETED, handling_office=alice.office)
    waiting = submit(carol)
    table = Case._meta.db_table
    columns = [f.column for f in Case._meta.concrete_fields if f.column not in ("id", "number")]
    cols = ", ".join(columns)
    with connection.cursor() as cursor:
        # 20,000 finished cases with an office, 300 online applications waiting without one.
        for source, n in ((done.pk, 20_000), (waiting.pk, 300)):
            cursor.execute(
                f"INSERT INTO {table} (number, {cols}) SELECT 'T-' || %s || '-' || g, {cols} "
                f"FROM {table}, generate_series(1, %s) g WHERE id = %s",
                [source, n, source],
            )
        cursor.execute(f"ANALYZE {table}")
    expected = _estimate(
        f"SELECT 1 FROM {table} WHERE status = 'submitted' AND handling_office_id IS NULL"
    )
    assert 150 <= expected <= 600, expected  # 301 are there; taken as independent: about 5
