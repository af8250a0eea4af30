"""The other departments' items (data/department_items.json): seeded with their limits, and
reviewed through tongban's own lifecycle by staff of their department only."""

import pytest

from conftest import _user, act
from tongban.cases.services import case_submit
from tongban.catalog.models import ItemVersion, ServiceItem
from tongban.catalog.seed import departments
from tongban.lib.errors import Forbidden
from tongban.lib.identifiers import synthetic_uscc
from tongban.people.models import Role
from tongban.people.services import applicant_upsert

pytestmark = pytest.mark.django_db


def test_each_department_has_a_handful_of_items_with_their_limits(city):
    assert set(departments().values()) == {"自然资源局", "住房和城乡建设局", "发展和改革局",
                                           "生态环境局", "市场监督管理局", "农业农村局"}  # fmt: skip
    for department in departments().values():
        items = ServiceItem.objects.filter(department=department, status="active")
        assert items.count() >= 3, department
    assert ServiceItem.objects.filter(department="农业农村局").count() >= 5  # #14's 跨区通办
    permit = ItemVersion.objects.get(item__code="ZJ001")  # 建筑工程施工许可证核发
    assert (permit.legal_days, permit.promised_days) == (7, 3)
    assert [s["department"] for s in permit.steps] == ["住房和城乡建设局"] * 2
    filing = ItemVersion.objects.get(item__code="FG001")  # 企业投资项目备案: at once
    assert filing.is_instant and filing.steps == []
    assert ServiceItem.objects.get(code="YB07019").department == "医疗保障局"


def test_only_the_departments_own_reviewers_take_its_steps(city):
    clerk = _user("clerk-ll", Role.CLERK, "371581")
    plain = _user("reviewer-ll", Role.REVIEWER, "371581")
    land = _user("reviewer-ll-zr", Role.REVIEWER, "371581")
    land.department = "自然资源局"
    land.save()
    farm = _user("reviewer-ll-ny", Role.REVIEWER, "371581")
    farm.department = "农业农村局"
    farm.save()
    investor = applicant_upsert(id_number=synthetic_uscc(region="371581", seq=7),
                                name="临清演示投资有限公司", insured_region="371581", kind="employer")  # fmt: skip
    case, _ = case_submit(item="ZR001", applicant=investor, channel="window", submitted_by=clerk,
                          materials=["M1", "M2", "M3", "M4"])  # fmt: skip
    act(clerk, case, "accept")
    for outsider in (plain, farm):
        with pytest.raises(Forbidden) as refused:
            act(outsider, case, "approve")
        assert refused.value.code == "action_forbidden"
    case = act(land, case, "approve")
    assert case.step == 1  # 审批 next, by the department's second reviewer
