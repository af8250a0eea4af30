"""people 0007: a resident ID number stored in its 15-digit form becomes its 18-digit form,
so the person is found by either; a number whose 18-digit form is another record is left.

The migration's function is run on today's table: it reads and writes with SQL the columns the
table still has. (Migrating every app back to people 0006 and forward again took 50-100 s of
each database's stage for the same check.)"""

from datetime import date
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from tongban.lib.identifiers import synthetic_resident_id
from tongban.people.models import Applicant
from tongban.people.services import applicant_by_number

pytestmark = pytest.mark.django_db
MIGRATION = import_module("tongban.people.migrations.0007_fifteen_digit_id_numbers")


def _insert(number: str, name: str, region_id: int) -> int:
    """A record as an older version stored it: the number sealed as it was typed."""
    return Applicant.objects.create(kind="person", id_number=number, name=name,
                                    insured_region_id=region_id).pk  # fmt: skip


def test_fifteen_digit_numbers_become_eighteen(city):
    from tongban.offices.models import Office

    region = Office.objects.get(code="371522").pk
    old = synthetic_resident_id(region="371522", birth=date(1962, 3, 4), seq=2)
    twin = synthetic_resident_id(region="371522", birth=date(1963, 5, 6), seq=3)
    lone = _insert(old[:6] + old[8:17], "钱一", region)  # 15 digits, no other record
    _insert(twin, "孙二", region)  # recorded twice: 18 digits ...
    kept = _insert(twin[:6] + twin[8:17], "孙二", region)  # ... and 15
    MIGRATION._eighteen(apps, SimpleNamespace(connection=connection))
    assert applicant_by_number(old).pk == lone  # found by the 18-digit form now
    assert Applicant.objects.get(pk=kept).id_number == twin[:6] + twin[8:17]  # left, named
