"""POST /api/v1/cases: applying, and every kind of bad input refused with nothing created."""

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from conftest import INSTANT_ITEM, PROMISED_FORM, PROMISED_ITEM, authorise
from tongban.cases.models import Case
from tongban.catalog.models import ItemVersion
from tongban.lib.identifiers import synthetic_resident_id, synthetic_uscc
from tongban.people.models import Applicant

from .conftest import error

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases"
ONLINE = {"item": PROMISED_ITEM, "channel": "web", "materials": ["M1", "M2", "M3", "M4"],
          "form": PROMISED_FORM}  # fmt: skip
NEW_PERSON = {
    "id_number": synthetic_resident_id(region="371522", birth=date(1948, 5, 4), seq=3),
    "name": "张大爷",
    "phone": "13900000009",
    "insured_region": "371522",
}


def test_carol_applies_online(api, carol):
    response = api(carol).post(URL, ONLINE, headers={"Idempotency-Key": "k-1"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("371500-")
    assert response["Location"] == f"/api/v1/cases/{body['number']}"
    assert "Idempotent-Replayed" not in response
    assert (body["status"], body["result"], body["channel"]) == ("submitted", None, "web")
    assert body["item"] == {"code": PROMISED_ITEM, "name": "门诊费用报销", "version": 1}
    assert body["applicant"]["name"] == "Carol 王"
    assert body["applicant"]["kind"] == "person"
    assert "*" in body["applicant"]["masked_id"]
    assert carol.applicant.id_number not in json.dumps(body)
    assert body["insured_region"] == "371581"
    assert body["accepting_office"] is None and body["handling_office"] is None
    assert body["submitted_at"].endswith("+08:00")
    assert body["accepted_at"] is None and body["completed_at"] is None
    assert body["deadline"] is None and body["deadline_provisional"] is False
    assert body["supplied_materials"] == ["M1", "M2", "M3", "M4"]
    assert body["missing_materials"] == []
    assert body["form"] == PROMISED_FORM
    assert body["version"] == 1
    assert body["step"] is None
    assert body["actions"] == ["withdraw"]
    assert [(h["action"], h["from"], h["to"], h["actor"]) for h in body["history"]] == [
        ("submit", None, "submitted", "carol")
    ]


def test_a_replay_with_the_same_key_returns_the_first_case(api, carol):
    client = api(carol)
    first = client.post(URL, ONLINE, headers={"Idempotency-Key": "k-1"})
    again = client.post(URL, ONLINE, headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1
    other = client.post(URL, ONLINE, headers={"Idempotency-Key": "k-2"})
    assert other.json()["number"] != first.json()["number"]


def test_an_agent_applies_for_a_person_who_authorised_them(api, dave):
    authorise(NEW_PERSON, dave)
    response = api(dave).post(URL, {**ONLINE, "applicant": NEW_PERSON})
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    assert (case.agent, case.submitted_by, case.applicant.name) == (dave, dave, "张大爷")
    assert case.insured_region.code == "371522"
    assert response.json()["actions"] == ["withdraw"]


def test_an_employer_applies_through_an_agent(api, dave):
    employer = {"id_number": synthetic_uscc(region="371522", seq=7), "name": "莘县某医药公司",
                "insured_region": "371522", "kind": "employer"}  # fmt: skip
    authorise(employer, dave, items=["YB01001"])
    response = api(dave).post(
        URL, {"item": "YB01001", "channel": "mobile", "materials": ["M1", "M2"],
              "applicant": employer},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["applicant"]["kind"] == "employer"


def test_an_instant_item_at_the_window_is_finished_at_once(api, alice, rita):
    client = api(alice)
    response = client.post(URL, {"item": INSTANT_ITEM, "channel": "window", "office": "371522",
                                 "materials": ["M1"], "applicant": NEW_PERSON})  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("371522-")
    assert body["handling_office"] == "371522"
    assert body["actions"] == ["accept", "reject", "request_supplement", "withdraw"]
    accepted = client.post(f"{URL}/{body['number']}/actions/accept")
    assert accepted.status_code == 200, accepted.content
    done = accepted.json()
    assert (done["status"], done["result"]) == ("completed", "approved")
    assert done["completed_at"].endswith("+08:00")
    assert done["accepting_office"] == "371522"
    assert [h["action"] for h in done["history"]] == ["submit", "accept", "approve"]


def test_a_window_application_without_office_is_the_clerks_own(api, alice, carol_applicant):
    applicant = {"id_number": carol_applicant.id_number, "name": carol_applicant.name,
                 "insured_region": "371581"}  # fmt: skip
    response = api(alice).post(
        URL, {"item": INSTANT_ITEM, "channel": "window", "materials": ["M1"],
              "applicant": applicant},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["handling_office"] == "371522"
    assert Applicant.objects.count() == 1  # the same person, found by number


# --- Bad input: (who, body, headers) -> (status, code, field); nothing is created ----------

WRONG_CHECK_DIGIT = NEW_PERSON["id_number"][:17] + (
    "0" if NEW_PERSON["id_number"][17] != "0" else "1"
)
FUTURE_BIRTH = synthetic_resident_id(region="371522", birth=date(2020, 1, 1))[:6] + (
    (timezone.localdate() + timedelta(days=400)).strftime("%Y%m%d") + "0010"
)
IMPOSSIBLE_BIRTH = "37152219700231" + "0010"
BAD_USCC = synthetic_uscc(region="371522", seq=7)[:17] + "0"
if BAD_USCC == synthetic_uscc(region="371522", seq=7):
    BAD_USCC = BAD_USCC[:17] + "1"


def _person(**changes):
    return {**ONLINE, "applicant": {**NEW_PERSON, **changes}}


BAD_INPUT = [
    # (id, user, body, status, code, field)
    ("id-check-digit", "dave", _person(id_number=WRONG_CHECK_DIGIT), 400, "id_number_checksum",
     "applicant.id_number"),
    ("id-impossible-birth", "dave", _person(id_number=IMPOSSIBLE_BIRTH), 400,
     "id_number_birth_date", "applicant.id_number"),
    ("id-future-birth", "dave", _person(id_number=FUTURE_BIRTH), 400, "id_number_future_birth",
     "applicant.id_number"),
    ("uscc-check-char", "dave",
     {"item": "YB01001", "channel": "web", "materials": ["M1", "M2"],
      "applicant": {"id_number": BAD_USCC, "name": "某公司", "insured_region": "371522",
                    "kind": "employer"}}, 400, "uscc_checksum", "applicant.id_number"),
    ("unknown-region", "alice", {**_person(insured_region="999999"), "channel": "window",
                                 "office": "371522"}, 400, "unknown_region", "applicant.insured_region"),
    ("applicant-not-object", "dave", {**ONLINE, "applicant": "张大爷"}, 400, "invalid",
     "applicant"),
    ("applicant-missing-for-agent", "dave", ONLINE, 400, "invalid", "applicant"),
    ("applicant-missing-name", "dave",
     {**ONLINE, "applicant": {k: v for k, v in NEW_PERSON.items() if k != "name"}}, 400,
     "invalid", "applicant.name"),
    ("applicant-unknown-field", "dave", _person(email="x@example.com"), 400, "unknown_field",
     "applicant.email"),
    ("applicant-given-by-applicant", "carol", _person(), 400, "applicant_not_allowed",
     "applicant"),
    ("unknown-item", "carol", {**ONLINE, "item": "YB99999"}, 400, "unknown_item", "item"),
    ("suspended-item", "carol", {**ONLINE, "item": "YB11031"}, 400, "item_suspended", "item"),
    ("missing-item", "carol", {k: v for k, v in ONLINE.items() if k != "item"}, 400, "invalid",
     "item"),
    ("missing-channel", "carol", {k: v for k, v in ONLINE.items() if k != "channel"}, 400,
     "invalid", "channel"),
    ("unknown-channel", "carol", {**ONLINE, "channel": "fax"}, 400, "invalid", "channel"),
    ("wrong-applicant-kind", "carol", {**ONLINE, "item": "YB01001", "materials": ["M1"],
                                       "form": {}}, 400, "applicant_kind_not_allowed",
     "applicant"),
    ("office-for-online", "carol", {**ONLINE, "office": "371522"}, 400, "invalid", "office"),
    ("unknown-office", "alice",
     {"item": INSTANT_ITEM, "channel": "window", "office": "999999", "materials": ["M1"],
      "applicant": NEW_PERSON}, 400, "unknown_office", "office"),
    ("other-office", "alice",
     {"item": INSTANT_ITEM, "channel": "window", "office": "371581", "materials": ["M1"],
      "applicant": NEW_PERSON}, 400, "wrong_office", "office"),
    ("materials-not-list", "carol", {**ONLINE, "materials": "M1"}, 400, "invalid", "materials"),
    ("materials-not-codes", "carol", {**ONLINE, "materials": [{"code": "M1"}]}, 400, "invalid",
     "materials[0]"),
    ("unknown-material", "carol", {**ONLINE, "materials": ["M1", "M9"]}, 400, "unknown_material",
     "materials"),
    ("form-not-object", "carol", {**ONLINE, "form": ["amount"]}, 400, "invalid", "form"),
    ("form-unknown-field", "carol", {**ONLINE, "form": {**PROMISED_FORM, "colour": "red"}}, 400,
     "invalid_form", "form.colour"),
    ("form-missing-field", "carol", {**ONLINE, "form": {"amount": "12"}}, 400, "invalid_form",
     "form.bank_account"),
    ("form-mistyped-field", "carol", {**ONLINE, "form": {**PROMISED_FORM, "amount": "lots"}},
     400, "invalid_form", "form.amount"),
    ("unknown-body-field", "carol", {**ONLINE, "priority": "high"}, 400, "unknown_field",
     "priority"),
    ("body-not-object", "carol", [ONLINE], 400, "invalid", None),
    ("reviewer-may-not-apply", "rita", {**ONLINE, "applicant": NEW_PERSON}, 403,
     "online_applicants_only", None),
    ("window-is-for-clerks", "carol",
     {"item": INSTANT_ITEM, "channel": "window", "materials": ["M1"]},
     403, "window_clerks_only", None),
    ("agent-unauthorised", "dave", {**ONLINE, "applicant": NEW_PERSON}, 403,
     "authorisation_missing", None),
]  # fmt: skip


@pytest.mark.parametrize(
    "who, body, status, code, field", [row[1:] for row in BAD_INPUT], ids=[r[0] for r in BAD_INPUT]
)
def test_bad_input_is_refused_naming_the_field_and_creates_nothing(
    api, request, alice, carol, dave, rita, who, body, status, code, field
):
    user = request.getfixturevalue(who)
    applicants = Applicant.objects.count()
    response = api(user).post(URL, body, headers={"Idempotency-Key": "bad-1"})
    assert response.status_code == status, response.content
    err = error(response)
    assert err["code"] == code
    assert err.get("field") == field
    if field:
        assert field.split(".")[-1].split("[")[0] in err["message"] or code != "invalid"
    assert Case.objects.count() == 0
    assert Applicant.objects.count() == applicants


def test_a_channel_the_item_does_not_allow(api, carol):
    ItemVersion.objects.filter(item__code=PROMISED_ITEM).update(channels=["window"])
    response = api(carol).post(URL, ONLINE)
    assert response.status_code == 400
    assert (error(response)["code"], error(response)["field"]) == ("channel_not_allowed", "channel")
    assert not Case.objects.exists()


def test_a_too_long_idempotency_key(api, carol):
    response = api(carol).post(URL, ONLINE, headers={"Idempotency-Key": "k" * 101})
    assert response.status_code == 400
    assert error(response)["field"] == "Idempotency-Key"
    assert not Case.objects.exists()


def test_a_body_over_one_mebibyte_is_413(api, carol):
    body = {**ONLINE, "form": {"note": "x" * (1024 * 1024)}}
    response = api(carol).post(URL, body)
    assert response.status_code == 413
    assert error(response)["code"] == "body_too_large"
    assert not Case.objects.exists()


def test_malformed_json_is_400(api, carol):
    response = api(carol).post(URL, '{"item": "YB07019",', content_type="application/json")
    assert response.status_code == 400
    assert error(response)["code"] == "malformed_json"


def test_a_form_encoded_body_is_415(api, carol):
    response = api(carol).post(URL, {"item": PROMISED_ITEM}, format="multipart")
    assert response.status_code == 415
    assert error(response)["code"] == "unsupported_media_type"
