"""The public's own accounts on the portal: signing up, signing in by SMS code, a forgotten
password, and the account page (real-name verification). Each is two steps on one page:
the details or the phone, then the code that was sent; what the first step gave waits in the
session (never a password). The rules are people.accounts'."""

import json

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from tongban.lib.crypto import decrypt_str, encrypt_str
from tongban.lib.errors import DomainError
from tongban.lib.forms import form_add_domain_error
from tongban.lib.http import client_ip, private_download
from tongban.lib.identifiers import phone_mask
from tongban.people.accounts import (
    account_register,
    account_verify,
    code_send,
    code_send_if_account,
    mobile_clean,
    password_reset,
    registration_clean,
    sign_in_by_code,
)
from tongban.people.models import PhoneCode

from .access import portal_login_required
from .forms import CodeForm, CodePasswordForm, PhoneForm, RegisterForm
from .mydata import personal_data_json

_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _keep(request, key: str, value) -> None:
    """Keep `value` in the session sealed (lib.crypto): the session table holds no ID number
    or phone in the clear while a sign-up waits for its code."""
    request.session[key] = encrypt_str(json.dumps(value), purpose="portal.session")


def _kept(request, key: str):
    sealed = request.session.get(key)
    return None if sealed is None else json.loads(decrypt_str(sealed, purpose="portal.session"))


def _step(request, form, template_context: dict, status=200):
    return render(request, "portal/account_step.html", {"form": form, **template_context},
                  status=status)  # fmt: skip


@require_http_methods(["GET", "POST"])
def register(request):
    """注册: the person's or employer's details and a phone, then the code and a password."""
    if request.user.is_authenticated:
        return redirect("portal:account")
    ip = client_ip(request)
    pending = _kept(request, "signup")
    if request.GET.get("restart") or (request.method == "POST" and "details" in request.POST):
        pending = None
    if pending is None:
        form = RegisterForm(request.POST or None, initial=_kept(request, "signup_initial"))
        if request.method == "POST" and form.is_valid():
            try:
                details = registration_clean(**form.cleaned_data)
                code_send(phone=details["phone"], purpose=PhoneCode.Purpose.REGISTER, ip=ip)
            except DomainError as e:
                form_add_domain_error(form, e)
            else:
                _keep(request, "signup", details)
                _keep(request, "signup_initial", form.cleaned_data)
                return redirect("portal:register")
        return _step(request, form, {
            "title": pgettext("portal", "注册账户"), "step": 1, "submit_name": "details",
            "submit": pgettext("portal", "获取验证码"),
            "intro": pgettext("portal", "个人用本人身份证注册；单位由经办人用统一社会信用代码注册。注册后经实名核验即可网上申请。"),
        }, status=400 if form.errors else 200)  # fmt: skip
    form = CodePasswordForm(request.POST if "confirm" in request.POST else None)
    if request.method == "POST" and "resend" in request.POST:
        _resend(request, pending["phone"], PhoneCode.Purpose.REGISTER, ip)
        return redirect("portal:register")
    if request.method == "POST" and form.is_valid():
        try:
            user = account_register(details=pending, code=form.cleaned_data["code"],
                                    password=form.cleaned_data["password1"], ip=ip)  # fmt: skip
        except DomainError as e:
            form_add_domain_error(form, e, {"password": "password1", "phone": None,
                                            "id_number": None, "name": None})  # fmt: skip
        else:
            request.session.pop("signup", None)
            request.session.pop("signup_initial", None)
            login(request, user, backend=_BACKEND)
            if user.verified_at:
                messages.success(
                    request, pgettext("portal", "注册成功，已通过实名核验，可以网上申请了。")
                )
            else:
                messages.warning(
                    request,
                    pgettext(
                        "portal",
                        "注册成功，但实名核验未通过：可以浏览和咨询，暂不能申请。请核对证件信息或稍后在“我的账户”重新核验。",
                    ),
                )
            return redirect("portal:account")
    return _step(request, form, {
        "title": pgettext("portal", "注册账户"), "step": 2, "submit_name": "confirm",
        "submit": pgettext("portal", "完成注册"), "phone": phone_mask(pending["phone"]),
        "restart": reverse("portal:register") + "?restart=1",
    }, status=400 if form.errors else 200)  # fmt: skip


