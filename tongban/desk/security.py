"""The staff's sign-in steps after the password, and their own password and authenticator.

A right password that has steps left (people.steps: a TOTP code, a new password for an
expired one, an authenticator that TONGBAN_REQUIRE_TOTP wants) does not sign the session in:
the session holds the pending sign-in (whose, with which backend, the account's stamp, when)
and `sign_in_step` shows one step at a time. Only when none is left is the session signed in,
so no page, API call or admin view can be reached half-way. A pending sign-in dies after
STEP_SECONDS, or when the account's password, role or active flag changes meanwhile."""

import time

from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tongban.lib.errors import Conflict, DomainError
from tongban.lib.forms import form_add_domain_error
from tongban.lib.http import client_ip
from tongban.people.models import Role, User, user_stamp
from tongban.people.passwords import password_set
from tongban.people.services import SignInFailed, SignInLocked
from tongban.people.steps import CODE, NEW_PASSWORD, sign_in_code, sign_in_steps
from tongban.people.totp import (
    totp_allowed,
    totp_device,
    totp_enrol_confirm,
    totp_enrol_start,
    totp_qr,
    totp_secret,
)

from .access import DESK_ROLES, PORTAL_URL, role_view

PENDING = "tongban.sign_in"  # the session key of a pending sign-in
STEP_SECONDS = 10 * 60


def home_for(user: User) -> str:
    """Where a signed-in user starts: the desk, the portal, the audit trail (the auditor), or
    the admin (the system and security administrators)."""
    if user.role in DESK_ROLES:
        return reverse("desk:home")
    if user.role == Role.AUDITOR:
        return reverse("desk:audit")
    return PORTAL_URL if user.role == Role.APPLICANT else "/admin/"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("动态验证码"), max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True}),
    )  # fmt: skip


def _grouped(secret: str) -> str:
    """The secret in groups of four, as authenticator apps accept it typed."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- The pending sign-in --------------------------------------------------------------------


def sign_in_begin(request, user: User, *, next_url: str) -> None:
    """Hold `user` (password right, steps left) in the session, not signed in."""
    request.session.cycle_key()  # a new session id for what is now a half-proven session
    request.session[PENDING] = {
        "user": user.pk, "backend": user.backend, "stamp": user_stamp(user), "at": time.time(),
        "code_done": False, "next": next_url,
    }  # fmt: skip


def _pending(request) -> tuple[User, dict] | None:
    state = request.session.get(PENDING)
    if not state:
        return None
    user = User.objects.filter(pk=state["user"], is_active=True).first()
    if (
        user is None
        or user_stamp(user) != state["stamp"]
        or time.time() - state["at"] > STEP_SECONDS
    ):
        del request.session[PENDING]
        return None
    return user, state


def _save(request, state: dict) -> None:
    request.session[PENDING] = state  # a new dict object: the session sees the change


def _finish(request, user: User, state: dict):
    del request.session[PENDING]
    auth_login(request, user, backend=state["backend"])
    return redirect(state["next"] or home_for(user))


@require_http_methods(["GET", "POST"])
def sign_in_step(request):
    """The next step of a pending sign-in: a code, a new password, or enrolling."""
    pending = _pending(request)
    if pending is None:
        messages.error(request, _("登录已超时或账户已变更，请重新登录"))
        return redirect("desk:login")
    user, state = pending
    steps = sign_in_steps(user, code_done=state["code_done"])
    if not steps:
        return _finish(request, user, state)
    step, data, ip = (
        steps[0],
        request.POST if request.method == "POST" else None,
        client_ip(request),
    )
    context = {"step": step, "account": user, "steps": steps}
    if step == CODE:
        form = CodeForm(data)
        if form.is_valid():
            try:
                sign_in_code(user=user, code=form.cleaned_data["code"], ip=ip, face="desk")
            except (SignInLocked, SignInFailed) as e:
                form.add_error("code", e.message)
            else:
                _save(request, {**state, "code_done": True})
                return redirect("desk:sign-in-step")
    elif step == NEW_PASSWORD:
        form = SetPasswordForm(user, data)
        if form.is_valid():
            password_set(user=user, password=form.cleaned_data["new_password1"], by=user, ip=ip,
                         reason="expired")  # fmt: skip
            _save(request, {**state, "stamp": user_stamp(user)})
            return redirect("desk:sign-in-step")
    else:  # ENROL
        form = CodeForm(data)
        device = totp_enrol_start(user=user)
        if form.is_valid():
            try:
                totp_enrol_confirm(user=user, code=form.cleaned_data["code"], ip=ip)
            except DomainError as e:
                form_add_domain_error(form, e)
            else:
                _save(request, {**state, "code_done": True})  # the first code proved it
                return redirect("desk:sign-in-step")
        context.update(qr=totp_qr(device), secret=_grouped(totp_secret(device)))
    context["form"] = form
    status = 400 if data is not None else 200
    return render(request, "desk/sign_in_step.html", context, status=status)


# --- One's own password and authenticator ---------------------------------------------------


# Signed-in staff of any role, administrators included (their password and authenticator are
# theirs too); applicants have the portal.
staff_view = role_view()


@staff_view
@require_http_methods(["GET", "POST"])
def password_change(request):
    user = request.user
    form = PasswordChangeForm(user, request.POST if request.method == "POST" else None)
    if form.is_valid():
        password_set(user=user, password=form.cleaned_data["new_password1"], by=user,
                     ip=client_ip(request), reason="changed")  # fmt: skip
        update_session_auth_hash(request, user)  # this session stays signed in; others end
        messages.success(request, _("密码已修改"))
        return redirect("desk:security")
    return render(request, "desk/password_change.html", {"form": form},
                  status=400 if form.is_bound else 200)  # fmt: skip


@staff_view
@require_http_methods(["GET", "POST"])
def security(request):
    """The account's security: its authenticator (staff enrol one here) and a link to its
    password."""
    user = request.user
    device = totp_device(user)
    context = {"device": device, "totp_allowed": totp_allowed(user)}
    if device is None and context["totp_allowed"]:
        form = CodeForm(request.POST if request.method == "POST" else None)
        try:
            pending = totp_enrol_start(user=user)
        except Conflict:  # confirmed by another request meanwhile
            return redirect("desk:security")
        if form.is_valid():
            try:
                totp_enrol_confirm(user=user, code=form.cleaned_data["code"], ip=client_ip(request))
            except DomainError as e:
                form_add_domain_error(form, e)
            else:
                messages.success(request, _("动态口令已绑定，今后登录需输入动态验证码"))
                return redirect("desk:security")
        context.update(form=form, qr=totp_qr(pending), secret=_grouped(totp_secret(pending)))
        if form.is_bound:
            return render(request, "desk/security.html", context, status=400)
    return render(request, "desk/security.html", context)
