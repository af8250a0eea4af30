"""一件事 in a browser: carol applies on the portal for the newborn bundle (城乡居民参保登记 +
生育医疗费支付) with one form and one upload per material; at the 莘县 window alice finds it in
the intake as one bundle, takes it whole and accepts every item in one step (the instant item
finished on the spot, the other in review); carol sees the bundle's status. Then alice applies
for an employer's 企业开办 bundle at the window in one step. Screenshots in TONGBAN_SHOTS_DIR."""

import pytest
from playwright.sync_api import expect

from tongban.cases.models import BundleApplication, Status
from tongban.lib.identifiers import synthetic_uscc
from tongban.portal.tests.samples import pdf_bytes

pytestmark = pytest.mark.e2e
PASSWORD = "Pw-test-12345"


def _pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes(name)}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_bundle_applied_for_online_is_taken_whole_and_accepted_in_one_step(
    browser, browser_context_args, live_server, sign_in, shot, alice, carol
):
    # --- carol on her phone: one form, one upload per material ---------------------------
    phone = browser.new_context(**browser_context_args).new_page()
    sign_in(phone, "carol", PASSWORD, path="/login/")
    phone.goto(live_server.url + "/bundles/")
    phone.locator("section.card", has_text="新生儿出生医保一件事").get_by_role("link", name="在线申请").click()
    phone.fill("#id_form_note", "新生儿 王小宝，2026-11-20 出生")
    phone.fill("#id_form_amount", "3260.00")
    phone.fill("#id_form_bank_account", "6222020200112233445")
    for code in ("B01", "B02", "B03", "B04", "B05"):
        phone.set_input_files(f"#id_material_{code}", _pdf(f"{code}.pdf"))
    shot(phone, "bundle-1-portal-apply")
    phone.get_by_role("button", name="提交申请").click()
    expect(phone.locator("#bundle-state")).to_have_text("待受理")
    application = BundleApplication.objects.get()

    # --- alice at the window: the intake shows it as one bundle ---------------------------
    desk = browser.new_context(**{**browser_context_args, "viewport": {"width": 1280, "height": 900}}).new_page()
    sign_in(desk, "alice", PASSWORD)
    desk.goto(live_server.url + "/desk/?scope=intake")
    desk.get_by_role("link", name=f"一件事 {application.number}").first.click()
    desk.get_by_role("button", name="认领整件（全部事项由我办理）").click()
    desk.locator("form", has_text="一并受理").get_by_role("button", name="一并受理").click()
    expect(desk.locator("#bundle-state")).to_have_text("审核中")
    shot(desk, "bundle-2-desk-accepted")
    statuses = sorted(application.cases.values_list("status", flat=True))
    assert statuses == [Status.ACCEPTED, Status.COMPLETED]

    # --- carol follows it as one thing ---------------------------------------------------
    phone.reload()
    expect(phone.locator("#bundle-state")).to_have_text("审核中")
    expect(phone.get_by_role("link", name="一件事申请回执")).to_be_visible()
    shot(phone, "bundle-3-portal-status")


def test_the_window_applies_for_an_employers_bundle_and_finishes_it_at_once(
    browser, browser_context_args, live_server, sign_in, shot, alice
):
    desk = browser.new_context(**{**browser_context_args, "viewport": {"width": 1280, "height": 900}}).new_page()
    sign_in(desk, "alice", PASSWORD)
    desk.get_by_role("link", name="一件事").first.click()
    desk.locator("tr", has_text="企业开办医保参保一件事").get_by_role("link", name="窗口申请").click()
    desk.fill("input[name=id_number]", synthetic_uscc(region="371522", seq=9))
    desk.fill("input[name=name]", "莘县测试农资有限公司")
    desk.fill("input[name=phone]", "13800000099")
    desk.select_option("select[name=insured_region]", "371522")
    for code in ("B01", "B02", "B03", "B04"):
        desk.check(f"input[name=materials][value={code}]")
    desk.fill("#id_form_note", "首批参保职工 12 人")
    shot(desk, "bundle-4-window-form")
    desk.get_by_role("button", name="一并受理").click()
    expect(desk.locator("#bundle-state")).to_have_text("全部办结")
    shot(desk, "bundle-5-window-finished")
