"""A clerk enrols an authenticator on the desk, then signs in with a code from it."""

import re

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tongban.audit.models import AuditEntry

pytestmark = pytest.mark.e2e


def test_clerk_enrols_totp_and_signs_in_with_a_code(page, live_server, sign_in, shot, alice):
    sign_in(page, "alice", "Pw-test-12345")
    page.get_by_role("link", name="账户安全").click()
    expect(page.get_by_role("heading", name="账户安全")).to_be_visible()
    expect(page.get_by_role("img", name="动态口令二维码")).to_be_visible()
    shot(page, "e2e-totp-1-enrol")

    # The authenticator app's side: the secret as shown (the QR code holds the same).
    app = pyotp.TOTP(page.locator("#totp-secret").inner_text().replace(" ", ""))
    page.get_by_label("动态验证码").fill("000000")
    page.get_by_role("button", name="验证并绑定").click()
    expect(page.get_by_role("alert")).to_contain_text("动态验证码不正确")
    page.get_by_label("动态验证码").fill(app.now())
    page.get_by_role("button", name="验证并绑定").click()
    expect(page.get_by_text("动态口令已绑定")).to_be_visible()

    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/desk/login/"))
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "Pw-test-12345")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/desk/login/next/$"))
    expect(page.get_by_role("heading", name="输入动态验证码")).to_be_visible()
    shot(page, "e2e-totp-2-code")
    # The enrolment took this step's code: the next step's is within the accepted drift.
    page.get_by_label("动态验证码").fill(app.at(timezone.now(), counter_offset=1))
    page.get_by_role("button", name="验证并继续").click()

    page.wait_for_url(f"{live_server.url}/desk/")
    expect(page.get_by_role("heading", name="我的工作")).to_be_visible()
    assert AuditEntry.objects.filter(event="auth.totp_enrolled", user=alice).exists()
    assert AuditEntry.objects.filter(event="auth.code_asked", user=alice).exists()
