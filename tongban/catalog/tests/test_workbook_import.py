from datetime import date, timedelta

import pytest
from django.utils import timezone

from conftest import PROMISED_ITEM, submit
from tongban.audit.models import AuditEntry
from tongban.catalog import workbook
from tongban.catalog.models import ItemVersion, ServiceItem
from tongban.catalog.selectors import item_version_current
from tongban.catalog.services import catalog_item_set_status
from tongban.catalog.workbook import (
    CatalogImportError,
    catalog_workbook_export,
    catalog_workbook_import,
)
from tongban.lib.errors import Conflict, InvalidInput

from .conftest import Book

pytestmark = pytest.mark.django_db


def _errors(data: bytes) -> list[str]:
    with pytest.raises(CatalogImportError) as e:
        catalog_workbook_import(data)
    assert e.value.code == "invalid_workbook"
    assert isinstance(e.value, InvalidInput)
    return [str(error) for error in e.value.errors]


def test_export_then_import_changes_nothing(city):
    versions = ItemVersion.objects.count()
    report = catalog_workbook_import(catalog_workbook_export())
    assert ItemVersion.objects.count() == versions
    assert report.counts == {"created": 0, "revised": 0, "updated": 0, "unchanged": 60,
                             "status_changed": 0}  # fmt: skip
    assert not report.warnings
    assert not AuditEntry.objects.filter(event="catalog.workbook_imported").exists()


def test_a_changed_time_limit_makes_a_new_version_and_old_cases_keep_theirs(book, carol):
    case = submit(carol)
    old = case.item_version
    book.set(PROMISED_ITEM, "promised_days", 8)
    report = catalog_workbook_import(book.bytes())
    assert report.revised == [PROMISED_ITEM]
    assert len(report.unchanged) == 59
    new = item_version_current(code=PROMISED_ITEM)
    assert (new.number, new.promised_days, new.effective_from) == (2, 8, timezone.localdate())
    assert new.materials == old.materials and new.steps == old.steps
    case.refresh_from_db()
    assert case.item_version == old and old.promised_days == 10
    assert submit(carol).item_version == new
    # Importing the same workbook again is a no-op.
    again = catalog_workbook_import(book.bytes())
    assert PROMISED_ITEM in again.unchanged
    assert ItemVersion.objects.filter(item__code=PROMISED_ITEM).count() == 2


def test_a_new_version_takes_effect_on_the_date_given(book):
    book.set(PROMISED_ITEM, "promised_days", 8)
    later = timezone.localdate() + timedelta(days=20)
    report = catalog_workbook_import(book.bytes(), effective_from=later)
    assert report.versions[PROMISED_ITEM] == (2, later)
    assert item_version_current(code=PROMISED_ITEM).promised_days == 10
    assert item_version_current(code=PROMISED_ITEM, on=later).promised_days == 8


def test_a_date_written_in_the_row_wins(book):
    book.set(PROMISED_ITEM, "promised_days", 8)
    book.set(PROMISED_ITEM, "effective_from", date(2031, 1, 1))
    catalog_item_save_date = date(2030, 1, 1)
    report = catalog_workbook_import(book.bytes(), effective_from=catalog_item_save_date)
    assert report.versions[PROMISED_ITEM] == (2, date(2031, 1, 1))


def test_a_workbook_older_than_the_latest_version_cannot_overwrite_it(book, snapshot):
    newer = book.bytes()
    book.set(PROMISED_ITEM, "promised_days", 8)
    catalog_workbook_import(book.bytes())  # someone else's revision: v2 from today
    stale = workbook_with(newer, PROMISED_ITEM, "legal_days", 25)
    before = snapshot()
    [error] = _errors(stale)
    assert error.startswith(f"事项!O{_row(stale, PROMISED_ITEM)} (effective_from): ")
    assert "早于最新版本 v2" in error and "重新导出" in error
    assert snapshot() == before


