"""A clerk at a 通办 window, on a phone, registers a new insured person (即办件) and
finishes it on the spot."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tongban.cases.models import Case
from tongban.lib.identifiers import synthetic_resident_id

pytestmark = pytest.mark.e2e
INSTANT_ITEM = "YB01003"  # 城乡居民参保登记


def test_clerk_finishes_an_instant_item_at_the_window(page, live_server, sign_in, shot, alice):
    id_number = synthetic_resident_id(region="371522", birth=date(1992, 4, 8), seq=5)

    sign_in(page, "alice", "Pw-test-12345")
    expect(page.get_by_role("heading", name="我的工作")).to_be_visible()
    shot(page, "e2e-window-1-home")

    page.get_by_role("link", name="窗口受理").first.click()
    page.get_by_placeholder(re.compile("事项名称")).fill("参保登记")
    page.get_by_role("button", name="查找").click()
    page.locator(f"a[href='/desk/apply/{INSTANT_ITEM}/']").click()
    expect(page.get_by_role("heading", name="城乡居民参保登记")).to_be_visible()

    # The ID number is checked as it is typed.
    wrong = id_number[:17] + ("1" if id_number[17] != "1" else "2")
    page.fill("#id_id_number", wrong)
    expect(page.locator("#id-check-msg")).to_contain_text("校验位错误")
    page.fill("#id_id_number", id_number)
    expect(page.locator("#id-check-msg")).to_contain_text("正确")

    page.fill("#id_name", "赵小燕")
    page.fill("#id_phone", "13906350123")
    page.select_option("#id_insured_region", "371522")
    page.locator("input[name=materials][value=M1]").check()
    shot(page, "e2e-window-2-form")
    page.get_by_role("button", name=re.compile("^受理")).first.click()

    page.wait_for_url(re.compile(r"/desk/cases/371522-\d{8}-\d{6}/$"))
    expect(page.locator(".case-status")).to_contain_text("已办结")
    expect(page.get_by_text("办结通知书")).to_be_visible()
    shot(page, "e2e-window-3-case")

    case = Case.objects.get()
    assert case.status == "completed" and case.applicant.id_number == id_number
    assert page.url == f"{live_server.url}/desk/cases/{case.number}/"
