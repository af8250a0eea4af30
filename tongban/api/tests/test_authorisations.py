"""委托书 over the API: an agent acts only for who authorised them, for the items authorised,
while the authorisation is in force; every refusal says which, and nothing changes."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import PROMISED_FORM, PROMISED_ITEM, _user, authorise
from tongban.api.tests.conftest import error
from tongban.audit.models import AuditEntry
from tongban.cases.models import Authorisation, Case
from tongban.lib.identifiers import synthetic_resident_id
from tongban.people.models import Role
from tongban.portal.tests.samples import pdf_bytes

URL = "/api/v1/authorisations"
PERSON = {
    "id_number": synthetic_resident_id(region="371522", birth=date(1944, 2, 3), seq=5),
    "name": "王奶奶", "phone": "13700000044", "insured_region": "371522",
}  # fmt: skip
APPLY = {"item": PROMISED_ITEM, "channel": "web", "materials": ["M1", "M2", "M3", "M4"],
         "form": PROMISED_FORM, "applicant": {"id_number": PERSON["id_number"], "name": "王奶奶",
                       "insured_region": "371522"}}  # fmt: skip


def _apply(api, agent):
    return api(agent).post("/api/v1/cases", APPLY)


def _letter(content=None):
    return SimpleUploadedFile("委托书.pdf", content or pdf_bytes("letter"), "application/pdf")


@pytest.fixture
def other_agent(city):
    return _user("gina", Role.AGENT, "371522")


def test_an_agent_applies_and_follows_under_an_authorisation_in_force(api, dave):
    authorise(PERSON, dave, items=[PROMISED_ITEM])
    response = _apply(api, dave)
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    assert case.agent == dave and case.authorisation.agent == dave
    assert response.json()["agent"] == "dave"  # both the applicant and the agent, everywhere
    assert response.json()["applicant"]["name"] == "王奶奶"
    assert api(dave).get(f"/api/v1/cases/{case.number}").status_code == 200
    assert [c["number"] for c in api(dave).get("/api/v1/cases").json()["results"]] == [case.number]


@pytest.mark.parametrize("how, code", [
    ("none", "authorisation_missing"),
    ("other_applicant", "authorisation_missing"),
    ("other_agent", "authorisation_missing"),
    ("expired", "authorisation_expired"),
    ("future", "authorisation_not_yet_valid"),
    ("revoked", "authorisation_revoked"),
    ("other_item", "authorisation_out_of_scope"),
])  # fmt: skip
def test_an_agent_without_a_valid_authorisation_is_refused_with_the_reason(
    api, dave, other_agent, carol, how, code
):
    today = timezone.localdate()
    match how:
        case "other_applicant":
            authorise(carol.applicant, dave)
            authorise(PERSON, other_agent)
        case "other_agent":
            authorise(PERSON, other_agent)
        case "expired":
            with time_machine.travel(today - timedelta(days=40)):
                authorise(PERSON, dave, days=30)
        case "future":
            authorise(PERSON, dave, valid_from=today + timedelta(days=3))
        case "revoked":
            a = authorise(PERSON, dave)
            from tongban.cases.authorisations import authorisation_revoke

            authorisation_revoke(authorisation=a, by=a.made_by)
        case "other_item":
            authorise(PERSON, dave, items=["YB01003"])
    response = _apply(api, dave)
    assert response.status_code == 403, response.content
    assert error(response)["code"] == code
    assert not Case.objects.exists()


def test_revoking_ends_following_and_acting_with_the_reason(api, dave, carol_applicant):
    person = authorise(PERSON, dave).applicant
    number = _apply(api, dave).json()["number"]
    person_user = _user("wang", Role.APPLICANT, applicant=person)
    (listed,) = api(person_user).get(URL).json()["results"]
    assert (listed["agent"], listed["state"], listed["items"]) == ("dave", "in_force", [])
    revoked = api(person_user).post(f"{URL}/{listed['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    for response in (api(dave).get(f"/api/v1/cases/{number}"),
                     api(dave).post(f"/api/v1/cases/{number}/actions/withdraw")):  # fmt: skip
        assert response.status_code == 403 and error(response)["code"] == "authorisation_revoked"
    assert api(dave).get("/api/v1/cases").json()["results"] == []
    assert Case.objects.get(number=number).status == "submitted"  # the withdrawal changed nothing
    assert api(person_user).post(f"{URL}/{listed['id']}/revoke").status_code == 409
    # The person follows the case themselves throughout.
    assert api(person_user).get(f"/api/v1/cases/{number}").status_code == 200
    assert AuditEntry.objects.filter(event="authorisation.revoked", user=person_user).exists()


def test_a_clerk_makes_one_at_the_window_over_multipart(api, alice, dave):
    body = {"applicant_id_number": PERSON["id_number"], "applicant_name": "王奶奶",
            "applicant_phone": PERSON["phone"], "applicant_region": "371522", "agent": "dave",
            "items": [PROMISED_ITEM, "YB01003"], "valid_from": timezone.localdate().isoformat(),
            "valid_to": (timezone.localdate() + timedelta(days=90)).isoformat(), "letter": _letter(),
            "identities_checked": "true"}  # fmt: skip
    response = api(alice).post(URL, body, format="multipart")
    assert response.status_code == 201, response.content
    made = response.json()
    assert (made["channel"], made["made_by"], made["items"]) == ("window", "alice", ["YB01003", PROMISED_ITEM])
    assert made["applicant"]["name"] == "王奶奶" and "*" in made["applicant"]["masked_id"]
    assert _apply(api, dave).status_code == 201
    entry = AuditEntry.objects.get(event="authorisation.made")
    assert entry.username == "alice" and entry.data["agent"] == "dave"


@pytest.mark.parametrize("change, code, field", [
    ({"identities_checked": "false"}, "identities_not_checked", "identities_checked"),
    ({"agent": "alice"}, "unknown_agent", "agent"),
    ({"items": ["YB99999"]}, "unknown_item", "items"),
    ({"valid_to": "2020-01-01", "valid_from": "2019-01-01"}, "invalid_period", "valid_to"),
    ({"letter": SimpleUploadedFile("x.pdf", b"MZ not a pdf", "application/pdf")},
     "file_type_not_allowed", "letter"),
])  # fmt: skip
def test_bad_input_names_the_field_and_stores_nothing(api, alice, dave, change, code, field):
    body = {"applicant_id_number": PERSON["id_number"], "applicant_name": "王奶奶",
            "applicant_region": "371522", "agent": "dave", "valid_from": timezone.localdate().isoformat(),
            "valid_to": (timezone.localdate() + timedelta(days=90)).isoformat(), "letter": _letter(),
            "identities_checked": "true", **change}  # fmt: skip
    response = api(alice).post(URL, body, format="multipart")
    assert response.status_code == 400, response.content
    assert (error(response)["code"], error(response).get("field")) == (code, field)
    assert not Authorisation.objects.exists()


def test_an_applicant_authorises_for_themselves_and_nobody_else_can(api, carol, dave, rita):
    body = {"agent": "dave", "valid_from": timezone.localdate().isoformat(),
            "valid_to": (timezone.localdate() + timedelta(days=30)).isoformat(), "letter": _letter()}  # fmt: skip
    response = api(carol).post(URL, body, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["channel"] == "web"
    refused = api(rita).post(URL, {**body, "letter": _letter()}, format="multipart")
    assert refused.status_code == 403 and error(refused)["code"] == "authorisation_forbidden"
    assert api(rita).get(URL).json()["results"] == []
    assert api(dave).get(URL).json()["count"] == 1  # the agent sees theirs
    assert api(carol).post(URL, {"agent": "dave"}).status_code == 415  # JSON: multipart only


def test_an_agent_cannot_change_the_persons_contact_data(api, dave):
    authorise(PERSON, dave)
    response = api(dave).post("/api/v1/cases", {
        **APPLY, "applicant": {**APPLY["applicant"], "phone": "13999999999"}})  # fmt: skip
    assert response.status_code == 400
    assert error(response)["code"] == "contact_change_not_allowed"
    assert not Case.objects.exists()