def test_names_and_offices_change_without_a_new_version(book):
    book.set(PROMISED_ITEM, "name", "门诊医疗费用报销")
    book.set(PROMISED_ITEM, "home_office", "371522")
    report = catalog_workbook_import(book.bytes())
    assert report.updated == [PROMISED_ITEM]
    item = ServiceItem.objects.get(code=PROMISED_ITEM)
    assert (item.name, item.home_office.code, item.versions.count()) == (
        "门诊医疗费用报销",
        "371522",
        1,
    )


def test_english_keys_mean_the_same_as_the_chinese_labels(book):
    for key, value in {"handling_type": "promised", "channels": "web, mobile，window",
                       "citywide": True, "applicant_kinds": "person", "status": "active",
                       "steps": "审核：审核员；复审：second_reviewer"}.items():  # fmt: skip
        book.set(PROMISED_ITEM, key, value)
    book.set(PROMISED_ITEM, "form", "copy", sheet="材料", code="M2")
    book.set(PROMISED_ITEM, "secondary", "否", sheet="材料", code="M2")
    book.set(PROMISED_ITEM, "type", "金额", sheet="表单", name="amount")
    book.set(PROMISED_ITEM, "legal_days", "20")
    report = catalog_workbook_import(book.bytes())
    assert PROMISED_ITEM in report.unchanged


def test_a_new_item_is_created_with_its_materials_and_form(book):
    book.copy_item(PROMISED_ITEM, "YB99001")
    book.set("YB99001", "name", "异地就医费用报销")
    report = catalog_workbook_import(book.bytes())
    assert report.created == ["YB99001"]
    new = item_version_current(code="YB99001")
    old = item_version_current(code=PROMISED_ITEM)
    assert new.item.name == "异地就医费用报销" and new.number == 1
    assert (new.materials, new.form, new.steps) == (old.materials, old.form, old.steps)


def test_materials_follow_the_order_of_their_rows(book):
    book.set(PROMISED_ITEM, "secondary", "是", sheet="材料", code="M2")
    book.append("材料", item=PROMISED_ITEM, code="M5", name="银行卡复印件", form="复印件")
    catalog_workbook_import(book.bytes())
    version = item_version_current(code=PROMISED_ITEM)
    assert version.material_codes == ["M1", "M2", "M3", "M4", "M5"]
    assert version.materials[4] == {"code": "M5", "name": "银行卡复印件", "form": "copy",
                                    "secondary": False}  # fmt: skip
    assert version.main_material_codes == {"M1", "M5"}


def test_suspending_by_import_stops_new_applications(book):
    book.set(PROMISED_ITEM, "status", "暂停")
    book.set(PROMISED_ITEM, "status_reason", "政策调整，暂停受理")
    report = catalog_workbook_import(book.bytes())
    assert report.status_changed == [PROMISED_ITEM]
    assert PROMISED_ITEM not in report.unchanged
    with pytest.raises(InvalidInput) as e:
        item_version_current(code=PROMISED_ITEM)
    assert e.value.code == "item_suspended"
    assert ItemVersion.objects.filter(item__code=PROMISED_ITEM).count() == 1
    book.set(PROMISED_ITEM, "status", "在办")
    book.set(PROMISED_ITEM, "status_reason", None)
    assert catalog_workbook_import(book.bytes()).status_changed == [PROMISED_ITEM]
    assert item_version_current(code=PROMISED_ITEM).item.status == "active"


def test_a_blank_status_leaves_the_status_as_it_is(book):
    suspended = ServiceItem.objects.filter(status="suspended").first()
    book.set(suspended.code, "status", None)
    report = catalog_workbook_import(book.bytes())
    assert suspended.code in report.unchanged
    suspended.refresh_from_db()
    assert suspended.status == "suspended"


