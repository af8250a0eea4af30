"""POST /api/v1/bundle-applications: one form, one linked case per item, all or none."""

import pytest

from conftest import INSTANT_ITEM, PROMISED_FORM, PROMISED_ITEM
from tongban.cases.models import BundleApplication, Case
from tongban.catalog.models import Bundle, ServiceItem

from .conftest import error

pytestmark = pytest.mark.django_db

URL = "/api/v1/bundle-applications"
BODY = {
    "bundle": "B-CLINIC",
    "channel": "web",
    "materials": {INSTANT_ITEM: ["M1"], PROMISED_ITEM: ["M1", "M2", "M3", "M4"]},
    "forms": {PROMISED_ITEM: PROMISED_FORM},
}


@pytest.fixture
def bundle(city):
    bundle = Bundle.objects.create(code="B-CLINIC", name="参保并报销", description="两件事一次办")
    bundle.items.set(ServiceItem.objects.filter(code__in=[INSTANT_ITEM, PROMISED_ITEM]))
    return bundle


def test_one_form_makes_one_linked_case_per_item(api, bundle, carol):
    response = api(carol).post(URL, BODY, headers={"Idempotency-Key": "b-1"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("B371500-")
    assert body["bundle"] == "B-CLINIC"
    assert [c["item"]["code"] for c in body["cases"]] == [INSTANT_ITEM, PROMISED_ITEM]
    assert all(c["number"].startswith("371500-") for c in body["cases"])
    assert all(c["status"] == "submitted" and len(c["history"]) == 1 for c in body["cases"])
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
        ({"forms": {PROMISED_ITEM: {"amount": "lots", "bank_account": "1"}}}, "invalid_form",
         f"forms.{PROMISED_ITEM}.amount"),
        ({"forms": {PROMISED_ITEM: {}}}, "invalid_form", f"forms.{PROMISED_ITEM}.amount"),
        ({"materials": {INSTANT_ITEM: ["M7"]}}, "unknown_material", f"materials.{INSTANT_ITEM}"),
        ({"materials": {"YB01001": ["M1"]}}, "unknown_item", "materials"),
        ({"materials": [INSTANT_ITEM]}, "invalid", "materials"),
        ({"forms": {PROMISED_ITEM: "x"}}, "invalid", f"forms.{PROMISED_ITEM}"),
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
