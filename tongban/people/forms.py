from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import record

from .services import login_locked


class SignInForm(AuthenticationForm):
    """Django's sign-in form with the 等保 lock-out (people.services.login_locked) and an
    audit row for every attempt. The desk and the portal subclass it; the API applies the
    same rule to its tokens."""

    face = ""
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("连续登录失败次数过多，账户已临时锁定，请 15 分钟后再试。"),
    }

    def _ip(self):
        return self.request.META.get("REMOTE_ADDR") if self.request else None

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        if login_locked(username):
            record(event="auth.login_failed", outcome="failure", username=username, ip=self._ip(),
                   reason="locked", face=self.face)  # fmt: skip
            raise ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except ValidationError:
            record(event="auth.login_failed", outcome="failure", username=username, ip=self._ip(),
                   reason="bad_credentials", face=self.face)  # fmt: skip
            raise
        record(event="auth.login", user=self.get_user(), ip=self._ip(), face=self.face)
        return cleaned