def test_a_retired_item_cannot_be_revised_or_resumed(book, snapshot):
    # `book` was exported while the item was in force: it says 在办.
    item = ServiceItem.objects.get(code=PROMISED_ITEM)
    catalog_item_set_status(item=item, status="retired", reason="并入新事项")
    before = snapshot()
    row = book.row("事项", PROMISED_ITEM)
    assert _errors(book.bytes()) == [
        f"事项!K{row} (status): 事项 {PROMISED_ITEM} 已废止，不能再修改或恢复 (item is retired)"
    ]
    retired = Book(catalog_workbook_export())
    assert PROMISED_ITEM in catalog_workbook_import(retired.bytes()).unchanged
    retired.set(PROMISED_ITEM, "promised_days", 8)
    assert _errors(retired.bytes()) == [
        f"事项!A{row} (code): 事项 {PROMISED_ITEM} 已废止，不能再修改或恢复 (item is retired)"
    ]
    assert snapshot() == before


def test_a_failure_while_writing_undoes_every_write(book, snapshot, monkeypatch):
    book.set(PROMISED_ITEM, "promised_days", 8)  # written first ...
    book.set("YB07020", "status", "暂停")  # ... then this fails

    def refuse(**kwargs):
        raise Conflict("状态被他人改变", code="conflict")

    monkeypatch.setattr(workbook, "catalog_item_set_status", refuse)
    before = snapshot()
    with pytest.raises(CatalogImportError) as e:
        catalog_workbook_import(book.bytes())
    assert [str(x) for x in e.value.errors] == [
        f"事项!A{book.row('事项', 'YB07020')} (code): 状态被他人改变"
    ]
    assert snapshot() == before


def test_a_dry_run_reports_and_writes_nothing(book, snapshot):
    before = snapshot()
    book.set(PROMISED_ITEM, "promised_days", 8)
    report = catalog_workbook_import(book.bytes(), dry_run=True)
    assert report.dry_run and report.revised == [PROMISED_ITEM]
    assert snapshot() == before


def test_items_left_out_of_the_workbook_are_left_alone(city):
    data = catalog_workbook_export(items=ServiceItem.objects.filter(code=PROMISED_ITEM))
    report = catalog_workbook_import(data)
    assert report.unchanged == [PROMISED_ITEM]
    assert len(report.absent) == 59
    assert ServiceItem.objects.count() == 60


# -- errors: where they are, and that nothing was written ---------------------------------------


def _bad_promised(book):
    return book.set(
        PROMISED_ITEM, "promised_days", 21
    ), "事项!F{} (promised_days): 承诺时限不得长于法定时限"


def _bad_channel(book):
    return book.set(PROMISED_ITEM, "channels", "网上办,传真"), "事项!G{} (channels): 未知的值“传真”"


def _bad_office(book):
    return book.set(
        PROMISED_ITEM, "home_office", "999999"
    ), "事项!M{} (home_office): 没有区划代码为 999999 的经办机构"


def _duplicate_code(book):
    row = book.copy_item(PROMISED_ITEM, PROMISED_ITEM, children=False)
    return row, f"事项!A{{}} (code): 事项编码 {PROMISED_ITEM} 重复，已见于第"


def _material_of_unknown_item(book):
    row = book.append("材料", item="YB99999", code="M1", name="身份证")
    return row, "材料!A{} (item): 事项编码 YB99999 不在“事项”表中"


def _days_in_words(book):
    return book.set(PROMISED_ITEM, "legal_days", "二十"), "事项!E{} (legal_days): 应为整数工作日数"


def _bad_date(book):
    return book.set(
        PROMISED_ITEM, "effective_from", "下个月"
    ), "事项!O{} (effective_from): 应为日期"


def _unknown_role(book):
    return book.set(
        PROMISED_ITEM, "steps", "审核:科长"
    ), "事项!I{} (steps): 环节“审核”的角色“科长”未知"


def _promised_without_steps(book):
    return book.set(PROMISED_ITEM, "steps", None), "事项!I{} (steps): 承诺件至少需要一个审核环节"


def _instant_with_days(book):
    book.set("YB01003", "legal_days", 5)
    return book.set(
        "YB01003", "promised_days", 3
    ), "事项!F{} (promised_days): 即办件的承诺时限应为 0"


