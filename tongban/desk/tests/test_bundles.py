"""一件事 at the desk: the window applies for a bundle with one form and decides for every item
at once; the bundle's page shows its status and takes its actions."""

from datetime import date

import pytest

from conftest import PROMISED_FORM
from tongban.cases.models import BundleApplication, BundleNotice, Case, Status
from tongban.cases.services import bundle_apply
from tongban.catalog.models import Bundle
from tongban.lib.identifiers import synthetic_resident_id

from .conftest import window_data

pytestmark = pytest.mark.django_db
URL = "/desk/bundles/apply/YBS002/"  # 城乡居民参保登记 + 生育医疗费支付


def data(decision="accept", **overrides):
    fields = {"materials": ["B01", "B02", "B03", "B04", "B05"], "form_note": "新生儿 王小宝",
              "form_amount": PROMISED_FORM["amount"], "form_bank_account": PROMISED_FORM["bank_account"],
              **overrides}  # fmt: skip
    return window_data(synthetic_resident_id(region="371522", birth=date(1990, 5, 1)), decision=decision,
                       **fields)  # fmt: skip


def test_the_bundles_page_lists_the_seeded_bundles(client, alice):
    client.force_login(alice)
    page = client.get("/desk/bundles/")
    assert page.status_code == 200
    assert "新生儿出生医保一件事" in page.content.decode() and "农资门店开办一件事" in page.content.decode()


def test_the_window_applies_with_one_form_and_accepts_every_item_in_one_step(client, alice):
    client.force_login(alice)
    form = client.get(URL).content.decode()
    assert form.count('name="form_note"') == 1 and "B05" in form
    response = client.post(URL, data())
    assert response.status_code == 302, response.content.decode()[:2000]
    application = BundleApplication.objects.get()
    assert response["Location"] == f"/desk/bundles/{application.number}/"
    statuses = list(application.cases.order_by("item__code").values_list("status", flat=True))
    assert statuses == [Status.COMPLETED, Status.ACCEPTED]
    page = client.get(response["Location"]).content.decode()
    assert "审核中" in page and all(c.number in page for c in application.cases.all())
    case_page = client.get(f"/desk/cases/{application.cases.first().number}/").content.decode()
    assert f"/desk/bundles/{application.number}/" in case_page


def test_missing_materials_get_one_supplement_notice_at_the_window(client, alice):
    client.force_login(alice)
    response = client.post(URL, data("request_supplement", materials=["B03"], reason="请补齐"))
    assert response.status_code == 302
    application = BundleApplication.objects.get()
    assert application.notices.filter(kind=BundleNotice.Kind.SUPPLEMENT).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "部分办件待补正" in page and "补正材料已收齐" in page
    done = client.post(f"/desk/bundles/{application.number}/supplement/",
                       {"materials": ["B01", "B02", "B04", "B05"]})  # fmt: skip
    assert done.status_code == 302
    assert set(application.cases.values_list("status", flat=True)) == {Status.SUBMITTED}


def test_an_acceptance_refused_leaves_nothing_and_says_why(client, alice):
    client.force_login(alice)
    response = client.post(URL, data(materials=["B03"]))
    assert response.status_code == 400
    assert "主要材料不齐" in response.content.decode()
    assert not BundleApplication.objects.exists() and not Case.objects.exists()


def test_a_clerk_claims_an_online_bundle_whole_and_another_office_does_not_see_it(client, alice, bob, carol):
    application, _ = bundle_apply(bundle=Bundle.objects.get(code="YBS002"), channel="web", submitted_by=carol,
                                  materials=["B01", "B02", "B03", "B04", "B05"], form={"note": "x", **PROMISED_FORM})  # fmt: skip
    client.force_login(alice)
    assert client.post(f"/desk/bundles/{application.number}/claim/").status_code == 302
    assert set(application.cases.values_list("owner", flat=True)) == {alice.pk}
    client.force_login(bob)
    assert client.get(f"/desk/bundles/{application.number}/").status_code == 404


def test_the_intake_shows_a_bundles_cases_together_with_its_number(client, alice, carol):
    application, _ = bundle_apply(bundle=Bundle.objects.get(code="YBS002"), channel="web", submitted_by=carol,
                                  materials=["B01", "B02", "B03", "B04", "B05"], form={"note": "x", **PROMISED_FORM})  # fmt: skip
    client.force_login(alice)
    html = client.get("/desk/", {"scope": "intake"}).content.decode()
    numbers = [c.number for c in application.cases.order_by("pk")]
    assert html.count(f"/desk/bundles/{application.number}/") == 2
    assert html.index(numbers[0]) < html.index(numbers[1])


def test_the_clerk_refuses_a_whole_bundle_and_the_reason_is_required(client, alice, carol):
    application, _ = bundle_apply(bundle=Bundle.objects.get(code="YBS002"), channel="web", submitted_by=carol,
                                  materials=["B01", "B02", "B03", "B04", "B05"], form={"note": "x", **PROMISED_FORM})  # fmt: skip
    client.force_login(alice)
    assert client.post(f"/desk/bundles/{application.number}/claim/").status_code == 302
    page = client.get(f"/desk/bundles/{application.number}/").content.decode()
    assert "整件不予受理" in page
    action = f"/desk/bundles/{application.number}/reject/"
    refused = client.post(action, {"reason": ""}, follow=True).content.decode()
    assert "不予受理必须写明理由" in refused
    assert set(application.cases.values_list("status", flat=True)) == {Status.SUBMITTED}
    assert client.post(action, {"reason": "材料不属实"}).status_code == 302
    assert set(application.cases.values_list("status", flat=True)) == {Status.REJECTED}
