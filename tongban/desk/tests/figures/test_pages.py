"""The dashboard, its drill-down, the case lists and the Excel exports; who may see them."""

from io import BytesIO

import pytest
import time_machine
from openpyxl import load_workbook

from conftest import _user
from tongban.people.models import Role
from tongban.stats.tests.conftest import TODAY

pytestmark = pytest.mark.django_db

MARCH = "from=2025-03-01&to=2025-03-31"


@pytest.fixture
def cast(alice, rita, olga, vera, carol, city):
    return {"alice": alice, "rita": rita, "olga": olga, "vera": vera, "carol": carol,
            "catalog": _user("catalog", Role.CATALOG_ADMIN), "anonymous": None}  # fmt: skip


# (who, url, expected status): pretix's permission table.
PERMISSIONS = [
    ("anonymous", "/desk/stats/", 302),
    ("alice", "/desk/stats/", 403),
    ("rita", "/desk/stats/", 403),
    ("carol", "/desk/stats/", 403),
    ("catalog", "/desk/stats/", 403),
    ("olga", "/desk/stats/", 200),
    ("vera", "/desk/stats/", 200),
    ("alice", "/desk/stats/export.xlsx", 403),
    ("olga", "/desk/stats/export.xlsx", 200),
    ("alice", "/desk/stats/cases/?figure=received", 403),
    ("olga", "/desk/stats/cases/?figure=received", 200),
    ("olga", "/desk/stats/?office=371581", 403),
    ("vera", "/desk/stats/?office=371581", 200),
    ("alice", "/desk/stats/compression/", 403),
    ("catalog", "/desk/stats/compression/", 200),
    ("olga", "/desk/stats/compression/", 200),
    ("catalog", "/desk/stats/compression.xlsx", 200),
    ("anonymous", "/api/v1/stats/summary", 401),
    ("alice", "/api/v1/stats/summary", 403),
    ("carol", "/api/v1/stats/summary", 403),
    ("catalog", "/api/v1/stats/summary", 403),
    ("olga", "/api/v1/stats/summary", 200),
    ("vera", "/api/v1/stats/breakdown?by=office", 200),
    ("alice", "/api/v1/stats/compression", 403),
    ("catalog", "/api/v1/stats/compression", 200),
]


@pytest.mark.parametrize("who, url, status", PERMISSIONS)
def test_permissions(client, cast, who, url, status):
    if cast[who]:
        client.force_login(cast[who])
    assert client.get(url).status_code == status


def test_the_city_dashboard_shows_the_figures_and_drills_down(client, vera, history):
    client.force_login(vera)
    with time_machine.travel(TODAY):
        page = client.get(f"/desk/stats/?{MARCH}").content.decode()
        assert "全市通办统计" in page
        for table in ("by-office", "by-item", "by-month", "by-channel", "by-insured_region",
                      "by-applicant_kind"):  # fmt: skip
            assert f'id="{table}"' in page
        assert "?from=2025-03-01&amp;to=2025-03-31&amp;office=371522" in page  # drill to 莘县
        assert "72.7%" in page  # online rate 8/11
        assert "4.75" in page  # average handling working days
        office = client.get(f"/desk/stats/?{MARCH}&office=371522").content.decode()
        assert 'id="by-office"' not in office and 'id="by-item"' in office
        assert "office=371522&amp;item=YB07019" in office  # drill to the item
        item = client.get(f"/desk/stats/?{MARCH}&office=371522&item=YB07019").content.decode()
        assert 'id="by-item"' not in item and 'id="by-month"' in item


def test_the_cases_behind_a_number_link_to_the_case_pages(client, vera, history):
    client.force_login(vera)
    with time_machine.travel(TODAY):
        page = client.get(
            f"/desk/stats/cases/?{MARCH}&office=371522&figure=overdue"
        ).content.decode()
    assert "超期合计：2 件" in page
    for name in ("c3", "c5"):
        number = history[name].number
        assert f'href="/desk/cases/{number}/"' in page
    assert history["c1"].number not in page


def test_a_county_supervisor_gets_their_own_office(client, olga, history):
    client.force_login(olga)
    with time_machine.travel(TODAY):
        page = client.get(f"/desk/stats/?{MARCH}").content.decode()
    assert 'id="by-office"' not in page and 'id="by-item"' in page
    assert 'name="office"' not in page  # no office picker


def test_bad_parameters_are_reported_on_the_page(client, vera, city):
    client.force_login(vera)
    page = client.get("/desk/stats/?from=2025-13-01&channel=fax").content.decode()
    assert "from 应为日期" in page and "渠道应为" in page


