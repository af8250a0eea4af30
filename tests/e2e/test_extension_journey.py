"""A reviewer in 莘县 asks for an extension (延期) of an accepted 门诊费用报销 from the desk; the
office's supervisor approves it; the applicant sees the new deadline on the portal and the
延期办理告知书 among her notices. Screenshots land in TONGBAN_SHOTS_DIR."""

import pytest
from playwright.sync_api import expect

from conftest import act, submit
from tongban.cases.models import Case

from .conftest import SHOTS

pytestmark = pytest.mark.e2e
PASSWORD = "Pw-test-12345"  # the cast's (root conftest.py)


def test_an_extension_is_asked_approved_and_told(live_server, page, browser, browser_context_args,
                                                 sign_in, carol, alice, rita, olga):  # fmt: skip
    base = live_server.url
    case = act(alice, submit(carol), "accept")
    old_deadline = case.deadline
    SHOTS.mkdir(parents=True, exist_ok=True)

    sign_in(page, "rita", PASSWORD)
    page.goto(f"{base}/desk/cases/{case.number}/")
    page.locator("#act-request_extension summary").click()
    page.fill("#act-request_extension input[name=days]", "3")
    page.fill("#act-request_extension textarea[name=reason]", "需向外地医院核实票据")
    page.locator("#act-request_extension button").click()
    expect(page.locator(".msg.success")).to_contain_text("申请延期")
    expect(page.get_by_text("rita 申请延期 3 个工作日")).to_be_visible()
    page.screenshot(path=str(SHOTS / "extension-asked.png"), full_page=True)

    supervisor = browser.new_context(**browser_context_args).new_page()
    sign_in(supervisor, "olga", PASSWORD)
    supervisor.goto(f"{base}/desk/cases/{case.number}/")
    supervisor.locator("#act-decide_extension summary").click()
    supervisor.get_by_role("button", name="批准延期").click()
    expect(supervisor.locator(".msg.success")).to_contain_text("审批延期")
    expect(supervisor.get_by_text("已延期 3 个工作日")).to_be_visible()
    supervisor.screenshot(path=str(SHOTS / "extension-approved.png"), full_page=True)

    case = Case.objects.get(pk=case.pk)
    assert case.deadline > old_deadline and case.extended_days == 3

    applicant = browser.new_context(**browser_context_args).new_page()
    sign_in(applicant, "carol", PASSWORD, path="/login/")
    applicant.goto(f"{base}/cases/{case.number}/")
    expect(applicant.get_by_text("经批准延期 3 个工作日")).to_be_visible()
    expect(applicant.get_by_text("延期办理告知书")).to_be_visible()
    applicant.screenshot(path=str(SHOTS / "extension-portal.png"), full_page=True)
