"""Review steps as the item says (清联办): each step names the role that takes it and, when
another office or a department takes it, that office and department. The case shows whose
turn it is, and only they may act on that step."""

import pytest
import time_machine

from conftest import PROMISED_ITEM, _user, act, submit
from tongban.cases.access import actions_available, cases_visible, takes_step
from tongban.cases.models import Case
from tongban.catalog.models import ServiceItem
from tongban.catalog.services import VERSION_FIELDS, catalog_item_save
from tongban.lib.errors import Forbidden, InvalidInput, NotFound
from tongban.people.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_offices_item(city):
    """门诊费用报销 with its 复审 taken by the city bureau's 基金科 (fund section)."""
    item = ServiceItem.objects.get(code=PROMISED_ITEM)
    latest = item.versions.order_by("-number").first()
    data = {k: getattr(latest, k) for k in VERSION_FIELDS}
    data["steps"] = [
        {"name": "审核", "role": Role.REVIEWER},
        {
            "name": "基金复核",
            "role": Role.SECOND_REVIEWER,
            "office": "371500",
            "department": "基金科",
        },
    ]
    with time_machine.travel("2025-03-01 09:00+08:00"):
        return catalog_item_save(code=item.code, name=item.name, category=item.category,
                                 home_office=item.home_office, version=data)  # fmt: skip


def test_the_step_of_another_office_and_department_is_theirs(two_offices_item, carol, alice,
                                                             rita, sam):  # fmt: skip
    fund = _user("fund", Role.SECOND_REVIEWER, "371500")
    fund.department = "基金科"
    fund.save()
    other = _user("other", Role.SECOND_REVIEWER, "371500")  # the city bureau, another section
    with time_machine.travel("2025-03-03 10:00+08:00"):
        case = act(alice, submit(carol), "accept")
        assert case.item_version.steps[1]["office"] == "371500"
        act(rita, case, "approve")
        case = Case.objects.get(pk=case.pk)
        assert case.current_step["name"] == "基金复核"
        assert takes_step(fund, case) and not takes_step(sam, case) and not takes_step(other, case)
        # The fund section sees it in its queue although 莘县 handles it; the others do not.
        assert cases_visible(fund).filter(pk=case.pk).exists()
        assert not cases_visible(other).filter(pk=case.pk).exists()
        assert "approve" in actions_available(fund, case)
        with pytest.raises(Forbidden):
            act(sam, case, "approve")
        with pytest.raises(NotFound):
            act(other, case, "approve")
        act(fund, case, "approve")
    assert Case.objects.get(pk=case.pk).status == Case.Status.COMPLETED


def test_the_desk_queue_and_page_show_whose_turn_it_is(client, two_offices_item, carol, alice,
                                                       rita):  # fmt: skip
    fund = _user("fund", Role.SECOND_REVIEWER, "371500")
    fund.department = "基金科"
    fund.save()
    with time_machine.travel("2025-03-03 10:00+08:00"):
        case = act(rita, act(alice, submit(carol), "accept"), "approve")
        client.force_login(fund)
        assert case.number in client.get("/desk/?scope=review").content.decode()
        page = client.get(f"/desk/cases/{case.number}/").content.decode()
    assert "基金复核" in page and "基金科" in page and "聊城市医疗保障局" in page


def test_a_step_naming_an_unknown_office_is_refused(city):
    item = ServiceItem.objects.get(code=PROMISED_ITEM)
    latest = item.versions.order_by("-number").first()
    data = {k: getattr(latest, k) for k in VERSION_FIELDS}
    data["steps"] = [{"name": "审核", "role": Role.REVIEWER, "office": "999999"}]
    with pytest.raises(InvalidInput) as e:
        catalog_item_save(code=item.code, name=item.name, category=item.category,
                          home_office=item.home_office, version=data)  # fmt: skip
    assert e.value.field == "steps[0].office"
