"""tongban.lib.sql reads and writes exactly what the ORM would, on both databases."""

from datetime import date, timedelta

import pytest
from django.db.models import Model
from django.utils import timezone

from conftest import submit
from tongban.cases.models import Case, CaseEvent, Notice
from tongban.lib import sql

pytestmark = pytest.mark.django_db


def _values(obj: Model) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_columns_build_the_instance_the_orm_loads(carol):
    case = submit(carol)
    case.deadline, case.missing_materials, case.form = date(2026, 12, 31), ["M3"], {"k": "值"}
    case.save()
    columns = sql.Columns(Case, "c")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns.sql} FROM {sql.table(Case)} c WHERE c.id = %s", [case.pk])
        built = columns.build(cursor.fetchone())
    assert _values(built) == _values(Case.objects.get(pk=case.pk))
    assert built._state.adding is False


def test_a_left_join_that_found_nothing_builds_none():
    columns = sql.Columns(Case, "c")
    assert columns.build((None,) * columns.width) is None


def test_update_writes_what_save_would(carol):
    case = submit(carol)
    before = case.updated_at
    case.status, case.deadline, case.missing_materials = "accepted", date(2027, 1, 4), ["M3", "M4"]
    case.accepted_at = timezone.now() - timedelta(hours=1)
    assert (
        sql.update(case, ("status", "deadline", "missing_materials", "accepted_at", "updated_at"))
        == 1
    )
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.deadline, stored.missing_materials) == (
        "accepted",
        date(2027, 1, 4),
        ["M3", "M4"],
    )
    assert stored.accepted_at == case.accepted_at
    assert stored.updated_at > before  # auto_now, as save() sets it
    assert stored.form == case.form  # not named: not written


def test_insert_fills_defaults_like_create(carol, alice):
    case = submit(carol)
    at = timezone.now()
    sql.insert(CaseEvent, case=case, action="approve", from_status="accepted", to_status="accepted",
               at=at, actor=alice, office=alice.office, ip="10.0.0.1")  # fmt: skip
    sql.insert(Notice, case=case, kind="acceptance", issued_at=at, data={"号": [1, "二"]})
    event = CaseEvent.objects.filter(case=case, action="approve").get()
    assert (event.actor_id, event.office_id, event.reason, event.data, event.at, event.ip) == (
        alice.pk, alice.office_id, "", {}, at, "10.0.0.1",
    )  # fmt: skip
    assert Notice.objects.get(case=case).data == {"号": [1, "二"]}