def test_the_excel_export_has_the_api_numbers(client, vera, history):
    client.force_login(vera)
    with time_machine.travel(TODAY):
        xlsx = client.get(f"/desk/stats/export.xlsx?{MARCH}")
        summary = client.get(f"/api/v1/stats/summary?{MARCH}").json()
        by_office = client.get(f"/api/v1/stats/breakdown?by=office&{MARCH}").json()
        by_month = client.get(f"/api/v1/stats/breakdown?by=month&{MARCH}").json()
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    from tongban.audit.models import AuditEntry

    (entry,) = AuditEntry.objects.filter(event="figures.exported")  # an export is audited
    assert entry.username == "vera" and entry.target.startswith("tongban-stats-")
    wb = load_workbook(BytesIO(xlsx.content))
    assert wb.sheetnames == ["汇总", "经办机构", "事项", "月份", "渠道", "参保地", "申请人类型"]
    sheet = wb["汇总"]
    # Labels people read, no keys of the code: the figure's name, then its value.
    from tongban.stats.selectors import FIGURES

    names_of = {str(label): name for name, label in FIGURES.items()}
    cells = [row for row in sheet.iter_rows(min_row=1, values_only=True) if row[0]]
    assert not [row[0] for row in cells if row[0] in FIGURES], "English keys in the summary"
    values = {names_of[row[0]]: row[1] for row in cells if row[0] in names_of}
    assert len(values) == len(FIGURES)
    for name, value in summary.items():
        if name not in ("from", "to", "filters", "as_of"):
            assert values[name] == value, name
    rows = list(wb["经办机构"].iter_rows(values_only=True))
    header, body, total = rows[0], rows[1:-1], rows[-1]
    assert header[:3] == ("代码", "经办机构", "申请")
    api_rows = by_office["rows"]
    assert [r[0] for r in body] == [r["key"] for r in api_rows]
    names = [n for n in summary if n not in ("from", "to", "filters", "as_of")]
    for row, api in zip(body, api_rows, strict=True):
        assert list(row[2:]) == [api[n] for n in names]
    assert list(total[2:]) == [summary[n] for n in names]
    month_rows = list(wb["月份"].iter_rows(values_only=True))[1:-1]
    assert [(r[0], r[2]) for r in month_rows] == [
        (m["key"], m["received"]) for m in by_month["rows"]
    ]


def test_the_excel_export_in_english_names_its_filters(client, vera, history):
    client.force_login(vera)
    with time_machine.travel(TODAY):
        xlsx = client.get(f"/desk/stats/export.xlsx?{MARCH}&office=371522",
                          HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    wb = load_workbook(BytesIO(xlsx.content))
    assert wb.sheetnames[0] == "Summary" and "Item" in wb.sheetnames
    cells = {row[0]: row[1] for row in wb["Summary"].iter_rows(values_only=True) if row[0]}
    assert cells["Office"] == "莘县医疗保障局"  # the office's name, not 371522
    assert "Online rate" in cells and "online_rate" not in cells


def test_the_compression_page_and_export(client, cast):
    client.force_login(cast["catalog"])
    page = client.get("/desk/stats/compression/").content.decode()
    assert "事项清单压缩情况" in page and "YB07019" in page
    xlsx = client.get("/desk/stats/compression.xlsx")
    rows = list(load_workbook(BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[2][0] == "事项编码"
    assert rows[-1][0] == "合计"


def test_the_case_list_pages_newest_first(client, vera, history, monkeypatch):
    from tongban.desk.figures import views

    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    client.force_login(vera)
    with time_machine.travel(TODAY):
        first = client.get(f"/desk/stats/cases/?{MARCH}&figure=received").content.decode()
        third = client.get(f"/desk/stats/cases/?{MARCH}&figure=received&page=3").content.decode()
    assert "申请：11 件" in first and "page=2" in first and "上一页" not in first
    assert history["c12"].number in first  # 03-31 23:59, the newest
    assert "page=2" in third and "下一页" not in third
    assert history["c1"].number in third  # 03-03 09:00, the oldest


def test_rates_round_half_up_as_people_do():
    from tongban.desk.templatetags.stats_tags import percent
    from tongban.stats.selectors import _ratio

    assert percent(_ratio(14, 17)) == "82.4%"  # 0.8235: the float 82.35 is 82.3499…
    assert percent(_ratio(1, 8)) == "12.5%" and percent(_ratio(1, 3)) == "33.3%"
    assert percent(None) == "—" and percent(1.0) == "100.0%"


def test_no_internal_words_on_the_dashboard(client, vera, history):
    client.force_login(vera)
    with time_machine.travel(TODAY):
        page = client.get("/desk/stats/?from=2025-03-01&to=2025-03-31").content.decode()
        drill = client.get("/desk/stats/cases/?from=2025-03-01&to=2025-03-31&office=371522")
        board = client.get("/desk/supervision/").content.decode()
    assert "聊城市医疗保障局" in board and "山东省" not in board  # the cards' office filter
    assert "selectors.py" not in page
    assert "山东省" not in page  # the province is no handling office
    assert "莘县医疗保障局" in drill.content.decode()  # the office's name, not only its code
