"""What a staff member's sign-in asks after the password, before the session is signed in:
a TOTP code when they have an authenticator, a new password when theirs has expired, an
authenticator when TONGBAN_REQUIRE_TOTP wants one and they have none.

The desk walks through these steps (desk.security); a door that cannot (the admin's own form,
the portal) refuses such an account and names the desk's sign-in page. The API asks for the
code in the token request itself (`sign_in_check`).

The code goes through the one sign-in rule (services.sign_in) as the end of the same attempt:
a right password for an account with an authenticator is counted but not cleared
(CodeRequired is raised inside the check), so typing the password again does not buy more
guesses at the code; only the right code clears the account's count."""

from django.utils.translation import gettext as _

from tongban.audit.services import record
from tongban.lib.errors import Forbidden

from .limits import limit_refund
from .models import User
from .passwords import password_expired
from .services import _sign_in_keys, sign_in
from .totp import totp_device, totp_required, totp_verify

CODE, NEW_PASSWORD, ENROL = "code", "new_password", "enrol"


class CodeRequired(Exception):
    """Raised inside a sign-in check: the password is right, a TOTP code must follow."""

    def __init__(self, user: User):
        super().__init__(user.username)
        self.user = user


def password_then_code(user: User | None, *, ip: str | None, face: str) -> User | None:
    """For a sign-in check, after the password: the user, or CodeRequired (audited as
    `auth.code_asked`) if they have an authenticator."""
    if user is not None and totp_device(user) is not None:
        record(event="auth.code_asked", user=user, ip=ip, face=face)
        raise CodeRequired(user)
    return user


def sign_in_steps(user: User, *, code_done: bool = False) -> list[str]:
    """The steps still between `user`, whose password was right, and a signed-in session."""
    steps = []
    if not code_done and totp_device(user) is not None:
        steps.append(CODE)
    if password_expired(user):
        steps.append(NEW_PASSWORD)
    if totp_required(user) and totp_device(user) is None:
        steps.append(ENROL)
    return steps


def sign_in_code(*, user: User, code: str, ip: str | None, face: str) -> User:
    """The second half of a sign-in: `user`'s TOTP code, under the one sign-in rule (wrong
    codes count toward the lock-out like wrong passwords; audited). Raises SignInLocked or
    SignInFailed."""

    def check():
        device = totp_device(user)
        ok = user.is_active and device is not None and totp_verify(device, code)
        return user if ok else None

    user = sign_in(username=user.username, ip=ip, face=face, check=check,
                   message=_("动态验证码不正确或已使用，请输入验证器上当前显示的 6 位数字"))  # fmt: skip
    # The password's half counted once for the address too; a completed sign-in counts none.
    limit_refund(_sign_in_keys(user.username, ip)[2])
    return user


def sign_in_check(user: User | None, code: str) -> User | None:
    """For a sign-in check that takes password and code at once (the API's token): the user
    if the code is right too, or None (a failure the lock-out counts)."""
    if user is None:
        return None
    device = totp_device(user)
    if device is not None and not totp_verify(device, code or ""):
        return None
    return user


def sign_in_blocked(user: User) -> None:
    """For a door that cannot walk the desk's steps (the API's token): raise Forbidden when
    the password has expired or an authenticator must be enrolled first."""
    if password_expired(user):
        raise Forbidden(_("密码已过期，请先在工作人员登录页（/desk/login/）修改密码"),
                        code="password_expired")  # fmt: skip
    if totp_required(user) and totp_device(user) is None:
        raise Forbidden(_("请先在工作人员登录页（/desk/login/）绑定动态口令"),
                        code="totp_enrolment_required")  # fmt: skip
