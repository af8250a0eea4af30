"""The staff's second factor: TOTP codes (RFC 6238: six digits every 30 seconds, as any
authenticator app makes them from the QR code), computed by pyotp.

A staff member enrols on the desk: a new secret is shown as a QR code and as text, and counts
once a first code from it is typed back. Only the security administrator removes one (a lost
phone), and the owner then enrols again. The secret is sealed at rest with the data keys
(lib.crypto); a code is taken within one step of the server's clock, and never twice."""

import hmac
import re

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.audit.services import record
from tongban.lib.errors import Conflict, Forbidden, InvalidInput

from .models import PUBLIC_ROLES, Role, TotpDevice, User

ISSUER = "tongban"  # the name an authenticator app shows beside the account
DRIFT_STEPS = 1  # a code of the step before or after the server's also counts
_CODE = re.compile(r"\d{6}")


def totp_allowed(user: User) -> bool:
    """Staff may hold an authenticator; the public's accounts (applicants, agents) sign in
    by password or SMS code."""
    return user.role not in PUBLIC_ROLES


def totp_required(user: User) -> bool:
    """Whether `user` must sign in with a code (TONGBAN_REQUIRE_TOTP, on in production)."""
    return settings.TONGBAN_REQUIRE_TOTP and totp_allowed(user)


def totp_device(user: User) -> TotpDevice | None:
    """The user's confirmed authenticator, or None."""
    return TotpDevice.objects.filter(user_id=user.pk, confirmed_at__isnull=False).first()


def totp_secret(device: TotpDevice) -> str:
    """The device's base32 secret, unsealed."""
    return device.secret


def totp_uri(device: TotpDevice) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(totp_secret(device)).provisioning_uri(
        name=device.user.username, issuer_name=ISSUER
    )


def totp_qr(device: TotpDevice) -> str:
    """The QR code of totp_uri as an SVG data: URI (the CSP allows data: images)."""
    return segno.make(totp_uri(device), error="m").svg_data_uri(scale=5)


def totp_enrol_start(*, user: User) -> TotpDevice:
    """The user's authenticator being enrolled: a new secret, or the one already shown and
    not yet confirmed (a page reloaded shows the same QR code).

    Raises Forbidden for the public's accounts, Conflict if one is already confirmed."""
    if not totp_allowed(user):
        raise Forbidden(_("只有工作人员账户可以绑定动态口令"), code="totp_not_for_role")
    device = TotpDevice.objects.filter(user_id=user.pk).first()
    if device is not None and device.confirmed_at:
        raise Conflict(_("已绑定动态口令；如需更换，请联系安全管理员重置"), code="totp_enrolled")
    if device is None:
        secret = pyotp.random_base32()
        device, _created = TotpDevice.objects.get_or_create(user=user, defaults={"secret": secret})
    return device


def _counter(device: TotpDevice, code: str, now) -> int | None:
    """The time step whose code `code` is, within DRIFT_STEPS of `now`, or None."""
    code = code.replace(" ", "") if isinstance(code, str) else ""
    if not _CODE.fullmatch(code):
        return None
    totp = pyotp.TOTP(totp_secret(device))
    step = totp.timecode(now)
    for counter in range(step - DRIFT_STEPS, step + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


def totp_verify(device: TotpDevice, code: str, *, now=None) -> bool:
    """Whether `code` is the device's current code and was not taken before. A code taken is
    spent by a guarded UPDATE, so two requests with one code cannot both pass."""
    counter = _counter(device, code, now or timezone.now())
    if counter is None:
        return False
    taken = TotpDevice.objects.filter(pk=device.pk, last_counter__lt=counter)
    return taken.update(last_counter=counter) == 1


@transaction.atomic
def totp_enrol_confirm(*, user: User, code: str, ip: str | None) -> TotpDevice:
    """Confirm the authenticator being enrolled with a first code from it; from then on
    signing in asks for a code. Audited (`auth.totp_enrolled`).

    Raises Conflict when there is none being enrolled, InvalidInput (field "code") for a
    wrong code."""
    device = TotpDevice.objects.select_for_update().filter(user_id=user.pk).first()
    if device is None or device.confirmed_at:
        raise Conflict(_("没有待确认的动态口令，请重新开始绑定"), code="totp_not_enrolling")
    if not totp_verify(device, code):
        raise InvalidInput(_("动态验证码不正确，请输入验证器上当前显示的 6 位数字"),
                           code="invalid_code", field="code")  # fmt: skip
    device.refresh_from_db(fields=["last_counter"])
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed_at"])
    record(event="auth.totp_enrolled", user=user, ip=ip, target=user.pk)
    return device


@transaction.atomic
def totp_reset(*, user: User, by: User, ip: str | None) -> bool:
    """The security administrator removes `user`'s authenticator (a lost or replaced phone);
    they enrol again at their next sign-in or on the desk. Audited (`auth.totp_reset`).
    Returns whether there was one. Raises Forbidden for anyone but a security administrator
    (三权分立)."""
    if by.role != Role.SECADMIN:
        raise Forbidden(_("只有安全管理员可以重置动态口令"), code="not_secadmin")
    deleted = TotpDevice.objects.filter(user_id=user.pk).delete()[0] > 0
    record(event="auth.totp_reset", user=by, ip=ip, target=user.pk, account=user.username,
           had_device=deleted)  # fmt: skip
    return deleted
