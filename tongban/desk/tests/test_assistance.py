"""帮办代办 on the desk: home visits recorded, sent and closed; special groups marked on the case
page and shown on every queue row; a clerk at an agent point applying as an agent; a contact
code sent from the window form; the figures page."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from conftest import INSTANT_ITEM, _user, authorise, submit
from tongban.cases.models import Case, HomeVisit, Status
from tongban.desk.tests.conftest import window_data
from tongban.lib.identifiers import synthetic_resident_id
from tongban.offices.models import AgentPoint, Office
from tongban.people.models import Applicant, Role

NUMBER = synthetic_resident_id(region="371522", birth=date(1939, 2, 2), seq=4)


@pytest.fixture
def market(city):
    return AgentPoint.objects.create(office=Office.objects.get(code="371522"), code="DD-T-01",
                                     name="燕店集市代办点", kind="market", address="燕店镇",
                                     hours="集日")  # fmt: skip


def _visit_form(**changes):
    return {"channel": "phone", "id_number": NUMBER, "name": "吴奶奶", "insured_region": "371522",
            "address": "莘县燕店镇南街 5 号", "phone": "13700000055",
            "preferred_date": (timezone.localdate() + timedelta(days=1)).isoformat(),
            "preferred_period": "morning", "items": [INSTANT_ITEM], "note": "卧床", **changes}  # fmt: skip


def test_a_visit_is_recorded_sent_and_closed_on_the_desk(client, alice, dave, market):
    dave.agent_point = market
    dave.save(update_fields=["agent_point"])
    client.force_login(alice)
    response = client.post("/desk/visits/", _visit_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    visit = HomeVisit.objects.get()
    assert (visit.channel, visit.office.code, visit.applicant.name) == ("phone", "371522", "吴奶奶")
    page = client.get("/desk/visits/").content.decode()
    assert "吴奶奶" in page and "长者" in page and "137****0055" in page and "派单" in page
    assert client.post(f"/desk/visits/{visit.pk}/assign/", {"agent": "dave"}).status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.agent, visit.agent_point) == ("assigned", dave, market)
    client.force_login(dave)
    queue = client.get("/desk/visits/").content.decode()
    assert "13700000055" in queue and "已办理" in queue  # the agent sent calls ahead
    client.post(f"/desk/visits/{visit.pk}/close/", {"done": "0", "note": ""})
    assert HomeVisit.objects.get().status == "assigned"  # not done needs a reason
    client.post(f"/desk/visits/{visit.pk}/close/", {"done": "1", "note": "已上门受理"})
    assert HomeVisit.objects.get().status == "done"


def test_a_bad_visit_form_keeps_what_was_typed_and_stores_nothing(client, alice):
    client.force_login(alice)
    past = (timezone.localdate() - timedelta(days=3)).isoformat()
    response = client.post("/desk/visits/", _visit_form(preferred_date=past))
    assert response.status_code == 400
    page = response.content.decode()
    assert "希望上门日期应在今天到" in page and "莘县燕店镇南街 5 号" in page
    assert not HomeVisit.objects.exists()


def test_special_groups_are_marked_on_the_case_page_and_shown_on_queue_rows(client, alice, carol):
    case = submit(carol, item=INSTANT_ITEM, materials=("M1",))
    client.force_login(alice)
    number = carol.applicant.id_number
    bad = client.post(f"/desk/cases/{case.number}/groups/", {"disability_certificate": "123"})
    assert bad.status_code == 400 and "残疾人证号应为" in bad.content.decode()
    good = client.post(f"/desk/cases/{case.number}/groups/",
                       {"disability_certificate": number + "11", "in_need": "on", "in_need_note": "低保"})  # fmt: skip
    assert good.status_code == 302
    assert Applicant.objects.get(pk=carol.applicant_id).groups == ["disabled", "in_need"]
    queue = client.get("/desk/?scope=intake").content.decode()
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Carol(?:(?!</tr>).)*</tr>", queue, re.S).group(0)
    assert "残疾人" in row and "困难群众" in row
    assert "残疾人" in client.get(f"/desk/cases/{case.number}/").content.decode()


def test_a_clerk_at_an_agent_point_applies_as_the_persons_agent(client, market, new_person_id):
    pia = _user("pia", Role.CLERK, "371522")
    pia.agent_point = market
    pia.save(update_fields=["agent_point"])
    person = {"id_number": new_person_id, "name": "测试申请人", "phone": "13800000000",
              "insured_region": "371522"}  # fmt: skip
    authorise(person, pia)
    client.force_login(pia)
    page = client.get(f"/desk/apply/{INSTANT_ITEM}/").content.decode()
    assert "代办点代办" in page
    response = client.post(f"/desk/apply/{INSTANT_ITEM}/", window_data(new_person_id, as_agent="on"))
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get()
    assert (case.agent, case.agent_point) == (pia, market)
    # 回避: submitted, not decided by the agent; a colleague at the office accepts it.
    assert case.status == Status.SUBMITTED
    page = client.get(response["Location"]).content.decode()
    assert "由本机构其他受理员受理" in page and 'id="act-accept"' not in page


def test_a_clerk_elsewhere_has_no_agent_box(client, alice):
    client.force_login(alice)
    assert "代办点代办" not in client.get(f"/desk/apply/{INSTANT_ITEM}/").content.decode()


def test_the_window_form_sends_the_code_and_keeps_what_was_typed(client, alice, carol, sms_outbox):
    client.force_login(alice)
    data = window_data(carol.applicant.id_number, name=carol.applicant.name, phone="13911112222",
                       send_contact_code="1")  # fmt: skip
    response = client.post(f"/desk/apply/{INSTANT_ITEM}/", data, follow=True)
    page = response.content.decode()
    assert "验证码已发送至 135****0001" in page and "13911112222" in page
    assert sms_outbox[-1]["phone"] == "13500000001" and not Case.objects.exists()
    code = re.search(r"验证码 (\d{6})", sms_outbox[-1]["text"]).group(1)
    data.pop("send_contact_code")
    response = client.post(f"/desk/apply/{INSTANT_ITEM}/", {**data, "contact_code": code})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Applicant.objects.get(pk=carol.applicant_id).phone == "13911112222"


def test_the_figures_page_counts_by_agent_point_and_agent(client, olga, vera, dave, market, carol):
    dave.agent_point = market
    dave.save(update_fields=["agent_point"])
    authorise(carol.applicant, dave)
    submit(dave, item=INSTANT_ITEM, materials=("M1",), applicant=carol.applicant)
    client.force_login(olga)  # the county: its agent point's cases, wherever they are handled
    page = client.get("/desk/stats/assistance/").content.decode()
    assert "燕店集市代办点" in page and "这段时间没有代办员办件" in page  # online, in the intake
    client.force_login(vera)
    page = client.get("/desk/stats/assistance/").content.decode()
    assert "燕店集市代办点" in page and "dave" in page
    assert client.get("/desk/stats/assistance/?from=nonsense").status_code == 200  # said, not 500


def test_the_case_page_never_shows_the_certificate_in_clear(client, alice, carol):
    """The 残疾人证 number holds the ID number: masked on the page, kept when the form is saved
    without it, removed only when asked."""
    case = submit(carol, item=INSTANT_ITEM, materials=("M1",))
    number = carol.applicant.id_number
    client.force_login(alice)
    client.post(f"/desk/cases/{case.number}/groups/", {"disability_certificate": number + "23"})
    page = client.get(f"/desk/cases/{case.number}/").content.decode()
    assert number not in page and number + "23" not in page
    assert Applicant.objects.get(pk=carol.applicant_id).masked_certificate in page
    client.post(f"/desk/cases/{case.number}/groups/", {"left_behind": "on"})  # no number given
    kept = Applicant.objects.get(pk=carol.applicant_id)
    assert kept.disability_certificate == number + "23" and kept.left_behind
    client.post(f"/desk/cases/{case.number}/groups/", {"remove_certificate": "on"})
    assert Applicant.objects.get(pk=carol.applicant_id).groups == []
