"""The staff's authenticator: enrolment, codes taken once, the secret sealed, resets."""

import pyotp
import pytest
import time_machine
from django.utils import timezone

from conftest import _user
from tongban.audit.models import AuditEntry
from tongban.lib.errors import Conflict, Forbidden, InvalidInput
from tongban.people.models import Role, TotpDevice
from tongban.people.totp import (
    totp_device,
    totp_enrol_confirm,
    totp_enrol_start,
    totp_reset,
    totp_secret,
    totp_uri,
    totp_verify,
)

pytestmark = pytest.mark.django_db


def enrol(user) -> pyotp.TOTP:
    """Enrol `user` as the desk does; the authenticator app's side of it."""
    device = totp_enrol_start(user=user)
    app = pyotp.TOTP(totp_secret(device))
    totp_enrol_confirm(user=user, code=app.now(), ip="10.0.0.1")
    return app


def next_code(app: pyotp.TOTP) -> str:
    """The code of the next 30-second step (a code already taken is refused)."""
    return app.at(timezone.now(), counter_offset=1)


def test_a_first_code_confirms_the_device_and_is_audited(alice):
    device = totp_enrol_start(user=alice)
    assert totp_device(alice) is None  # not until confirmed
    assert totp_enrol_start(user=alice).pk == device.pk  # a reload shows the same secret
    with pytest.raises(InvalidInput) as e:
        totp_enrol_confirm(user=alice, code="000000", ip=None)
    assert e.value.field == "code"
    totp_enrol_confirm(user=alice, code=pyotp.TOTP(totp_secret(device)).now(), ip="10.0.0.1")
    assert totp_device(alice) is not None
    assert AuditEntry.objects.get(event="auth.totp_enrolled").user == alice
    with pytest.raises(Conflict):
        totp_enrol_start(user=alice)  # a second one only after a reset


def test_the_secret_is_sealed_at_rest(alice):
    device = totp_enrol_start(user=alice)
    secret = totp_secret(device)
    stored = TotpDevice.objects.values_list("secret", flat=True).get(pk=device.pk)
    assert secret not in stored and stored.startswith("sm4gcm1$")
    assert f"secret={secret}" in totp_uri(device) and "issuer=tongban" in totp_uri(device)


def test_a_code_is_taken_once(alice):
    app = enrol(alice)
    device = totp_device(alice)
    code = next_code(app)
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=30)):
        assert totp_verify(device, code) is True
        assert totp_verify(device, code) is False  # replayed


def test_the_step_before_and_after_count_not_further(alice):
    app = enrol(alice)
    device = totp_device(alice)
    now = timezone.now() + timezone.timedelta(minutes=5)
    assert totp_verify(device, app.at(now, counter_offset=-2), now=now) is False
    assert totp_verify(device, app.at(now, counter_offset=2), now=now) is False
    assert totp_verify(device, app.at(now, counter_offset=1), now=now) is True
    assert totp_verify(device, "12 34") is False and totp_verify(device, "abcdef") is False


def test_the_public_accounts_cannot_enrol(carol, dave):
    for user in (carol, dave):
        with pytest.raises(Forbidden):
            totp_enrol_start(user=user)


def test_only_the_security_administrator_resets_a_device(alice, city):
    enrol(alice)
    for role in (Role.SYSADMIN, Role.AUDITOR, Role.CLERK):
        with pytest.raises(Forbidden):
            totp_reset(user=alice, by=_user(f"x-{role}", role), ip=None)
    assert totp_device(alice) is not None
    secadmin = _user("sec", Role.SECADMIN)
    assert totp_reset(user=alice, by=secadmin, ip="10.0.0.9") is True
    assert totp_device(alice) is None and not TotpDevice.objects.filter(user=alice).exists()
    entry = AuditEntry.objects.get(event="auth.totp_reset")
    assert entry.user == secadmin and entry.target == str(alice.pk)
