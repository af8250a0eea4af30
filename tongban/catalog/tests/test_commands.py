import pytest
from django.core.management import CommandError, call_command

from conftest import PROMISED_ITEM
from tongban.audit.models import AuditEntry
from tongban.catalog.models import ItemVersion, ServiceItem
from tongban.catalog.selectors import item_version_current

from .conftest import Book

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_export_writes_a_workbook_that_imports_unchanged(city, tmp_path):
    path = tmp_path / "catalog.xlsx"
    assert run("export_catalog", str(path)) == f"wrote {path}: 60 items\n"
    versions = ItemVersion.objects.count()
    out = run("import_catalog", str(path))
    assert "未变 unchanged 60" in out
    assert ItemVersion.objects.count() == versions


def test_import_prints_what_it_changed(book, tmp_path, django_user_model):
    admin = django_user_model.objects.create_user("catalog-admin", role="catalog_admin")
    book.set(PROMISED_ITEM, "promised_days", 8)
    book.set("YB01003", "status", "暂停")
    path = tmp_path / "edited.xlsx"
    path.write_bytes(book.bytes())
    out = run(
        "import_catalog", str(path), "--effective-from", "2030-01-01", "--user", "catalog-admin"
    )
    assert "修订 revised 1" in out and "状态变更 status changed 1" in out
    assert f"修订 revised: {PROMISED_ITEM} v2（2030-01-01 起）" in out
    v2 = ItemVersion.objects.get(item__code=PROMISED_ITEM, number=2)
    assert (v2.promised_days, v2.created_by) == (8, admin)
    assert AuditEntry.objects.filter(event="catalog.item_suspended", user=admin).exists()


def test_a_dry_run_writes_nothing(book, tmp_path):
    book.set(PROMISED_ITEM, "promised_days", 8)
    path = tmp_path / "edited.xlsx"
    path.write_bytes(book.bytes())
    out = run("import_catalog", str(path), "--dry-run")
    assert out.startswith("检查通过，未写入 (dry run, nothing written)")
    assert not ItemVersion.objects.filter(number=2).exists()


def test_a_malformed_workbook_lists_every_error_and_changes_nothing(book, tmp_path):
    good = book.set("YB07020", "promised_days", 9)
    bad = book.set(PROMISED_ITEM, "promised_days", 30)
    unknown = book.append("材料", item="YB99999", code="M1", name="身份证")
    path = tmp_path / "bad.xlsx"
    path.write_bytes(book.bytes())
    versions = ItemVersion.objects.count()
    with pytest.raises(CommandError) as e:
        run("import_catalog", str(path))
    lines = str(e.value).splitlines()
    assert "未导入任何内容" in lines[0]
    assert lines[1:] == [
        f"事项!F{bad} (promised_days): 承诺时限不得长于法定时限",
        f"材料!A{unknown} (item): 事项编码 YB99999 不在“事项”表中 (unknown item)",
    ]
    assert good and ItemVersion.objects.count() == versions


def test_a_file_that_is_not_a_workbook_is_refused(city, tmp_path):
    path = tmp_path / "catalog.xlsx"
    path.write_text("事项编码,事项名称\n")
    with pytest.raises(CommandError, match="不是有效的 Excel 工作簿"):
        run("import_catalog", str(path))
    with pytest.raises(CommandError, match="No such file"):
        run("import_catalog", str(tmp_path / "missing.xlsx"))


def test_a_bad_date_is_refused(city, tmp_path):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("import_catalog", str(tmp_path / "x.xlsx"), "--effective-from", "1/2/2030")


def test_catalog_item_suspends_resumes_and_retires(city):
    out = run("catalog_item", PROMISED_ITEM, "--suspend", "--reason", "系统升级")
    assert out == f"{PROMISED_ITEM} 门诊费用报销: 暂停 (suspended)\n"
    item = ServiceItem.objects.get(code=PROMISED_ITEM)
    assert (item.status, item.status_reason) == ("suspended", "系统升级")
    with pytest.raises(Exception, match="暂停"):
        item_version_current(code=PROMISED_ITEM)
    run("catalog_item", PROMISED_ITEM, "--resume")
    assert item_version_current(code=PROMISED_ITEM).item.status == "active"
    run("catalog_item", PROMISED_ITEM, "--retire", "--reason", "并入新事项")
    with pytest.raises(CommandError, match="已废止"):
        run("catalog_item", PROMISED_ITEM, "--resume")
    item.refresh_from_db()
    assert item.status == "retired"


@pytest.mark.parametrize(
    "args, message",
    [
        ([PROMISED_ITEM, "--suspend"], "--reason"),
        (["YB99999", "--resume"], "没有事项 YB99999"),
        ([PROMISED_ITEM, "--resume", "--user", "nobody"], "没有用户"),
    ],
)
def test_catalog_item_refuses(city, args, message):
    with pytest.raises(CommandError, match=message):
        run("catalog_item", *args)
    assert ServiceItem.objects.get(code=PROMISED_ITEM).status == "active"


def test_catalog_item_needs_exactly_one_action(city):
    with pytest.raises(CommandError):
        call_command("catalog_item", PROMISED_ITEM, "--suspend", "--retire", "--reason", "x")


def test_the_exported_file_reads_back(city, tmp_path):
    path = tmp_path / "catalog.xlsx"
    run("export_catalog", str(path), "--on", "2025-06-01")
    assert Book(path.read_bytes()).get(PROMISED_ITEM, "promised_days") == 10
