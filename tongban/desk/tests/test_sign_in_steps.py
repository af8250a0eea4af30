"""The staff's sign-in after the password: a TOTP code, an expired password, enrolling; the
session is signed in only when none is left. Also one's own password and authenticator pages."""

import os
import subprocess
import sys
from datetime import timedelta

import pyotp
import pytest
import time_machine
from django.utils import timezone

from conftest import _user
from tongban.audit.models import AuditEntry
from tongban.lib.crypto import key_line_new
from tongban.people.models import PasswordHistory, Role, TotpDevice, User
from tongban.people.tests.test_totp import enrol, next_code
from tongban.people.totp import totp_device, totp_secret

pytestmark = pytest.mark.django_db
PASSWORD = "Pw-test-12345"
STEP = "/desk/login/next/"


def _login(client, username, password=PASSWORD, **extra):
    return client.post("/desk/login/", {"username": username, "password": password, **extra})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _expire(user):
    """Make `user`'s password 91 days old (the cast's accounts have no history yet)."""
    long_ago = timezone.now() - timedelta(days=91)
    PasswordHistory.objects.filter(user=user).update(created_at=long_ago)
    User.objects.filter(pk=user.pk).update(date_joined=long_ago)


# --- A code after the password --------------------------------------------------------------


def test_the_password_alone_does_not_sign_in_an_account_with_a_device(client, alice):
    app = enrol(alice)
    response = _login(client, "alice", next="/desk/policies/")
    assert response.status_code == 302 and response["Location"] == STEP
    assert not _signed_in(client)
    assert client.get("/desk/").status_code == 302  # still the sign-in page
    page = client.get(STEP)
    assert "动态验证码" in page.content.decode()

    response = client.post(STEP, {"code": next_code(app)})
    assert response.status_code == 302 and response["Location"] == STEP
    response = client.get(STEP)
    assert response["Location"] == "/desk/policies/"  # `next` is kept through the steps
    assert _signed_in(client) and client.session["_auth_user_id"] == str(alice.pk)
    assert AuditEntry.objects.filter(event="auth.code_asked", user=alice).count() == 1
    assert AuditEntry.objects.filter(event="auth.login", user=alice).count() == 1


def test_a_wrong_code_is_refused_and_recorded(client, alice):
    enrol(alice)
    _login(client, "alice")
    response = client.post(STEP, {"code": "000000"})
    assert response.status_code == 400 and "动态验证码不正确" in response.content.decode()
    assert not _signed_in(client)
    failure = AuditEntry.objects.get(event="auth.login_failed")
    assert failure.username == "alice" and failure.data["reason"] == "bad_credentials"


def test_wrong_codes_lock_the_account_and_the_password_again_buys_no_more(client, alice):
    app = enrol(alice)
    for _ in range(2):  # password right, code wrong, twice: 4 of the 5 tries used
        assert _login(client, "alice")["Location"] == STEP
        client.post(STEP, {"code": "000000"})
    assert _login(client, "alice")["Location"] == STEP  # the fifth: the right password
    response = client.post(STEP, {"code": "000000"})  # the sixth: over the limit
    assert "锁定" in response.content.decode()
    response = client.post(STEP, {"code": next_code(app)})  # even the right code now
    assert "锁定" in response.content.decode() and not _signed_in(client)
    assert "锁定" in _login(client, "alice").content.decode()


def test_a_right_code_clears_the_count_for_the_account_and_the_address(client, alice):
    from tongban.people.limits import limit_peek

    app = enrol(alice)
    _login(client, "alice")
    client.post(STEP, {"code": next_code(app)})
    client.get(STEP)
    assert _signed_in(client)
    assert limit_peek("signin:alice|127.0.0.1").count == 0
    assert limit_peek("signin-ip:127.0.0.1").count == 0  # 30 colleagues behind one NAT


def test_a_pending_sign_in_dies_after_ten_minutes(client, alice):
    app = enrol(alice)
    _login(client, "alice")
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        response = client.post(STEP, {"code": app.now()})
    assert response["Location"] == "/desk/login/" and not _signed_in(client)


def test_a_pending_sign_in_dies_with_a_password_change(client, alice):
    app = enrol(alice)
    _login(client, "alice")
    alice.set_password("Pw-changed-elsewhere")
    alice.save()
    response = client.post(STEP, {"code": next_code(app)})
    assert response["Location"] == "/desk/login/" and not _signed_in(client)


def test_the_step_page_without_a_pending_sign_in_goes_back_to_sign_in(client, alice):
    assert client.get(STEP)["Location"] == "/desk/login/"


# --- An expired password --------------------------------------------------------------------


