"""A key project in 临清 (371581) whose approvals cross departments, and its people:

ada   agent at 临清, the project's full-process agent (帮办专员)
lin   clerk at 临清 (the county's 通办 window: registers the project, accepts its cases)
zoe   reviewer of 自然资源局 at 临清      hal   reviewer of 生态环境局 at 临清 (task force)
ivy   the investor's own account (临清演示投资有限公司, an employer, verified)
"""

from datetime import date

import pytest
import time_machine
from django.utils import translation

from conftest import _user
from tongban.lib.identifiers import synthetic_uscc
from tongban.people.models import Role
from tongban.people.services import applicant_upsert
from tongban.projects.services import project_create


@pytest.fixture(autouse=True)
def _chinese():
    # The board's texts are compared in Chinese, whatever language an earlier test left active.
    with translation.override("zh-hans"):
        yield


def at(day: str, time: str = "10:00"):
    """The clock at `day` (YYYY-MM-DD) in the city, standing still."""
    return time_machine.travel(f"{day} {time}+08:00", tick=False)


def staff(username, role, office="371581", department=""):
    user = _user(username, role, office)
    if department:
        user.department = department
        user.save(update_fields=["department"])
    return user


@pytest.fixture
def ada(city):
    return staff("ada", Role.AGENT)


@pytest.fixture
def lin(city):
    return staff("lin", Role.CLERK)


@pytest.fixture
def zoe(city):
    return staff("zoe", Role.REVIEWER, department="自然资源局")


@pytest.fixture
def hal(city):
    return staff("hal", Role.REVIEWER, department="生态环境局")


@pytest.fixture
def investor(city):
    return applicant_upsert(id_number=synthetic_uscc(region="371581", seq=11),
                            name="临清演示投资有限公司", insured_region="371581", kind="employer")  # fmt: skip


@pytest.fixture
def ivy(investor):
    return _user("ivy", Role.APPLICANT, applicant=investor)


@pytest.fixture
def project(lin, ada, investor):
    with at("2025-05-06"):
        return project_create(name="临清轴承产业园二期", investor=investor, county="371581",
                              amount="32000.00", industry="manufacturing",
                              signed_on=date(2025, 5, 6), planned_start_on=date(2025, 7, 15),
                              agent=ada, by=lin)  # fmt: skip
