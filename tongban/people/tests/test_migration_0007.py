"""people 0007: a resident ID number stored in its 15-digit form becomes its 18-digit form,
so the person is found by either; a number whose 18-digit form is another record is left."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tongban.lib.crypto import blind_index, encrypt_str
from tongban.lib.identifiers import synthetic_resident_id
from tongban.people.models import Applicant
from tongban.people.services import applicant_by_number

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE, AFTER = ("people", "0006_totp_secret_sealed"), ("people", "0007_fifteen_digit_id_numbers")
PURPOSE = "people.applicant.id_number"


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def _migrate_latest():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _insert(number: str, name: str, region_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO people_applicant (kind, id_number, id_number_index, name, name_index, phone, "
            "insured_region_id, self_registered, created_at) VALUES ('person', %s, %s, %s, %s, '', %s, %s, %s)",
            [encrypt_str(number, purpose=PURPOSE), blind_index(number, purpose=PURPOSE),
             encrypt_str(name, purpose="people.applicant.name"),
             blind_index(name, purpose="people.applicant.name"), region_id, False, timezone.now()],
        )  # fmt: skip
        cursor.execute("SELECT max(id) FROM people_applicant")
        return cursor.fetchone()[0]


def test_fifteen_digit_numbers_become_eighteen(city):
    from tongban.offices.models import Office

    region = Office.objects.get(code="371522").pk
    old = synthetic_resident_id(region="371522", birth=date(1962, 3, 4), seq=2)
    twin = synthetic_resident_id(region="371522", birth=date(1963, 5, 6), seq=3)
    try:
        _migrate(BEFORE)
        lone = _insert(old[:6] + old[8:17], "钱一", region)  # 15 digits, no other record
        _insert(twin, "孙二", region)  # recorded twice: 18 digits ...
        kept = _insert(twin[:6] + twin[8:17], "孙二", region)  # ... and 15
    finally:
        _migrate(AFTER)  # this migration runs here ...
        _migrate_latest()  # ... and the later ones, which today's models read
    assert applicant_by_number(old).pk == lone  # found by the 18-digit form now
    assert Applicant.objects.get(pk=kept).id_number == twin[:6] + twin[8:17]  # left, named
