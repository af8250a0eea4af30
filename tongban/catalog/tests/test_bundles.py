"""一件事 in the catalog: the administrator defines a bundle in the admin and sees its merged
form; items that cannot share one form are refused; catalog_seed seeds the bundles, again
without change."""

import pytest
from django.utils import timezone

from tongban.catalog.models import Bundle, ServiceItem
from tongban.catalog.seed import catalog_seed
from tongban.catalog.services import bundle_spec, catalog_item_save

pytestmark = pytest.mark.django_db


def _items(*codes):
    return [ServiceItem.objects.get(code=c).pk for c in codes]


def test_the_admin_saves_a_bundle_and_shows_its_merged_form(admin_client, city):
    response = admin_client.post("/admin/catalog/bundle/add/", {
        "code": "T-CLAIMS", "name": "门诊住院一起报", "description": "", "items": _items("YB07019", "YB07020"),
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    bundle = Bundle.objects.get(code="T-CLAIMS")
    page = admin_client.get(f"/admin/catalog/bundle/{bundle.pk}/change/").content.decode()
    assert "收款银行账号（bank_account，必填）: YB07019、YB07020" in page
    assert "B01 医保电子凭证或有效身份证件或社保卡: YB07019 M1、YB07020 M1" in page


def test_the_admin_refuses_items_whose_fields_cannot_merge(admin_client, city):
    item = ServiceItem.objects.get(code="YB07020")
    current = item.versions.order_by("-number").first()
    data = {k: getattr(current, k) for k in ("handling_type", "legal_days", "promised_days", "channels",
                                             "citywide", "applicant_kinds", "materials", "steps", "form")}
    data["form"] = [{"name": "amount", "label": "金额说明", "type": "text", "required": False}]
    catalog_item_save(code=item.code, name=item.name, category=item.category, home_office=city,
                      version=data, effective_from=timezone.localdate())  # fmt: skip
    response = admin_client.post("/admin/catalog/bundle/add/", {
        "code": "T-BAD", "name": "冲突", "description": "", "items": _items("YB07019", "YB07020"),
    })  # fmt: skip
    assert response.status_code == 200
    assert "不能合并为一个字段" in response.content.decode()
    assert not Bundle.objects.filter(code="T-BAD").exists()


def test_the_seed_makes_the_bundles_once(city):
    seeded = {b.code: sorted(b.items.values_list("code", flat=True)) for b in Bundle.objects.all()}
    assert seeded == {"NYS001": ["NY001", "NY002", "NY003"], "YBS001": ["YB01001", "YB01002"],
                      "YBS002": ["YB01003", "YB08022"]}  # fmt: skip
    catalog_seed()
    assert Bundle.objects.count() == 3
    assert bundle_spec(Bundle.objects.get(code="YBS001")).applicant_kinds == ["employer"]