def test_an_expired_password_is_changed_before_anything_else(client, alice):
    _expire(alice)
    assert _login(client, "alice")["Location"] == STEP
    assert not _signed_in(client)
    assert client.get("/desk/").status_code == 302
    page = client.get(STEP).content.decode()
    assert "密码已过期" in page and "new_password1" in page

    reused = client.post(STEP, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert reused.status_code == 400 and "最近" in reused.content.decode()
    weak = client.post(STEP, {"new_password1": "alllowercase", "new_password2": "alllowercase"})
    assert weak.status_code == 400

    new = "Pw-fresh-2026!"
    response = client.post(STEP, {"new_password1": new, "new_password2": new})
    assert client.get(response["Location"])["Location"] == "/desk/"
    assert _signed_in(client)
    alice.refresh_from_db()
    assert alice.check_password(new)
    entry = AuditEntry.objects.get(event="auth.password_changed")
    assert entry.user == alice and entry.data["reason"] == "expired"


def test_an_expired_password_then_a_code(client, alice):
    app = enrol(alice)
    _expire(alice)
    _login(client, "alice")
    assert "动态验证码" in client.get(STEP).content.decode()  # the code first
    client.post(STEP, {"code": next_code(app)})
    assert "new_password1" in client.get(STEP).content.decode()
    assert not _signed_in(client)


def test_the_public_accounts_passwords_do_not_expire(client, dave):
    _expire(dave)
    assert _login(client, "dave")["Location"] == "/desk/"


# --- Enrolling when TOTP is required --------------------------------------------------------


def test_with_totp_required_staff_enrol_before_anything_else(client, settings, alice):
    settings.TONGBAN_REQUIRE_TOTP = True
    assert _login(client, "alice")["Location"] == STEP
    page = client.get(STEP)
    assert not _signed_in(client)
    html = page.content.decode()
    assert "data:image/svg+xml" in html
    secret = totp_secret(TotpDevice.objects.get(user=alice))
    assert secret[:4] + " " + secret[4:8] in html  # shown in groups of four
    assert client.post(STEP, {"code": "000000"}).status_code == 400
    client.post(STEP, {"code": pyotp.TOTP(secret).now()})
    assert client.get(STEP)["Location"] == "/desk/"
    assert _signed_in(client) and totp_device(alice) is not None


def test_totp_required_leaves_the_public_accounts_alone(client, settings, dave):
    settings.TONGBAN_REQUIRE_TOTP = True
    assert _login(client, "dave")["Location"] == "/desk/"


@pytest.mark.parametrize(
    ("profile", "required"), [("development", "False"), ("production", "True")]
)
def test_totp_is_off_by_default_and_on_in_the_production_profile(tmp_path, profile, required):
    # Settings are read once per process: a fresh Python reads them under the profile.
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_")}
    env |= {"TONGBAN_DATA_DIR": str(tmp_path), "TONGBAN_PROFILE": profile,
            "TONGBAN_IDENTITY_BACKEND": "tongban.people.identity.IdentityService",
            "TONGBAN_SECRET_KEY": "x" * 50, "TONGBAN_DATA_KEY": key_line_new("k1"),
            "DJANGO_SETTINGS_MODULE": "tongban.settings"}  # fmt: skip
    code = "from django.conf import settings; print(settings.TONGBAN_REQUIRE_TOTP)"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.stdout.strip() == required, done.stderr


# --- The admin's sign-in --------------------------------------------------------------------


def test_the_admin_sign_in_page_posts_to_the_desk(client):
    page = client.get("/admin/login/?next=/admin/").content.decode()
    assert 'action="/desk/login/"' in page and 'value="/admin/"' in page


def test_the_admins_own_form_refuses_an_account_with_a_device(client, city):
    sec = _user("sec", Role.SECADMIN)
    sec.is_staff = True
    sec.save()
    app = enrol(sec)
    response = client.post("/admin/login/", {"username": "sec", "password": PASSWORD})
    assert response.status_code == 200 and "/desk/login/" in response.content.decode()
    assert not _signed_in(client)
    # Through the desk's page, which the admin's posts to, then back to the admin.
    response = _login(client, "sec", next="/admin/")
    client.post(STEP, {"code": next_code(app)})
    assert client.get(STEP)["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


# --- One's own password and authenticator ---------------------------------------------------


def test_a_clerk_enrols_on_the_security_page(client, alice):
    client.force_login(alice)
    page = client.get("/desk/account/").content.decode()
    secret = totp_secret(TotpDevice.objects.get(user=alice))
    assert secret[:4] + " " + secret[4:8] in page and "data:image/svg+xml" in page
    assert client.post("/desk/account/", {"code": "123"}).status_code == 400
    response = client.post("/desk/account/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert totp_device(alice) is not None
    assert "已于" in client.get("/desk/account/").content.decode()


def test_the_public_accounts_have_no_authenticator_to_enrol(client, dave):
    client.force_login(dave)
    page = client.get("/desk/account/")
    assert page.status_code == 200 and "totp-secret" not in page.content.decode()
    assert client.post("/desk/account/", {"code": "123456"}).status_code == 200
    assert not TotpDevice.objects.exists()


def test_an_administrator_reaches_the_pages_too(client, city):
    auditor = _user("aud", Role.AUDITOR)
    client.force_login(auditor)
    assert client.get("/desk/account/").status_code == 200
    assert client.get("/desk/account/password/").status_code == 200


def test_changing_ones_password_keeps_the_session_and_is_audited(client, alice):
    client.force_login(alice)
    new = "Pw-mine-2026!"
    response = client.post("/desk/account/password/", {
        "old_password": PASSWORD, "new_password1": new, "new_password2": new,
    })  # fmt: skip
    assert response.status_code == 302
    assert client.get("/desk/").status_code == 200
    entry = AuditEntry.objects.get(event="auth.password_changed")
    assert entry.user == alice and entry.data["reason"] == "changed"
    again = client.post("/desk/account/password/", {
        "old_password": new, "new_password1": PASSWORD, "new_password2": PASSWORD,
    })  # fmt: skip
    assert again.status_code == 400  # the one before: in the history
