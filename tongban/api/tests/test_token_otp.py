"""The token request of staff with an authenticator carries its code (`otp`), under the same
lock-out; an expired password or a required enrolment is done on the desk first."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tongban.audit.models import AuditEntry
from tongban.people.models import PasswordHistory, User
from tongban.people.tests.test_totp import enrol, next_code

from .conftest import PASSWORD, error

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token"


def _token(api, username, **extra):
    return api().post(TOKEN, {"username": username, "password": PASSWORD, **extra})


def test_a_clerk_with_a_device_needs_the_code(api, alice):
    app = enrol(alice)
    assert _token(api, "alice").status_code == 401
    assert _token(api, "alice", otp="000000").status_code == 401
    response = _token(api, "alice", otp=next_code(app))
    assert response.status_code == 200 and response.json()["token"]
    assert AuditEntry.objects.filter(event="auth.login_failed", username="alice").count() == 2


def test_wrong_codes_lock_the_account(api, alice):
    app = enrol(alice)
    for _ in range(5):
        assert _token(api, "alice", otp="000000").status_code == 401
    response = _token(api, "alice", otp=next_code(app))
    assert response.status_code == 403 and error(response)["code"] == "account_locked"


def test_a_clerk_without_a_device_needs_no_code(api, alice):
    assert _token(api, "alice").status_code == 200
    assert _token(api, "alice", otp="").status_code == 200


def test_an_expired_password_is_changed_on_the_desk_first(api, alice):
    long_ago = timezone.now() - timedelta(days=91)
    PasswordHistory.objects.filter(user=alice).update(created_at=long_ago)
    User.objects.filter(pk=alice.pk).update(date_joined=long_ago)
    response = _token(api, "alice")
    assert response.status_code == 403 and error(response)["code"] == "password_expired"


def test_a_required_enrolment_comes_first(api, alice, carol, settings):
    settings.TONGBAN_REQUIRE_TOTP = True
    response = _token(api, "alice")
    assert response.status_code == 403 and error(response)["code"] == "totp_enrolment_required"
    assert _token(api, "carol").status_code == 200  # applicants have no second factor
    app = enrol(alice)
    assert _token(api, "alice", otp=next_code(app)).status_code == 200