def _duplicate_material(book):
    row = book.set(PROMISED_ITEM, "code", "M1", sheet="材料", code="M2")
    return row, "材料!C{} (code): 材料编码 M1 重复"


def _bad_material_form(book):
    row = book.set(PROMISED_ITEM, "form", "扫描件", sheet="材料", code="M2")
    return row, "材料!E{} (form): 应为原件（original）或复印件（copy）"


def _choice_without_choices(book):
    row = book.set(PROMISED_ITEM, "type", "choice", sheet="表单", name="amount")
    # form[0].choices, from version_data_clean, lands on that field's row and column.
    return row, "表单!G{} (choices): 选择字段需要 choices 列表"


def _missing_name(book):
    return book.set(PROMISED_ITEM, "name", None), "事项!B{} (name): 必填"


BAD_CELLS = [
    _bad_promised, _bad_channel, _bad_office, _duplicate_code, _material_of_unknown_item,
    _days_in_words, _bad_date, _unknown_role, _promised_without_steps, _instant_with_days,
    _duplicate_material, _bad_material_form, _choice_without_choices, _missing_name,
]  # fmt: skip


@pytest.mark.parametrize("spoil", BAD_CELLS, ids=lambda f: f.__name__.strip("_"))
def test_a_bad_cell_is_named_and_nothing_is_written(book, snapshot, spoil):
    book.set("YB07020", "promised_days", 9)  # a good change beside the bad one
    row, expected = spoil(book)
    versions, before = ItemVersion.objects.count(), snapshot()
    with pytest.raises(CatalogImportError) as e:
        catalog_workbook_import(book.bytes())
    [error] = e.value.errors
    assert str(error).startswith(expected.format(row)), str(error)
    assert (error.sheet, error.row) == (expected[:2], row)
    assert error.cell == f"{error.column}{row}" and error.header in expected
    assert ItemVersion.objects.count() == versions
    assert snapshot() == before


def test_every_error_is_listed_in_sheet_order(book):
    book.set(PROMISED_ITEM, "promised_days", 21)
    book.set("YB01003", "channels", "电话")
    book.append("表单", item="NOPE", name="x")
    book.append("材料", item="NOPE", code="M1", name="x")
    errors = _errors(book.bytes())
    assert [e.split("!")[0] for e in errors] == ["事项", "事项", "材料", "表单"]
    assert "(channels)" in errors[0] and "(promised_days)" in errors[1]


@pytest.mark.parametrize(
    "data",
    [b"", b"code,name\nYB01,x\n", b"PK\x03\x04 truncated zip", "事项".encode() * 100],
    ids=["empty", "csv", "broken-zip", "text"],
)
def test_a_file_that_is_not_a_workbook_is_refused_plainly(city, data):
    [error] = _errors(data)
    assert "不是有效的 Excel 工作簿 (.xlsx)" in error


def test_a_workbook_without_the_materials_sheet_is_refused(book):
    # Reading a missing sheet as "no materials" would strip every item of its materials.
    del book.wb["材料"]
    assert _errors(book.bytes()) == ["材料: 缺少工作表“材料” (missing sheet)"]


def test_a_missing_column_is_named(book):
    ws = book.wb["事项"]
    ws.delete_cols(book.column("事项", "notes"))
    assert _errors(book.bytes()) == ["事项!1:1 (notes): 缺少列“备注 notes” (missing column)"]


def test_columns_are_found_by_key_in_any_order(book):
    ws = book.wb["事项"]
    ws.move_range(f"A1:A{ws.max_row}", cols=ws.max_column)  # code becomes the last column
    ws.cell(1, book.column("事项", "promised_days")).value = "承诺办结时限 promised_days"
    assert len(catalog_workbook_import(book.bytes()).unchanged) == 60


def workbook_with(data: bytes, code: str, key: str, value) -> bytes:
    book = Book(data)
    book.set(code, key, value)
    return book.bytes()


def _row(data: bytes, code: str) -> int:
    return Book(data).row("事项", code)
