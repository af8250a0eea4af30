import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import PROMISED_ITEM
from tongban.catalog.models import Agreement, Bundle, ItemVersion, ServiceItem
from tongban.catalog.selectors import item_version_current

pytestmark = pytest.mark.django_db

BASE = "/admin/catalog/serviceitem/"


def _xlsx(data: bytes, name="catalog.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_the_item_list_shows_the_limits_in_force(admin_client, city):
    r = admin_client.get(BASE)
    assert r.status_code == 200
    body = r.content.decode()
    assert PROMISED_ITEM in body and "门诊费用报销" in body
    assert f"{BASE}import/" in body and f"{BASE}export/" in body


@pytest.mark.parametrize("query", ["?handling_type=instant", "?citywide=1", "?status=suspended",
                                   "?q=报销", "?o=5"])  # fmt: skip
def test_the_item_list_filters(admin_client, city, query):
    assert admin_client.get(BASE + query).status_code == 200


def test_the_instant_filter_keeps_instant_items(admin_client, city):
    r = admin_client.get(BASE + "?handling_type=instant")
    codes = {obj.code for obj in r.context["cl"].result_list}
    assert "YB01003" in codes and PROMISED_ITEM not in codes


def test_the_item_page_is_read_only_with_its_history(admin_client, city):
    item = ServiceItem.objects.get(code=PROMISED_ITEM)
    r = admin_client.get(f"{BASE}{item.pk}/change/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "版本历史" in body and "审核 → 复审" in body
    assert f"{BASE}{item.pk}/new-version/" in body
    assert 'name="_save"' not in body
    # A post changes nothing.
    admin_client.post(f"{BASE}{item.pk}/change/", {"name": "改名"})
    item.refresh_from_db()
    assert item.name == "门诊费用报销"


def test_items_cannot_be_deleted(admin_client, city):
    item = ServiceItem.objects.get(code=PROMISED_ITEM)
    assert admin_client.get(f"{BASE}{item.pk}/delete/").status_code == 403


def test_the_import_page_loads(admin_client, city):
    r = admin_client.get(f"{BASE}import/")
    assert r.status_code == 200
    assert 'type="file"' in r.content.decode()


def test_importing_a_good_workbook_shows_the_report(admin_client, book, admin_user):
    book.set(PROMISED_ITEM, "promised_days", 8)
    r = admin_client.post(f"{BASE}import/", {"file": _xlsx(book.bytes())})
    assert r.status_code == 200
    body = r.content.decode()
    assert "修订 revised 1" in body and f"{PROMISED_ITEM} v2" in body
    new = item_version_current(code=PROMISED_ITEM)
    assert (new.number, new.promised_days, new.created_by) == (2, 8, admin_user)


def test_a_dry_run_import_writes_nothing(admin_client, book):
    book.set(PROMISED_ITEM, "promised_days", 8)
    r = admin_client.post(f"{BASE}import/", {"file": _xlsx(book.bytes()), "dry_run": "on"})
    assert "dry run" in r.content.decode()
    assert item_version_current(code=PROMISED_ITEM).number == 1


def test_importing_a_bad_workbook_shows_each_error_and_writes_nothing(admin_client, book):
    book.set("YB07020", "promised_days", 9)
    row = book.set(PROMISED_ITEM, "channels", "网上办,传真")
    versions = ItemVersion.objects.count()
    r = admin_client.post(f"{BASE}import/", {"file": _xlsx(book.bytes())})
    assert r.status_code == 200
    assert [str(e) for e in r.context["errors"]] == [
        f"事项!G{row} (channels): 未知的值“传真”，应为网上办（web）、掌上办（mobile）、窗口办（window）"
    ]
    body = r.content.decode()
    assert "未导入任何内容" in body and f"G{row}" in body
    assert ItemVersion.objects.count() == versions


def test_importing_something_else_says_so(admin_client, city):
    r = admin_client.post(f"{BASE}import/", {"file": _xlsx(b"not a workbook", "list.xls")})
    assert r.status_code == 200
    assert "不是有效的 Excel 工作簿" in r.content.decode()


def test_export_downloads_the_workbook(admin_client, city):
    r = admin_client.get(f"{BASE}export/")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r["Content-Disposition"]
    from .conftest import Book

    assert Book(r.content).get(PROMISED_ITEM, "promised_days") == 10


def test_the_export_action_downloads_the_selected_items(admin_client, city):
    pks = ServiceItem.objects.filter(code__in=[PROMISED_ITEM, "YB01003"]).values_list(
        "pk", flat=True
    )
    r = admin_client.post(BASE, {"action": "export_xlsx", "_selected_action": list(pks)})
    assert r.status_code == 200
    from .conftest import Book

    assert Book(r.content).wb["事项"].max_row == 3


def _new_version_data(r, **changes) -> dict:
    form = r.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        value = value() if callable(value) else value
        if name in ("materials", "steps", "form", "decision"):
            value = json.dumps(value, ensure_ascii=False)
        elif name == "home_office" and value is not None:
            value = value.pk
        elif name == "citywide":
            value = "on" if value else ""
        data[name] = value
    return {k: v for k, v in (data | changes).items() if v is not None}


def test_the_new_version_form_makes_a_new_version(admin_client, city):
    item = ServiceItem.objects.get(code=PROMISED_ITEM)
    url = f"{BASE}{item.pk}/new-version/"
    r = admin_client.get(url)
    assert r.status_code == 200
    assert "M1" in r.content.decode()  # the materials of v1, ready to edit
    data = _new_version_data(r, promised_days=7)
    r = admin_client.post(url, data)
    assert r.status_code == 302, r.context["adminform"].form.errors
    versions = list(item.versions.order_by("number"))
    assert [(v.number, v.promised_days) for v in versions] == [(1, 10), (2, 7)]
    assert versions[1].effective_from == timezone.localdate()
    assert versions[1].materials == versions[0].materials


def test_the_new_version_form_makes_nothing_when_nothing_changed(admin_client, city):
    item = ServiceItem.objects.get(code=PROMISED_ITEM)
    url = f"{BASE}{item.pk}/new-version/"
    r = admin_client.post(url, _new_version_data(admin_client.get(url)))
    assert r.status_code == 302
    assert item.versions.count() == 1


def test_the_new_version_form_shows_the_rules_errors(admin_client, city):
    item = ServiceItem.objects.get(code=PROMISED_ITEM)
    url = f"{BASE}{item.pk}/new-version/"
    r = admin_client.get(url)
    r = admin_client.post(url, _new_version_data(r, promised_days=25))
    assert r.status_code == 200
    assert r.context["adminform"].form.errors["promised_days"] == ["承诺时限不得长于法定时限"]
    bad_materials = json.dumps([{"code": "M1", "name": "a"}, {"code": "M1", "name": "b"}])
    r = admin_client.post(url, _new_version_data(r, materials=bad_materials))
    assert "材料编码 M1 重复" in str(r.context["adminform"].form.errors["materials"])
    assert item.versions.count() == 1


def test_the_add_page_creates_an_item_with_its_first_version(admin_client, city):
    r = admin_client.get(f"{BASE}add/")
    assert r.status_code == 200
    data = _new_version_data(r) | {
        "code": "YB99001", "name": "测试事项", "category": "测试", "department": "医疗保障局",
        "home_office": city.pk, "handling_type": "instant", "legal_days": 0, "promised_days": 0,
        "channels": ["window"], "applicant_kinds": ["person"], "fees": "不收费",
        "materials": '[{"code": "M1", "name": "身份证"}]', "steps": "[]", "form": "[]",
        "effective_from": "2026-01-01", "citywide": "on",
    }  # fmt: skip
    r = admin_client.post(f"{BASE}add/", data)
    assert r.status_code == 302, r.context["adminform"].form.errors
    v = item_version_current(code="YB99001", on=timezone.localdate().replace(year=2030))
    assert (v.number, v.channels, v.materials[0]["form"]) == (1, ["window"], "original")


def test_suspend_asks_for_a_reason_then_suspends(admin_client, city):
    item = ServiceItem.objects.get(code=PROMISED_ITEM)
    chosen = {"action": "suspend", "_selected_action": [item.pk]}
    r = admin_client.post(BASE, chosen)
    assert r.status_code == 200 and "暂停" in r.content.decode()
    r = admin_client.post(BASE, chosen | {"confirm": "yes", "reason": ""})
    assert "请说明原因" in r.content.decode()
    r = admin_client.post(BASE, chosen | {"confirm": "yes", "reason": "系统升级"})
    assert r.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.status_reason) == ("suspended", "系统升级")
    admin_client.post(BASE, {"action": "resume", "_selected_action": [item.pk], "confirm": "yes"})
    item.refresh_from_db()
    assert item.status == "active"


def test_retire_is_final(admin_client, city):
    item = ServiceItem.objects.get(code=PROMISED_ITEM)
    admin_client.post(BASE, {"action": "retire", "_selected_action": [item.pk], "confirm": "yes",
                             "reason": "并入新事项"})  # fmt: skip
    r = admin_client.post(BASE, {"action": "resume", "_selected_action": [item.pk],
                                 "confirm": "yes"}, follow=True)  # fmt: skip
    assert "已废止" in r.content.decode()
    item.refresh_from_db()
    assert item.status == "retired"
    r = admin_client.get(f"{BASE}{item.pk}/new-version/", follow=True)
    assert "不能再修订" in r.content.decode()


def test_versions_are_read_only(admin_client, city):
    version = ItemVersion.objects.get(item__code=PROMISED_ITEM)
    assert admin_client.get("/admin/catalog/itemversion/").status_code == 200
    r = admin_client.get(f"/admin/catalog/itemversion/{version.pk}/change/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "审核（审核员） → 复审（复审员）" in body and 'name="_save"' not in body
    assert admin_client.get("/admin/catalog/itemversion/add/").status_code == 403
    assert admin_client.get(f"/admin/catalog/itemversion/{version.pk}/delete/").status_code == 403


def test_agreements_and_bundles_load(admin_client, city):
    from tongban.offices.models import Office

    partner = Office.objects.filter(external=True).first()
    agreement = Agreement.objects.create(title="跨省协议", partner=partner, mode="online",
                                         valid_from="2025-01-01")  # fmt: skip
    agreement.items.set(ServiceItem.objects.all()[:3])
    bundle = Bundle.objects.create(code="B1", name="生育一件事")
    for url in ["/admin/catalog/agreement/", f"/admin/catalog/agreement/{agreement.pk}/change/",
                "/admin/catalog/agreement/add/", "/admin/catalog/bundle/",
                f"/admin/catalog/bundle/{bundle.pk}/change/", "/admin/catalog/bundle/add/"]:  # fmt: skip
        assert admin_client.get(url).status_code == 200, url
