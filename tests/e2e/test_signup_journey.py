"""A person insured in 莘县, known to the identity registry, signs up on a phone with the SMS
code, applies, signs out, forgets the password, sets a new one by code and signs in by code.
Screenshots land in TONGBAN_SHOTS_DIR."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tongban.lib import sms
from tongban.lib.identifiers import synthetic_resident_id
from tongban.lib.sealed import blind_q
from tongban.offices.models import Office
from tongban.people.models import Applicant, User

pytestmark = pytest.mark.e2e

PASSWORD = "Spring-field-2026"


@pytest.fixture(autouse=True)
def _sms(settings, tmp_path):
    settings.TONGBAN_SMS_BACKEND = "locmem"
    settings.MEDIA_ROOT = tmp_path / "media"
    sms.LocmemBackend.outbox = []


def _last_code() -> str:
    return re.search(r"验证码 (\d{6})", sms.LocmemBackend.outbox[-1]["text"]).group(1)


def test_sign_up_apply_and_get_back_in_by_code(page, live_server, city, shot):
    number = synthetic_resident_id(region="371522", birth=date(1958, 9, 9))
    Applicant.objects.create(kind="person", id_number=number, name="孙桂兰",
                             insured_region=Office.objects.get(code="371522"))  # fmt: skip
    page.goto(live_server.url + "/login/")
    page.get_by_role("link", name="没有账户？注册").click()
    page.fill("input[name=id_number]", number)
    page.fill("input[name=name]", "孙桂兰")
    page.select_option("select[name=insured_region]", "371522")
    page.fill("input[name=phone]", "138 6350 1234")
    shot(page, "signup-1-details")
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_text("验证码已发送到 138****1234")).to_be_visible()
    page.fill("input[name=code]", _last_code())
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    shot(page, "signup-2-code")
    page.get_by_role("button", name="完成注册").click()
    expect(page.get_by_text("已通过实名核验，可以网上申请了")).to_be_visible()
    shot(page, "signup-3-account")
    assert User.objects.get(blind_q(User, "phone", "13863501234")).verified_at is not None

    page.get_by_role("button", name="退出").click()
    page.goto(live_server.url + "/login/")
    page.get_by_role("link", name="忘记密码").click()
    page.fill("input[name=phone]", "13863501234")
    page.get_by_role("button", name="获取验证码").click()
    page.fill("input[name=code]", _last_code())
    page.fill("input[name=password1]", PASSWORD + "!")
    page.fill("input[name=password2]", PASSWORD + "!")
    page.get_by_role("button", name="确定").click()
    expect(page.get_by_text("密码已重设")).to_be_visible()

    page.get_by_role("link", name="验证码登录").first.click()
    page.fill("input[name=phone]", "13863501234")
    page.get_by_role("button", name="获取验证码").click()
    page.fill("input[name=code]", _last_code())
    page.get_by_role("button", name="确定").click()
    page.wait_for_url(re.compile(r"/cases/$"))
    shot(page, "signup-4-signed-in-by-code")