def _resend(request, phone: str, purpose: str, ip) -> None:
    try:
        code_send(phone=phone, purpose=purpose, ip=ip)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.info(request, pgettext("portal", "验证码已重新发送。"))


def _phone_then_code(request, *, key: str, purpose: str, title: str, form_class, done):
    """The two steps of signing in by code and of a forgotten password: a phone, then the code
    (and what `form_class` adds); `done(phone, cleaned_data)` finishes or raises DomainError."""
    ip = client_ip(request)
    phone = _kept(request, key)
    if request.GET.get("restart") or (request.method == "POST" and "phone" in request.POST):
        phone = None
    if phone is None:
        form = PhoneForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                phone = mobile_clean(form.cleaned_data["phone"])
                code_send_if_account(phone=phone, purpose=purpose, ip=ip)
            except DomainError as e:
                form_add_domain_error(form, e)
            else:
                _keep(request, key, phone)
                return redirect(request.path)
        return _step(request, form, {"title": title, "step": 1, "submit_name": "send",
                                          "submit": pgettext("portal", "获取验证码")},
                     status=400 if form.errors else 200)  # fmt: skip
    if request.method == "POST" and "resend" in request.POST:
        try:
            code_send_if_account(phone=phone, purpose=purpose, ip=ip)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.info(request, pgettext("portal", "验证码已重新发送。"))
        return redirect(request.path)
    form = form_class(request.POST if "confirm" in request.POST else None)
    if request.method == "POST" and form.is_valid():
        try:
            response = done(phone, form.cleaned_data, ip)
        except DomainError as e:
            form_add_domain_error(form, e, {"password": "password1"})
        else:
            request.session.pop(key, None)
            return response
    return _step(request, form, {
        "title": title, "step": 2, "submit_name": "confirm", "phone": phone_mask(phone),
        "submit": pgettext("portal", "确定"), "restart": request.path + "?restart=1",
        "sent_if_registered": True,
    }, status=400 if form.errors else 200)  # fmt: skip


@require_http_methods(["GET", "POST"])
def code_login(request):
    """验证码登录."""

    def done(phone, data, ip):
        user = sign_in_by_code(phone=phone, code=data["code"], ip=ip)
        login(request, user, backend=_BACKEND)
        return redirect("portal:my-cases")

    return _phone_then_code(request, key="code_login", purpose=PhoneCode.Purpose.SIGN_IN,
                            title=pgettext("portal", "短信验证码登录"), form_class=CodeForm,
                            done=done)  # fmt: skip


@require_http_methods(["GET", "POST"])
def forgot_password(request):
    """找回密码: a code to the account's phone, then a new password."""

    def done(phone, data, ip):
        password_reset(phone=phone, code=data["code"], password=data["password1"], ip=ip)
        messages.success(request, pgettext("portal", "密码已重设，请用新密码登录。"))
        return redirect("portal:login")

    return _phone_then_code(request, key="reset", purpose=PhoneCode.Purpose.RESET,
                            title=pgettext("portal", "找回密码"), form_class=CodePasswordForm,
                            done=done)  # fmt: skip


@portal_login_required
def account(request):
    """我的账户: who the account is, and whether it may apply (real-name verification)."""
    user = request.user
    return render(request, "portal/account.html", {
        "account": user, "applicant": user.applicant,
        "sign_in_name": phone_mask(user.phone) if user.phone else user.username,
    })  # fmt: skip


@portal_login_required
def my_data(request):
    """个人信息查阅复制 (PIPL §45): everything held about the account's person, as JSON."""
    body = personal_data_json(request.user, ip=client_ip(request))
    return private_download(body, filename=f"tongban-{timezone.localdate():%Y%m%d}.json",
                            content_type="application/json")  # fmt: skip


@require_POST
@portal_login_required
def verify(request):
    """Ask the identity service again (it was down, or the details were put right)."""
    if account_verify(request.user, ip=client_ip(request)):
        messages.success(request, pgettext("portal", "已通过实名核验，可以网上申请了。"))
    else:
        messages.error(
            request,
            pgettext(
                "portal",
                "实名核验未通过：证件号码与姓名不符，或核验服务暂不可用。请核对后再试，或到任一办事大厅窗口办理。",
            ),
        )
    return redirect("portal:account")
