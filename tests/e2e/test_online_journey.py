"""An applicant insured in 临清 applies online from a phone for 门诊费用报销 (a promised item);
a clerk in 莘县 asks for a supplement; the applicant uploads it; the clerk accepts; the
reviewers approve; the applicant sees it finished, downloads the 办结通知书 and rates it.

The staff steps go through the desk pages, the applicant's through the portal, each in its own
browser context at 375 x 812. Screenshots and the notice land in TONGBAN_PORTAL_SHOTS_DIR."""

import os
import re
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tongban.cases.models import Case
from tongban.portal.tests.samples import pdf_bytes, png_bytes

pytestmark = pytest.mark.e2e

PROMISED_ITEM = "YB07019"  # 门诊费用报销: 审核 → 复审; M3/M4 may come later (容缺)
PASSWORD = "Pw-test-12345"
SHOTS = Path(os.environ.get("TONGBAN_PORTAL_SHOTS_DIR", "/tmp/portal-shots"))
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")  # fmt: skip


def _file(name: str, content: bytes, mime: str) -> dict:
    return {"name": name, "mimeType": mime, "buffer": content}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    # The live server runs in this process: uploads and rendered notices go to a temporary folder.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def shoot():
    SHOTS.mkdir(parents=True, exist_ok=True)

    def _shoot(page, name):
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    return _shoot


@pytest.fixture
def phone(browser, browser_context_args):
    """new_page(): a page in a fresh phone-sized context (one person each)."""
    contexts = []

    def new_page():
        context = browser.new_context(**{**browser_context_args, "user_agent": IPHONE,
                                         "accept_downloads": True})  # fmt: skip
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()


