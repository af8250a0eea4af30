"""POST /api/v1/bundle-applications: one form, one linked case per item, all or none."""

import pytest

from conftest import INSTANT_ITEM, PROMISED_FORM, PROMISED_ITEM
from tongban.cases.models import BundleApplication, Case
from tongban.cases.services import bundle_apply
from tongban.catalog.models import Bundle, ServiceItem

from .conftest import error

pytestmark = pytest.mark.django_db

URL = "/api/v1/bundle-applications"
# B01 有效身份证件 (城乡居民参保登记); B02–B05 门诊费用报销's M1–M4
BODY = {
    "bundle": "B-CLINIC",
    "channel": "web",
    "materials": ["B01", "B02", "B03", "B04", "B05"],
    "form": PROMISED_FORM,
}


@pytest.fixture
def bundle(city):
    bundle = Bundle.objects.create(code="B-CLINIC", name="参保并报销", description="两件事一次办")
    bundle.items.set(ServiceItem.objects.filter(code__in=[INSTANT_ITEM, PROMISED_ITEM]))
    return bundle


def test_the_bundle_list_gives_the_merged_form_and_materials(api, bundle):
    body = api().get("/api/v1/bundles").json()
    clinic = next(b for b in body["results"] if b["code"] == "B-CLINIC")
    assert [f["name"] for f in clinic["form"]] == ["note", "amount", "bank_account"]
    assert clinic["materials"][0] == {"code": "B01", "name": "有效身份证件", "form": "original",
                                      "secondary": False, "items": {INSTANT_ITEM: "M1"}}  # fmt: skip
    assert {b["code"] for b in body["results"]} >= {"YBS001", "YBS002", "NYS001"}  # seeded


