"""帮办代办 over the API: agent points, clerks acting as agents there, a person's contact data
changed only with their confirmation (an SMS code to the number on record), special groups,
home visits from the request to done, and the figures that count them."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from conftest import INSTANT_ITEM, PROMISED_FORM, PROMISED_ITEM, _user, authorise
from tongban.api.tests.conftest import error
from tongban.audit.models import AuditEntry
from tongban.cases.models import Case, HomeVisit
from tongban.lib.identifiers import synthetic_resident_id
from tongban.offices.models import AgentPoint, Office
from tongban.people.codes import CODE_TRIES
from tongban.people.models import Applicant, Role
from tongban.people.services import applicant_by_number

PERSON = {
    "id_number": synthetic_resident_id(region="371522", birth=date(1948, 6, 1), seq=7),
    "name": "周爷爷", "phone": "13700000077", "insured_region": "371522",
}  # fmt: skip
APPLY = {"item": PROMISED_ITEM, "channel": "window", "materials": ["M1", "M2", "M3", "M4"],
         "form": PROMISED_FORM, "as_agent": True,
         "applicant": {"id_number": PERSON["id_number"], "name": PERSON["name"],
                       "insured_region": "371522"}}  # fmt: skip


@pytest.fixture
def market(city):
    return AgentPoint.objects.create(
        office=Office.objects.get(code="371522"), code="DD-T-01", name="燕店集市代办点",
        kind=AgentPoint.Kind.MARKET, address="燕店镇集贸市场", hours="集日 8:00–12:00",
    )  # fmt: skip


@pytest.fixture
def point_clerk(market):
    user = _user("pia", Role.CLERK, "371522")
    user.agent_point = market
    user.save(update_fields=["agent_point"])
    return user


@pytest.fixture
def point_agent(market, dave):
    dave.agent_point = market
    dave.save(update_fields=["agent_point"])
    return dave


def _code(sms_outbox) -> str:
    return re.search(r"验证码 (\d{6})", sms_outbox[-1]["text"]).group(1)


# --- Agent points and clerks acting as agents ------------------------------------------------


def test_agent_points_are_listed_by_office_for_anyone(api, market, point_agent):
    AgentPoint.objects.create(office=Office.objects.get(code="371581"), code="DD-T-02",
                              name="烟店代办点", kind="market", address="烟店", hours="每日")  # fmt: skip
    AgentPoint.objects.create(office=market.office, code="DD-T-03", name="停用", kind="other",
                              address="-", hours="-", active=False)  # fmt: skip
    body = api().get("/api/v1/agent-points", {"office": "371522"}).json()
    assert [p["code"] for p in body["results"]] == ["DD-T-01"]
    assert body["results"][0] == {
        "code": "DD-T-01", "name": "燕店集市代办点", "kind": "market", "office": "371522",
        "office_name": "莘县医疗保障局", "address": "燕店镇集贸市场", "hours": "集日 8:00–12:00",
        "phone": "", "agents": 1,
    }  # fmt: skip
    everywhere = api().get("/api/v1/agent-points", {"office": "371500"}).json()  # the city: all
    assert [p["code"] for p in everywhere["results"]] == ["DD-T-01", "DD-T-02"]


def test_a_clerk_at_an_agent_point_applies_as_an_agent_only_under_an_authorisation(
    api, point_clerk, market
):
    Applicant.objects.filter(pk=authorise(PERSON, point_clerk).applicant_id)  # made at a window
    response = api(point_clerk).post("/api/v1/cases", APPLY)
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    assert (case.agent, case.agent_point, case.channel) == (point_clerk, market, "window")
    assert case.authorisation.agent == point_clerk
    assert response.json()["agent"] == "pia" and response.json()["agent_point"] == "DD-T-01"


def test_a_clerk_at_an_agent_point_without_an_authorisation_is_refused(api, point_clerk):
    Applicant.objects.create(kind="person", id_number=PERSON["id_number"], name=PERSON["name"],
                             insured_region=Office.objects.get(code="371522"))  # fmt: skip
    response = api(point_clerk).post("/api/v1/cases", APPLY)
    assert (response.status_code, error(response)["code"]) == (403, "authorisation_missing")
    assert not Case.objects.exists()


def test_only_a_clerk_at_an_agent_point_may_apply_as_an_agent(api, alice):
    response = api(alice).post("/api/v1/cases", APPLY)
    assert response.status_code == 400
    assert (error(response)["code"], error(response)["field"]) == ("not_at_agent_point", "as_agent")


def test_a_case_records_the_agent_point_it_came_through(api, point_agent):
    authorise(PERSON, point_agent)
    response = api(point_agent).post("/api/v1/cases", {**APPLY, "channel": "web", "as_agent": False})
    assert response.status_code == 201, response.content
    assert response.json()["agent_point"] == "DD-T-01"
    case = Case.objects.get(number=response.json()["number"])
    assert case.agent_point.code == "DD-T-01" and case.agent == point_agent


def test_a_clerk_may_be_named_the_agent_only_when_stationed_at_an_agent_point(alice, point_clerk):
    from tongban.lib.errors import InvalidInput

    authorise(PERSON, point_clerk)  # stationed: fine
    with pytest.raises(InvalidInput) as refused:
        authorise(PERSON, alice)
    assert refused.value.code == "unknown_agent"


# --- Contact data changed with the person's confirmation -------------------------------------


def test_an_agent_changes_the_phone_with_the_code_sent_to_the_number_on_record(
    api, dave, sms_outbox
):
    authorise(PERSON, dave)
    sent = api(dave).post("/api/v1/applicants/contact-code",
                          {"id_number": PERSON["id_number"], "phone": "13900000099"})  # fmt: skip
    assert sent.status_code == 200, sent.content
    assert sent.json() == {"sent_to": "137****0077"}
    assert sms_outbox[-1]["phone"] == "13700000077"  # the old number, never the new one
    assert "联系电话改为 139****0099" in sms_outbox[-1]["text"]  # it says what it confirms
    new = {**APPLY["applicant"], "phone": "13900000099", "contact_code": _code(sms_outbox)}
    response = api(dave).post("/api/v1/cases", {**APPLY, "channel": "web", "as_agent": False,
                                                "applicant": new})  # fmt: skip
    assert response.status_code == 201, response.content
    assert Applicant.objects.get(pk=Case.objects.get().applicant_id).phone == "13900000099"
    change = AuditEntry.objects.get(event="people.applicant_updated")
    assert change.data["confirmed"] == "sms_code" and change.user == dave


def test_without_the_code_an_agent_changes_nothing(api, dave):
    authorise(PERSON, dave)
    new = {**APPLY["applicant"], "phone": "13900000099"}
    response = api(dave).post("/api/v1/cases", {**APPLY, "channel": "web", "as_agent": False,
                                                "applicant": new})  # fmt: skip
    assert (response.status_code, error(response)["code"]) == (400, "contact_change_not_allowed")
    assert Applicant.objects.get().phone == PERSON["phone"] and not Case.objects.exists()


def test_wrong_codes_count_although_the_application_is_undone(api, alice, sms_outbox):
    Applicant.objects.create(kind="person", id_number=PERSON["id_number"], name=PERSON["name"],
                             phone=PERSON["phone"], insured_region=Office.objects.get(code="371522"))  # fmt: skip
    api(alice).post("/api/v1/applicants/contact-code",
                    {"id_number": PERSON["id_number"], "phone": "13900000099"})  # fmt: skip
    right = _code(sms_outbox)
    wrong = "000000" if right != "000000" else "111111"
    body = {**APPLY, "as_agent": False,
            "applicant": {**APPLY["applicant"], "phone": "13900000099", "contact_code": wrong}}
    for _ in range(CODE_TRIES):
        response = api(alice).post("/api/v1/cases", body)
        assert (response.status_code, error(response)["code"]) == (400, "invalid_code")
    body["applicant"]["contact_code"] = right  # too late: the code is spent
    assert error(api(alice).post("/api/v1/cases", body))["code"] == "invalid_code"
    assert Applicant.objects.get().phone == PERSON["phone"] and not Case.objects.exists()


def test_a_clerk_confirms_a_change_by_code_when_the_person_is_not_at_the_window(
    api, alice, sms_outbox
):
    Applicant.objects.create(kind="person", id_number=PERSON["id_number"], name=PERSON["name"],
                             phone=PERSON["phone"], insured_region=Office.objects.get(code="371522"))  # fmt: skip
    api(alice).post("/api/v1/applicants/contact-code",
                    {"id_number": PERSON["id_number"], "insured_region": "371581"})  # fmt: skip
    code = _code(sms_outbox)
    other = {**APPLY["applicant"], "insured_region": "371502", "contact_code": code}
    response = api(alice).post("/api/v1/cases", {**APPLY, "as_agent": False, "applicant": other})
    assert error(response)["code"] == "invalid_code"  # the code confirms 临清, not another
    body = {**APPLY, "as_agent": False,
            "applicant": {**APPLY["applicant"], "insured_region": "371581", "contact_code": code}}
    assert api(alice).post("/api/v1/cases", body).status_code == 201
    assert Applicant.objects.get().insured_region.code == "371581"


def test_a_code_goes_only_to_a_mobile_number_on_record_and_only_for_staff_and_agents(
    api, alice, carol, sms_outbox
):
    Applicant.objects.create(kind="person", id_number=PERSON["id_number"], name=PERSON["name"],
                             phone="0635-7123456", insured_region=Office.objects.get(code="371522"))  # fmt: skip
    new = {"id_number": PERSON["id_number"], "phone": "13900000099"}
    response = api(alice).post("/api/v1/applicants/contact-code", new)
    assert (response.status_code, error(response)["code"]) == (400, "no_mobile_on_record")
    response = api(carol).post("/api/v1/applicants/contact-code", new)
    assert (response.status_code, error(response)["code"]) == (403, "contact_code_forbidden")
    unknown = synthetic_resident_id(region="371522", birth=date(1950, 1, 1), seq=9)
    response = api(alice).post("/api/v1/applicants/contact-code", {**new, "id_number": unknown})
    assert (response.status_code, error(response)["code"]) == (404, "applicant_not_found")
    unchanged = {"id_number": PERSON["id_number"], "phone": "0635-7123456"}
    response = api(alice).post("/api/v1/applicants/contact-code", unchanged)
    assert (response.status_code, error(response)["code"]) == (400, "no_contact_change")
    assert sms_outbox == []


def test_an_agent_gets_codes_only_for_who_authorised_them(api, dave, carol_applicant, sms_outbox):
    # Unknown and not authorised read alike: an agent cannot probe who is on record.
    unknown = synthetic_resident_id(region="371522", birth=date(1950, 1, 1), seq=9)
    for number in (carol_applicant.id_number, unknown):
        response = api(dave).post("/api/v1/applicants/contact-code",
                                  {"id_number": number, "phone": "13900000099"})  # fmt: skip
        assert (response.status_code, error(response)) == (404, {
            "code": "applicant_not_found", "message": "没有该证件号码的申请人记录"})
    assert sms_outbox == []


def test_a_code_confirms_one_record_only(api, alice, sms_outbox):
    # Two people share a phone (an elderly couple): the code sent for one changes nothing of
    # the other.
    region = Office.objects.get(code="371522")
    Applicant.objects.create(kind="person", id_number=PERSON["id_number"], name=PERSON["name"],
                             phone=PERSON["phone"], insured_region=region)  # fmt: skip
    spouse = synthetic_resident_id(region="371522", birth=date(1949, 1, 1), seq=8)
    Applicant.objects.create(kind="person", id_number=spouse, name="周奶奶", phone=PERSON["phone"],
                             insured_region=region)  # fmt: skip
    api(alice).post("/api/v1/applicants/contact-code",
                    {"id_number": PERSON["id_number"], "phone": "13900000099"})  # fmt: skip
    hers = {"id_number": spouse, "name": "周奶奶", "insured_region": "371522",
            "phone": "13900000099", "contact_code": _code(sms_outbox)}  # fmt: skip
    response = api(alice).post("/api/v1/cases", {**APPLY, "as_agent": False, "applicant": hers})
    assert error(response)["code"] == "invalid_code"
    assert applicant_by_number(spouse).phone == PERSON["phone"]


# --- Special groups ----------------------------------------------------------------------------


def test_a_clerk_records_the_special_groups_and_every_case_shows_them(api, alice, carol_applicant, carol):
    number = carol_applicant.id_number
    response = api(alice).post("/api/v1/applicants/groups", {
        "id_number": number, "disability_certificate": number + "42", "left_behind": True,
    })  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json() == {"groups": ["disabled", "left_behind"]}
    case = api(carol).post("/api/v1/cases", {"item": INSTANT_ITEM, "channel": "web",
                                             "materials": ["M1"]}).json()  # fmt: skip
    assert case["applicant"]["groups"] == ["disabled", "left_behind"]
    entry = AuditEntry.objects.get(event="people.groups_set")
    assert entry.data["after"] == ["disabled", "left_behind"] and number not in str(entry.data)


@pytest.mark.parametrize("given, field", [
    ({"disability_certificate": "X"}, "disability_certificate"),
    ({"disability_certificate": "{other}42"}, "disability_certificate"),
    ({"disability_certificate": "{own}82"}, "disability_certificate"),  # no category 8
    ({"disability_certificate": "{own}15"}, "disability_certificate"),  # no grade 5
    ({"in_need": True}, "in_need_note"),
])  # fmt: skip
def test_bad_group_records_are_refused_naming_the_field(api, alice, carol_applicant, given, field):
    other = synthetic_resident_id(region="371522", birth=date(1950, 1, 1), seq=9)
    given = {k: v.format(own=carol_applicant.id_number, other=other) if isinstance(v, str) else v
             for k, v in given.items()}  # fmt: skip
    response = api(alice).post("/api/v1/applicants/groups", {"id_number": carol_applicant.id_number, **given})
    assert response.status_code == 400 and error(response)["field"] == field
    assert Applicant.objects.get(pk=carol_applicant.pk).groups == []


def test_only_a_clerk_records_special_groups(api, dave, carol_applicant):
    response = api(dave).post("/api/v1/applicants/groups",
                              {"id_number": carol_applicant.id_number, "left_behind": True})  # fmt: skip
    assert (response.status_code, error(response)["code"]) == (403, "groups_forbidden")


# --- Home visits ---------------------------------------------------------------------------------


def test_a_home_visit_from_the_request_to_done(api, carol, bob, market, point_agent, vera):
    # carol (insured in 临清) lives in 莘县 now: she asks the 莘县 office to come.
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    asked = api(carol).post("/api/v1/home-visits", {
        "address": "莘县燕店镇西街 3 号", "phone": "13500000001", "preferred_date": tomorrow,
        "preferred_period": "morning", "items": [PROMISED_ITEM], "office": "371522",
        "note": "腿脚不便",
    })  # fmt: skip
    assert asked.status_code == 201, asked.content
    visit = asked.json()
    assert (visit["status"], visit["office"], visit["channel"], visit["items"]) == (
        "requested", "371522", "web", [PROMISED_ITEM])
    url = f"/api/v1/home-visits/{visit['id']}"
    clerk = _user("kai", Role.CLERK, "371522")
    assert api(bob).get(url).status_code == 404  # another office's staff
    assert api(clerk).get(url).json()["phone"] == "135****0001"  # staff see it masked
    sent = api(clerk).post(url + "/assign", {"agent": "dave"})
    assert sent.status_code == 200, sent.content
    assert (sent.json()["status"], sent.json()["agent"], sent.json()["agent_point"]) == (
        "assigned", "dave", "DD-T-01")
    queue = api(point_agent).get("/api/v1/home-visits").json()["results"]
    assert [v["id"] for v in queue] == [visit["id"]] and queue[0]["phone"] == "13500000001"
    refused = api(point_agent).post(url + "/close", {"done": False})
    assert (refused.status_code, error(refused)["field"]) == (400, "note")  # say why
    done = api(point_agent).post(url + "/close", {"done": True, "note": "已代为提交门诊费用报销"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    again = api(clerk).post(url + "/cancel", {})
    assert (again.status_code, error(again)["code"]) == (409, "visit_closed")
    assert api(carol).get(url).json()["outcome_note"] == "已代为提交门诊费用报销"
    events = list(AuditEntry.objects.filter(event__startswith="visit.").order_by("seq").values_list("event", flat=True))
    assert events == ["visit.requested", "visit.assigned", "visit.closed"]
    figures = api(vera).get("/api/v1/stats/assistance").json()
    assert figures["visits"]["done"] == 1
    assert figures["agents"] == [{"agent": "dave", "name": "dave", "agent_point": "DD-T-01",
                                  "received": 0, "completed": 0, "visits_done": 1}]  # fmt: skip


def test_a_visit_is_refused_an_agent_of_another_area_and_a_bad_date(api, alice, carol, city):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    base = {"address": "莘县", "phone": "13500000001", "preferred_date": tomorrow, "office": "371522"}
    visit = api(carol).post("/api/v1/home-visits", base).json()
    far = _user("fay", Role.AGENT, "371581")
    response = api(alice).post(f"/api/v1/home-visits/{visit['id']}/assign", {"agent": far.username})
    assert (response.status_code, error(response)["code"]) == (400, "agent_out_of_area")
    for day in (timezone.localdate() - timedelta(days=1), timezone.localdate() + timedelta(days=61)):
        response = api(carol).post("/api/v1/home-visits", {**base, "preferred_date": day.isoformat()})
        assert (response.status_code, error(response)["field"]) == (400, "preferred_date")
    assert HomeVisit.objects.count() == 1


def test_a_clerk_records_a_phoned_request_and_the_person_cancels(api, alice, carol):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    person = {"id_number": carol.applicant.id_number, "name": carol.applicant.name, "insured_region": "371581"}
    response = api(alice).post("/api/v1/home-visits", {
        "address": "莘县", "phone": "13500000001", "preferred_date": tomorrow, "channel": "phone",
        "applicant": person,
    })  # fmt: skip
    assert response.status_code == 201, response.content
    assert (response.json()["channel"], response.json()["office"]) == ("phone", "371522")
    url = f"/api/v1/home-visits/{response.json()['id']}/cancel"
    assert api(carol).post(url, {"note": "已自行办理"}).json()["status"] == "cancelled"


# --- Figures -----------------------------------------------------------------------------------


def test_the_figures_count_cases_by_agent_point_and_by_agent(api, point_agent, point_clerk, vera, olga, alice):
    from tongban.stats.selectors import Figures, Period

    authorise(PERSON, point_agent)
    authorise(PERSON, point_clerk)
    for _ in range(2):
        assert api(point_agent).post("/api/v1/cases", {**APPLY, "channel": "web", "as_agent": False}).status_code == 201
    assert api(point_clerk).post("/api/v1/cases", APPLY).status_code == 201
    # At the point but not as an agent: through the point, not assisted.
    plain = {**APPLY, "as_agent": False, "applicant": {**APPLY["applicant"], "identity_shown": True}}
    assert api(point_clerk).post("/api/v1/cases", plain).status_code == 201
    assert api(alice).post("/api/v1/cases", plain).status_code == 201  # a window of its own
    body = api(vera).get("/api/v1/stats/assistance").json()
    assert body["totals"] == {"received": 5, "assisted": 3, "at_agent_point": 4}
    assert [(p["code"], p["received"], p["assisted"], p["in_progress"]) for p in body["agent_points"]] == [
        ("DD-T-01", 4, 3, 4)]
    assert sorted((a["agent"], a["received"]) for a in body["agents"]) == [("dave", 2), ("pia", 1)]
    # A county supervisor: the cases their office handles, as on the dashboard (dave's online
    # cases wait in the city-wide intake), and every case of their agent points.
    county = api(olga).get("/api/v1/stats/assistance").json()
    assert county["office"] == "371522"
    assert county["totals"] == {"received": 3, "assisted": 1, "at_agent_point": 2}
    assert [(p["code"], p["received"]) for p in county["agent_points"]] == [("DD-T-01", 4)]
    assert [(a["agent"], a["received"]) for a in county["agents"]] == [("pia", 1)]
    today = timezone.localdate()
    summary = Figures(Period(today, today)).summary()
    assert (summary["assisted"], summary["at_agent_point"]) == (3, 4)
    assert api(alice).get("/api/v1/stats/assistance").status_code == 403


# --- What a review of #13 found ---------------------------------------------------------------


def test_an_unverified_account_sees_and_cancels_no_visit_of_the_person(api, alice, carol):
    """Sign-up links an account to a record by number and name alone: until the identity
    service confirms it, the person's visits (address, phone) are not theirs to see."""
    from tongban.cases.visits import visit_request

    person = {"id_number": carol.applicant.id_number, "name": carol.applicant.name}
    visit = visit_request(by=alice, channel="phone", applicant=person, address="莘县燕店镇",
                          phone="13500000001", preferred_date=timezone.localdate() + timedelta(days=1))  # fmt: skip
    carol.verified_at = None  # an account that only claims to be hers
    carol.save(update_fields=["verified_at"])
    client = api(carol)
    assert client.get("/api/v1/home-visits").json()["results"] == []
    assert client.get(f"/api/v1/home-visits/{visit.pk}").status_code == 404
    assert client.post(f"/api/v1/home-visits/{visit.pk}/cancel", {}).status_code == 404
    assert HomeVisit.objects.get().status == "requested"


