"""帮办代办 on the portal: anyone finds the agent points of a county; a person asks for a home
visit, follows it and calls it off."""

from datetime import timedelta

from django.utils import timezone

from tongban.cases.models import HomeVisit
from tongban.offices.models import AgentPoint, Office


def test_anyone_finds_the_agent_points_of_a_county(client, city):
    shen, lin = Office.objects.get(code="371522"), Office.objects.get(code="371581")
    AgentPoint.objects.create(office=shen, code="DD-1", name="燕店集市代办点", kind="market",
                              address="燕店镇集贸市场", hours="逢二、七集日")  # fmt: skip
    AgentPoint.objects.create(office=lin, code="DD-2", name="烟店代办点", kind="market",
                              address="烟店镇", hours="每日")  # fmt: skip
    AgentPoint.objects.create(office=shen, code="DD-3", name="已撤点", kind="other",
                              address="-", hours="-", active=False)  # fmt: skip
    page = client.get("/agent-points/").content.decode()
    assert "燕店集市代办点" in page and "烟店代办点" in page and "已撤点" not in page
    assert "逢二、七集日" in page
    one = client.get("/agent-points/?office=371581").content.decode()
    assert "烟店代办点" in one and "燕店集市代办点" not in one


def test_a_person_asks_for_a_visit_and_calls_it_off(client, carol):
    client.force_login(carol)
    form = client.get("/visits/").content.decode()
    assert 'value="371581" selected' in form  # their insured region, to start with
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post("/visits/", {
        "office": "371522", "address": "莘县燕店镇西街 3 号", "phone": "13500000001",
        "preferred_date": tomorrow, "preferred_period": "afternoon", "note": "行动不便",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    visit = HomeVisit.objects.get()
    assert (visit.office.code, visit.channel, visit.requested_by) == ("371522", "web", carol)
    listed = client.get("/visits/").content.decode()
    assert "莘县燕店镇西街 3 号" in listed and "待派单" in listed
    client.post(f"/visits/{visit.pk}/cancel/")
    assert HomeVisit.objects.get().status == "cancelled"


def test_a_bad_visit_request_keeps_what_was_typed(client, carol):
    client.force_login(carol)
    response = client.post("/visits/", {"office": "371522", "address": "莘县燕店镇西街 3 号",
                                        "phone": "13500000001", "preferred_date": "2020-01-01",
                                        "preferred_period": "any"})  # fmt: skip
    assert response.status_code == 400
    assert "莘县燕店镇西街 3 号" in response.content.decode() and not HomeVisit.objects.exists()


def test_someone_elses_visit_is_not_found(client, carol):
    from conftest import _user
    from tongban.cases.visits import visit_request
    from tongban.people.models import Role

    erin = _user("erin", Role.APPLICANT)

    visit = visit_request(by=carol, address="莘县", phone="13500000001",
                          preferred_date=timezone.localdate() + timedelta(days=1))  # fmt: skip
    client.force_login(erin)
    assert client.post(f"/visits/{visit.pk}/cancel/").status_code == 404
    assert "莘县" not in client.get("/visits/").content.decode().split("我的上门服务")[1]
