"""一件事 on the portal: one form and one upload per material for every item of a bundle; the
bundle's page with its status, one supplement for all, withdrawing it."""

import pytest

from conftest import PROMISED_FORM
from tongban.cases.models import Attachment, BundleApplication, Status
from tongban.cases.services import bundle_apply, bundle_request_supplement

from .samples import pdf_bytes, upload

pytestmark = pytest.mark.django_db
APPLY = "/bundles/apply/T-CLAIMS/"


@pytest.fixture
def claims(city):
    """门诊 + 住院费用报销: the identity document and the invoice are asked by both."""
    from tongban.catalog.models import Bundle, ServiceItem

    bundle = Bundle.objects.create(code="T-CLAIMS", name="门诊住院一起报")
    bundle.items.set(ServiceItem.objects.filter(code__in=["YB07019", "YB07020"]))
    return bundle


def _post(client, codes=("B01", "B02", "B03", "B04", "B05", "B06")):
    data = {"idempotency_key": "bk-1", "form_amount": PROMISED_FORM["amount"],
            "form_bank_account": PROMISED_FORM["bank_account"]}  # fmt: skip
    for code in codes:
        data[f"material_{code}"] = upload(f"{code}.pdf", pdf_bytes())
    return client.post(APPLY, data)


def test_the_bundles_page_lists_the_seeded_bundles(client, city):
    html = client.get("/bundles/").content.decode()
    assert "企业开办医保参保一件事" in html and "新生儿出生医保一件事" in html


def test_one_form_one_upload_per_material_filed_under_every_item_that_needs_it(carol_client, claims):
    page = carol_client.get(APPLY).content.decode()
    assert page.count('name="form_amount"') == 1 and page.count("医院收费票据") == 1
    response = _post(carol_client)
    assert response.status_code == 302, response.content.decode()[:1500]
    application = BundleApplication.objects.get()
    assert response["Location"] == f"/bundles/{application.number}/"
    assert application.cases.count() == 2
    # B01 (identity) and B02 (invoice) are both items' M1 and M2: one upload, filed twice
    assert Attachment.objects.filter(case__bundle_application=application).count() == 8
    html = carol_client.get(response["Location"]).content.decode()
    assert "待受理" in html and all(c.number in html for c in application.cases.all())
    case_page = carol_client.get(f"/cases/{application.cases.first().number}/").content.decode()
    assert f"/bundles/{application.number}/" in case_page


def test_one_supplement_resumes_every_case_then_withdrawing_withdraws_all(carol_client, carol, claims, alice):
    # the page asks for every main material; handed in short, e.g. through the API
    application, _ = bundle_apply(bundle=claims, channel="web", submitted_by=carol,
                                  materials=["B01", "B03"], form=PROMISED_FORM)  # fmt: skip
    bundle_request_supplement(number=application.number, actor=alice)
    html = carol_client.get(f"/bundles/{application.number}/").content.decode()
    assert "部分办件待补正" in html and "一次提交全部补正材料" in html
    files = {f"material_{c}": upload(f"{c}.pdf", pdf_bytes()) for c in ("B02", "B04", "B05", "B06")}
    done = carol_client.post(f"/bundles/{application.number}/supplement/", files)
    assert done.status_code == 302, done.content.decode()[:1500]
    assert set(application.cases.values_list("status", flat=True)) == {Status.SUBMITTED}
    assert carol_client.post(f"/bundles/{application.number}/withdraw/").status_code == 302
    assert set(application.cases.values_list("status", flat=True)) == {Status.WITHDRAWN}


def test_someone_elses_bundle_is_not_found(client, carol_client, claims, city):
    assert _post(carol_client).status_code == 302
    number = BundleApplication.objects.get().number
    from conftest import _user
    from tongban.people.models import Applicant, Role

    other = Applicant.objects.exclude(pk=BundleApplication.objects.get().applicant_id).first()
    client.force_login(_user("olive", Role.APPLICANT, applicant=other))
    assert client.get(f"/bundles/{number}/").status_code == 404
