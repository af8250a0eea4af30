from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tongban.lib.http import client_ip

from .services import SignInFailed, SignInLocked, sign_in
from .steps import CodeRequired, password_then_code, sign_in_steps


class SignInForm(AuthenticationForm):
    """Django's sign-in form under the one sign-in rule (people.services.sign_in: lock-out in
    the shared store, an audit row for every attempt). The desk, the portal and the admin
    subclass it; the API's tokens and the portal's SMS codes go through the same rule."""

    face = ""
    # Whether this door's view walks the steps after the password (people.steps: a TOTP
    # code, a new password, enrolling an authenticator): the desk's does. Others refuse an
    # account with steps left, naming the desk's sign-in page.
    walks_steps = False
    steps: list[str] = []

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data  # the fields' own errors say what is missing

        ip = client_ip(self.request) if self.request else None

        def check():
            user = authenticate(self.request, username=username, password=password)
            return password_then_code(user, ip=ip, face=self.face)

        try:
            self.user_cache = sign_in(username=username, ip=ip, face=self.face, check=check)
        except CodeRequired as e:
            self.user_cache = e.user  # the password was right; the code is the next step
        except SignInLocked as e:
            raise ValidationError(e.message, code="locked") from None
        except SignInFailed:
            raise self.get_invalid_login_error() from None
        self.confirm_login_allowed(self.user_cache)
        self.steps = sign_in_steps(self.user_cache)
        if self.steps and not self.walks_steps:
            raise ValidationError(
                _(
                    "该账户须从工作人员登录页（/desk/login/）登录：输入动态验证码、修改过期密码或绑定动态口令"
                ),
                code="steps",
            )
        return self.cleaned_data


class AdminSignInForm(SignInForm, AdminAuthenticationForm):
    """/admin/login/ under the same rule; the admin's own check (staff only) after it."""

    face = "admin"
