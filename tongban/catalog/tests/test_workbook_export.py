import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tongban.catalog.models import ServiceItem
from tongban.catalog.services import catalog_item_save, catalog_item_set_status
from tongban.catalog.workbook import catalog_workbook_export

from .conftest import Book

pytestmark = pytest.mark.django_db


def _headers(ws) -> list[str]:
    return [c.value for c in ws[1]]


def test_it_writes_four_sheets_with_chinese_headers_and_english_keys(city):
    wb = load_workbook(io.BytesIO(catalog_workbook_export()))
    assert wb.sheetnames == ["事项", "材料", "表单", "说明"]
    items = _headers(wb["事项"])
    assert items[:6] == [
        "事项编码 code", "事项名称 name", "事项类别 category", "办件类型 handling_type",
        "法定时限（工作日） legal_days", "承诺时限（工作日） promised_days",
    ]  # fmt: skip
    assert _headers(wb["材料"]) == [
        "事项编码 item", "事项名称 item_name", "材料编码 code", "材料名称 name",
        "原件/复印件 form", "容缺 secondary",
    ]  # fmt: skip
    assert _headers(wb["表单"])[2:] == [
        "字段名 name", "显示名称 label", "类型 type", "必填 required", "选项 choices", "规则 rules",
    ]  # fmt: skip
    readme = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert "承诺时限（工作日） promised_days" in readme
    assert "371522" in readme and "莘县医疗保障局" in readme  # the office codes to choose from


def test_it_writes_every_item_whatever_its_status(city):
    item = ServiceItem.objects.get(code="YB01003")
    catalog_item_set_status(item=item, status="retired", reason="并入 YB01002")
    book = Book(catalog_workbook_export())
    assert book.wb["事项"].max_row - 1 == ServiceItem.objects.count() == 60
    assert book.get("YB01003", "status") == "已废止"
    assert book.get("YB01003", "status_reason") == "并入 YB01002"
    suspended = ServiceItem.objects.filter(status="suspended").first()
    assert book.get(suspended.code, "status") == "暂停"


def test_it_writes_an_item_readably(city):
    book = Book(catalog_workbook_export())
    assert book.get("YB07019", "handling_type") == "承诺件"
    assert (book.get("YB07019", "legal_days"), book.get("YB07019", "promised_days")) == (20, 10)
    assert book.get("YB07019", "channels") == "网上办,掌上办,窗口办"
    assert book.get("YB07019", "citywide") == "是"
    assert book.get("YB07019", "steps") == "审核:reviewer; 复审:second_reviewer"
    assert book.get("YB07019", "home_office") == "371500"
    assert book.get("YB07019", "effective_from").date() == date(2025, 1, 1)
    assert book.get("YB07019", "version") == 1
    assert book.get("YB07019", "secondary", sheet="材料", code="M3") == "是"
    assert book.get("YB07019", "form", sheet="材料", code="M1") == "原件"
    assert book.get("YB07019", "type", sheet="表单", name="amount") == "money"
    assert (
        book.get("YB07019", "rules", sheet="表单", name="amount") == "max=50000.00；total=claimed"
    )
    assert book.get("YB07019", "required", sheet="表单", name="amount") == "是"


def test_it_writes_the_latest_version_or_the_one_in_force_on_a_day(city):
    v1 = ServiceItem.objects.get(code="YB07019").versions.get()
    next_month = timezone.localdate() + timedelta(days=30)
    catalog_item_save(code="YB07019", name=v1.item.name, category=v1.item.category,
                      home_office=city, effective_from=next_month,
                      version=_version_of(v1) | {"promised_days": 7})  # fmt: skip
    latest = Book(catalog_workbook_export())
    assert (latest.get("YB07019", "promised_days"), latest.get("YB07019", "version")) == (7, 2)
    today = Book(catalog_workbook_export(on=timezone.localdate()))
    assert (today.get("YB07019", "promised_days"), today.get("YB07019", "version")) == (10, 1)
    # An item with nothing in force yet on that day shows its latest.
    early = Book(catalog_workbook_export(on=date(2024, 1, 1)))
    assert early.get("YB07019", "version") == 2


def test_it_can_export_only_some_items(city):
    book = Book(catalog_workbook_export(items=ServiceItem.objects.filter(code="YB07019")))
    assert book.wb["事项"].max_row == 2
    assert {c.value for c in book.wb["材料"]["A"][1:]} == {"YB07019"}


def _version_of(v) -> dict:
    from tongban.catalog.services import VERSION_FIELDS

    return {k: getattr(v, k) for k in VERSION_FIELDS}