def test_a_clerks_visit_request_changes_nothing_on_a_known_record(api, alice, carol):
    """A visit is not an application: the person's record stays as it is, whatever phone or
    region the call gave (before, identity_shown on a phone call changed both)."""
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    person = {"id_number": carol.applicant.id_number, "name": carol.applicant.name,
              "insured_region": "371502", "phone": "13999999999"}  # fmt: skip
    response = api(alice).post("/api/v1/home-visits", {
        "address": "莘县", "phone": "13500000001", "preferred_date": tomorrow, "channel": "phone",
        "applicant": person,
    })  # fmt: skip
    assert response.status_code == 201, response.content
    record = Applicant.objects.get(pk=carol.applicant_id)
    assert (record.phone, record.insured_region.code) == ("13500000001", "371581")
    refused = api(alice).post("/api/v1/home-visits", {
        "address": "莘县", "phone": "13500000001", "preferred_date": tomorrow, "channel": "phone",
        "applicant": {**person, "name": "别人"},
    })  # fmt: skip
    assert error(refused)["code"] == "id_name_mismatch"


def test_a_clerk_who_applied_as_the_agent_does_not_decide_a_colleague_does(api, point_clerk, alice):
    authorise(PERSON, point_clerk)
    number = api(point_clerk).post("/api/v1/cases", APPLY).json()["number"]
    own = api(point_clerk).post(f"/api/v1/cases/{number}/actions/accept", {})
    assert (own.status_code, error(own)["code"]) == (403, "own_agency")
    case = api(point_clerk).get(f"/api/v1/cases/{number}").json()
    assert "accept" not in case["actions"] and case["status"] == "submitted"
    accepted = api(alice).post(f"/api/v1/cases/{number}/actions/accept", {})
    assert accepted.status_code == 200, accepted.content