def _staff_sign_in(page, base, username):
    page.goto(base + "/desk/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) button").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def test_an_applicant_applies_online_and_follows_the_case_to_the_end(
    live_server, phone, shoot, carol, alice, rita, sam
):
    base = live_server.url

    # --- carol, on her phone: the guides, then the application ---------------------------
    me = phone()
    me.goto(base + "/")
    expect(me.get_by_role("heading", name="办事指南")).to_be_visible()
    shoot(me, "01-home")
    me.fill("input[name=q]", "门诊费用")
    me.get_by_role("button", name="搜索").click()
    me.get_by_role("link", name=re.compile("门诊费用报销")).first.click()
    expect(me.get_by_role("heading", name="门诊费用报销")).to_be_visible()
    expect(me.get_by_text("可容缺").first).to_be_visible()
    shoot(me, "02-guide")

    me.get_by_role("link", name="在线申请").click()
    me.wait_for_url(re.compile(r"/login/"))
    shoot(me, "03-login")
    me.fill("input[name=username]", "carol")
    me.fill("input[name=password]", PASSWORD)
    me.get_by_role("button", name="登录").click()
    expect(me.get_by_role("heading", name=re.compile("在线申请"))).to_be_visible()

    me.fill("#id_form_amount", "1280.50")
    me.fill("#id_form_bank_account", "6222020200112233445")
    # A program renamed to .pdf is refused at its material, nothing saved.
    me.set_input_files(
        "#id_material_M1", _file("身份证.pdf", b"MZ\x90\x00" + b"\x00" * 300, "application/pdf")
    )
    me.set_input_files("#id_material_M2", _file("票据.jpg", png_bytes(40, 30), "image/png"))
    me.get_by_role("button", name="提交申请").click()
    expect(me.locator(".upload.has-error")).to_contain_text("只接受 PDF、JPG 或 PNG 文件")
    assert not Case.objects.exists()
    shoot(me, "04-apply-refused-file")

    me.set_input_files(
        "#id_material_M1", _file("身份证.pdf", pdf_bytes("ID card"), "application/pdf")
    )
    me.set_input_files("#id_material_M2", _file("票据.png", png_bytes(40, 30), "image/png"))
    shoot(me, "05-apply-form")
    me.get_by_role("button", name="提交申请").click()
    expect(me.get_by_role("heading", name="申请已提交")).to_be_visible()
    number = me.locator("#case-number").inner_text().strip()
    assert re.fullmatch(r"371500-\d{8}-\d{6}", number)
    shoot(me, "06-receipt")
    case = Case.objects.get(number=number)
    assert (case.channel, case.insured_region.code) == ("mobile", "371581")
    assert sorted(case.attachments.values_list("material", flat=True)) == ["M1", "M2"]

    # --- alice, a clerk in 莘县, asks for the secondary materials (一次性告知) ---------------
    desk = phone()
    _staff_sign_in(desk, base, "alice")
    desk.goto(f"{base}/desk/cases/{number}/")
    desk.locator("#act-request_supplement summary").click()
    form = desk.locator("#act-request_supplement form")
    expect(form.locator("input[name=missing_materials][value=M3]")).to_be_checked()
    expect(form.locator("input[name=missing_materials][value=M4]")).to_be_checked()
    form.locator("textarea[name=reason]").fill("请补充门急诊费用清单和病历资料")
    form.get_by_role("button", name="出具补正通知").click()
    expect(desk.locator(".case-status")).to_contain_text("待补正")

    # --- carol uploads what was asked -----------------------------------------------------
    me.goto(f"{base}/cases/")
    expect(me.locator(".case-row")).to_contain_text("需要补正 2 项材料")
    shoot(me, "07-my-cases")
    me.locator(".case-row a").first.click()
    expect(me.get_by_role("heading", name="请补正材料")).to_be_visible()
    expect(me.locator("#supplement")).to_contain_text("门急诊费用清单")
    expect(me.locator("#supplement")).to_contain_text("处方底方或病历资料")
    shoot(me, "08-case-supplement-asked")
    with me.expect_download() as notice:
        me.get_by_role("link", name=re.compile("补正材料通知书")).click()
    (SHOTS / "补正材料通知书.pdf").write_bytes(Path(notice.value.path()).read_bytes())
    me.set_input_files("#id_material_M3", _file("清单.pdf", pdf_bytes("list"), "application/pdf"))
    me.set_input_files("#id_material_M4", _file("病历.png", png_bytes(30, 40), "image/png"))
    me.get_by_role("button", name="提交补正材料").click()
    expect(me.locator(".msg.success")).to_contain_text("补正材料已提交")
    case.refresh_from_db()
    assert case.status == "submitted" and case.supplied_materials == ["M1", "M2", "M3", "M4"]

    # --- alice accepts; rita (审核) and sam (复审) approve ----------------------------------
    desk.goto(f"{base}/desk/cases/{number}/")
    desk.locator("#act-accept").get_by_role("button", name="受理").click()
    expect(desk.locator(".case-status")).to_contain_text("已受理")
    for reviewer in ("rita", "sam"):
        staff = phone()
        _staff_sign_in(staff, base, reviewer)
        staff.goto(f"{base}/desk/cases/{number}/")
        form = staff.locator("#act-approve")
        if reviewer == "sam":  # the last step fills in the decision (办结结果)
            form.locator("[name=decision_amount_approved]").fill("1200")
            form.locator("[name=decision_amount_not_covered]").fill("80.50")
            form.locator("[name=decision_not_covered_reason]").fill("自费药品")
            form.locator("[name=decision_paid_to_account]").fill(case.form["bank_account"])
            form.locator("[name=decision_payment_date]").fill(timezone.localdate().isoformat())
            shoot(staff, "08b-decision")
        form.get_by_role("button", name="通过").click()
        expect(staff.locator(".msg.success")).to_be_visible()
    case.refresh_from_db()
    assert (case.status, case.result) == ("completed", "approved")

    # --- carol sees it finished, downloads the 办结通知书 and rates the service -------------
    me.goto(f"{base}/cases/{number}/")
    expect(me.locator(".case-status")).to_contain_text("已办结")
    shoot(me, "09-case-finished")
    with me.expect_download() as notice:
        me.get_by_role("link", name=re.compile("办结通知书")).click()
    pdf = Path(notice.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    (SHOTS / "办结通知书.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(SHOTS / "办结通知书.pdf"), "-"], capture_output=True
    ).stdout.decode()
    assert number in text and "莘县医疗保障局" in text and "准予办理" in text
    flat = "".join(text.split())
    assert "1200.00元" in flat and "自费药品" in flat and "行政许可法" not in flat

    rate = me.locator("#rate")
    expect(rate).to_contain_text("评价本次服务")
    rate.locator("label[for=score-5]").click()
    rate.locator("textarea[name=comment]").fill("网上就办好了，不用跑临清")
    rate.get_by_role("button", name="提交评价").click()
    expect(me.locator(".msg.success")).to_contain_text("感谢你的评价")
    expect(me.locator("#rate")).to_contain_text("非常满意")
    shoot(me, "10-rated")
    assert case.evaluations.get().score == 5

    # --- anyone with the notice's QR code and the ID number sees the status ----------------
    guest = phone()
    guest.goto(f"{base}/lookup/?number={number}")
    guest.fill("#id_id", carol.applicant.id_number)
    guest.get_by_role("button", name="查询").click()
    expect(guest.locator(".lookup-result")).to_contain_text("已办结")
    expect(guest.locator(".lookup-result")).not_to_contain_text(carol.applicant.name)
    shoot(guest, "11-lookup")