def test_one_form_makes_one_linked_case_per_item(api, bundle, carol):
    response = api(carol).post(URL, BODY, headers={"Idempotency-Key": "b-1"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("B371500-")
    assert body["bundle"] == "B-CLINIC"
    assert [c["item"]["code"] for c in body["cases"]] == [INSTANT_ITEM, PROMISED_ITEM]
    assert all(c["number"].startswith("371500-") for c in body["cases"])
    assert all(c["status"] == "submitted" and len(c["history"]) == 1 for c in body["cases"])
    assert body["status"]["state"] == "submitted" and [n["kind"] for n in body["notices"]] == ["receipt"]
    application = BundleApplication.objects.get(number=body["number"])
    assert application.cases.count() == 2
    assert response["Location"] == f"/api/v1/cases/{body['cases'][0]['number']}"


def test_a_replay_returns_the_first_application(api, bundle, carol):
    client = api(carol)
    first = client.post(URL, BODY, headers={"Idempotency-Key": "b-1"})
    again = client.post(URL, BODY, headers={"Idempotency-Key": "b-1"})
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 2


@pytest.mark.parametrize(
    "changes, code, field",
    [
        ({"bundle": "B-NONE"}, "unknown_bundle", "bundle"),
        ({"form": {"amount": "lots", "bank_account": "6222020200112233445"}}, "invalid_form", "form.amount"),
        ({"form": {}}, "invalid_form", "form.amount"),
        ({"form": {**PROMISED_FORM, "colour": "red"}}, "invalid_form", "form.colour"),
        ({"materials": ["M7"]}, "unknown_material", "materials"),
        ({"materials": {INSTANT_ITEM: ["M1"]}}, "invalid", "materials"),
        ({"form": "x"}, "invalid", "form"),
        ({"channel": "fax"}, "invalid", "channel"),
        ({"office": "371522"}, "invalid", "office"),
        ({"extra": 1}, "unknown_field", "extra"),
    ],
)  # fmt: skip
def test_a_bad_application_creates_nothing(api, bundle, carol, changes, code, field):
    response = api(carol).post(URL, {**BODY, **changes})
    assert response.status_code == 400, response.content
    assert (error(response)["code"], error(response).get("field")) == (code, field)
    assert not Case.objects.exists() and not BundleApplication.objects.exists()


def test_a_suspended_item_in_the_bundle_refuses_the_whole_application(api, bundle, carol):
    ServiceItem.objects.filter(code=PROMISED_ITEM).update(status="suspended")
    response = api(carol).post(URL, BODY)
    assert response.status_code == 400
    assert (error(response)["code"], error(response)["field"]) == ("item_suspended", "bundle")
    assert not Case.objects.exists()


def _applied(api, carol, **changes) -> str:
    response = api(carol).post(URL, {**BODY, **changes})
    assert response.status_code == 201, response.content
    return response.json()["number"]


def test_the_applicant_and_the_clerk_follow_the_bundle_others_do_not_find_it(api, bundle, carol, alice, bob):
    number = _applied(api, carol)
    assert api(carol).get(f"{URL}/{number}").json()["status"]["total"] == 2
    assert api(alice).get(f"{URL}/{number}").status_code == 200  # in the intake
    accepted = api(alice).post(f"{URL}/{number}/accept", {})
    assert accepted.status_code == 200, accepted.content
    body = accepted.json()
    assert body["office"] == "371522" and body["status"]["state"] == "in_progress"
    assert [c["status"] for c in body["cases"]] == ["completed", "accepted"]
    assert api(bob).get(f"{URL}/{number}").status_code == 404
    assert api(bob).post(f"{URL}/{number}/withdraw", {}).status_code == 404
    assert api().get(f"{URL}/{number}").status_code == 401


def test_one_supplement_then_supplementing_once_then_accepting(api, bundle, carol, alice):
    number = _applied(api, carol, materials=["B03"])
    refused = api(alice).post(f"{URL}/{number}/accept", {})
    assert refused.status_code == 400 and error(refused)["code"] == "main_materials_missing"
    asked = api(alice).post(f"{URL}/{number}/request-supplement", {"reason": "请补齐"})
    assert asked.status_code == 200, asked.content
    body = asked.json()
    assert body["status"]["state"] == "awaiting_supplement"
    supplement = next(n for n in body["notices"] if n["kind"] == "supplement")
    pdf = api(carol).get(supplement["url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    done = api(carol).post(f"{URL}/{number}/supplement", {"materials": ["B01", "B02", "B04", "B05"]})
    assert done.status_code == 200 and done.json()["status"]["state"] == "submitted"
    assert api(alice).post(f"{URL}/{number}/accept", {}).status_code == 200


def test_withdrawing_the_bundle_withdraws_every_open_case(api, bundle, carol):
    number = _applied(api, carol)
    response = api(carol).post(f"{URL}/{number}/withdraw", {"reason": "不办了"})
    assert response.status_code == 200, response.content
    assert response.json()["status"]["state"] == "withdrawn"
    again = api(carol).post(f"{URL}/{number}/withdraw", {})
    assert again.status_code == 409


def test_the_applicant_may_not_accept_their_own_bundle(api, bundle, carol):
    number = _applied(api, carol)
    response = api(carol).post(f"{URL}/{number}/accept", {})
    assert response.status_code == 403


def test_the_api_gives_bundle_figures_to_supervisors_only(api, bundle, alice, carol, carol_applicant, olga, vera):
    _applied(api, carol)
    bundle_apply(bundle=bundle, channel="window", submitted_by=alice, applicant=carol_applicant,
                 materials=BODY["materials"], form=PROMISED_FORM)  # fmt: skip
    city = api(vera).get("/api/v1/stats/bundles", {"preset": "this_year"}).json()
    assert (city["office"], city["received"], city["cases"]) == (None, 2, 4)
    assert city["bundles"][0]["code"] == "B-CLINIC"
    county = api(olga).get("/api/v1/stats/bundles").json()  # a county supervisor: their office's
    assert (county["office"], county["received"]) == ("371522", 1)
    assert api(alice).get("/api/v1/stats/bundles").status_code == 403


def test_each_follows_the_bundles_that_are_theirs_in_one_list(api, bundle, carol, alice, bob):
    first, second = _applied(api, carol), _applied(api, carol)
    body = api(carol).get(URL).json()
    assert body["count"] == 2 and [b["number"] for b in body["results"]] == [second, first]
    row = body["results"][0]
    assert row["bundle"] == "B-CLINIC" and row["status"]["state"] == "submitted"
    assert len(row["case_numbers"]) == 2 and row["url"] == f"{URL}/{second}"
    assert api(alice).get(URL).json()["count"] == 0  # in the intake: not yet the office's
    assert api(alice).post(f"{URL}/{first}/accept", {}).status_code == 200
    assert [b["number"] for b in api(alice).get(URL).json()["results"]] == [first]
    assert api(bob).get(URL).json()["count"] == 0  # another office
    assert api().get(URL).status_code == 401
    assert error(api(carol).get(URL, {"page": 0}))["field"] == "page"


def test_the_clerk_refuses_the_whole_bundle_with_one_reason(api, bundle, carol, alice):
    number = _applied(api, carol)
    without = api(alice).post(f"{URL}/{number}/reject", {})
    assert without.status_code == 400 and error(without)["field"] == "reason"
    assert api(carol).post(f"{URL}/{number}/reject", {"reason": "不符合条件"}).status_code == 403
    response = api(alice).post(f"{URL}/{number}/reject", {"reason": "不属于受理范围"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [c["status"] for c in body["cases"]] == ["rejected", "rejected"]
    assert body["status"]["state"] == "finished"
    refusals = [n for c in Case.objects.filter(bundle_application__number=number)
                for n in c.notices.filter(kind="refusal")]  # fmt: skip
    assert len(refusals) == 2  # each item's own notice, with its remedies
    again = api(alice).post(f"{URL}/{number}/reject", {"reason": "不属于受理范围"})
    assert again.status_code == 409
