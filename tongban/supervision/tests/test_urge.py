"""催办: an applicant presses a late case, once per working day; the handling office's
supervisor gets it, the figures count it, the portal shows the lateness and the button."""

import pytest
import time_machine

from tongban.cases.models import Action, Case, CaseEvent
from tongban.cases.services import case_urge
from tongban.lib.errors import Conflict, NotFound
from tongban.stats.selectors import Figures, period_parse
from tongban.supervision.models import Notification
from tongban.supervision.notifications import notifications_dispatch

from .conftest import accepted_on, at

pytestmark = pytest.mark.django_db
# accepted Monday 2025-03-03: 10 working days, due Monday 2025-03-17


@pytest.fixture
def late_case(alice, carol):
    return accepted_on("2025-03-03", alice, carol)


def test_a_case_within_its_deadline_cannot_be_urged(late_case, carol):
    with time_machine.travel(at("2025-03-17 15:00")), pytest.raises(Conflict) as refused:
        case_urge(number=late_case.number, by=carol)
    assert refused.value.code == "not_overdue"


def test_once_per_working_day(late_case, carol):
    with time_machine.travel(at("2025-03-21 09:00")):  # a Friday, 4 working days late
        case_urge(number=late_case.number, by=carol)
    with time_machine.travel(at("2025-03-21 16:00")), pytest.raises(Conflict) as again:
        case_urge(number=late_case.number, by=carol)
    assert again.value.code == "urged_already"
    with time_machine.travel(at("2025-03-22 10:00")), pytest.raises(Conflict):  # Saturday
        case_urge(number=late_case.number, by=carol)
    with time_machine.travel(at("2025-03-24 08:30")):  # Monday: a new working day
        case_urge(number=late_case.number, by=carol)
    case = Case.objects.get(pk=late_case.pk)
    assert case.urged == 2 and case.status == "accepted" and case.version == late_case.version
    assert CaseEvent.objects.filter(case=case, action=Action.URGE).count() == 2


def test_only_the_applicants_side_may_urge(late_case, alice, bob):
    with time_machine.travel(at("2025-03-21 09:00")):
        for user in (alice, bob):  # the clerk who holds it, a clerk elsewhere
            with pytest.raises(NotFound):
                case_urge(number=late_case.number, by=user)


def test_the_supervisor_of_the_handling_office_is_mailed(late_case, carol, olga, vera, mailoutbox):
    olga.email, vera.email = "olga@example.org", "vera@example.org"
    olga.save(), vera.save()
    with time_machine.travel(at("2025-03-21 09:00")):
        case_urge(number=late_case.number, by=carol)
    notifications_dispatch(now=at("2025-03-21 09:01"))
    urged = [m for m in mailoutbox if "催办" in m.subject]
    assert [m.to for m in urged] == [["olga@example.org"]]  # the county's, not the city's
    assert late_case.number in urged[0].body and "4 个工作日" in urged[0].body
    row = Notification.objects.get(event="case.urged")
    assert row.event_label == "申请人催办"


def test_the_figures_count_urged_cases(late_case, carol, alice):
    with time_machine.travel(at("2025-03-21 09:00")):
        case_urge(number=late_case.number, by=carol)
        figures = Figures(period_parse("2025-03-01", "2025-03-31"))
        assert figures.summary()["urged"] == 1
        assert list(figures.cases("urged")) == [Case.objects.get(pk=late_case.pk)]


def test_the_portal_shows_the_lateness_and_the_button(client, late_case, carol):
    client.force_login(carol)
    with time_machine.travel(at("2025-03-21 09:00")):
        page = client.get(f"/cases/{late_case.number}/").content.decode()
        assert "已超过办结期限 4 个工作日" in page and "已超期 · 办理中" in page
        response = client.post(f"/cases/{late_case.number}/urge/", follow=True)
        page = response.content.decode()
        assert "已催办：经办机构的负责人已收到提醒。" in page
        assert "今天已催办，每个工作日可催办一次。" in page
        english = client.get(f"/cases/{late_case.number}/", HTTP_ACCEPT_LANGUAGE="en")
        assert "4 working days past the deadline" in english.content.decode()


def test_the_notification_log_names_the_event(client, late_case, carol, olga):
    with time_machine.travel(at("2025-03-21 09:00")):
        case_urge(number=late_case.number, by=carol)
    notifications_dispatch(now=at("2025-03-21 09:01"))
    client.force_login(olga)
    with time_machine.travel(at("2025-03-21 10:00")):
        page = client.get("/desk/supervision/notifications/").content.decode()
        english = client.get("/desk/supervision/notifications/", HTTP_ACCEPT_LANGUAGE="en")
    assert "申请人催办" in page and "case.urged" not in page and "case.accepted" not in page
    assert "Reminder from the applicant" in english.content.decode()
