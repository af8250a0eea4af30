"""The public's own accounts: signing up with a one-time code sent by SMS, real-name
verification, signing in by code, and a forgotten password. The portal's pages call these;
signing in by code goes through the one sign-in rule (services.sign_in)."""

import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.audit.services import record
from tongban.lib import sql
from tongban.lib.errors import InvalidInput
from tongban.lib.identifiers import phone_mask
from tongban.lib.sealed import blind_q
from tongban.lib.text import name_clean, text_clean
from tongban.offices.selectors import office_by_code

from .codes import (  # noqa: F401 (the portal imports the code helpers from here)
    CODE_TRIES,
    CodeNotSent,
    TooManyCodes,
    code_check,
    code_send,
    mobile_clean,
    phone_key,
    wrong_code,
)
from .identity import IdentityUnavailable, identity_service
from .limits import limit_hit
from .models import Applicant, PhoneCode, Role, User
from .services import applicant_by_number, applicant_identify, sign_in

# --- Signing up ----------------------------------------------------------------------------


def registration_clean(*, kind: str, id_number: str, name: str, phone: str,
                       insured_region: str, operator_name: str = "") -> dict:  # fmt: skip
    """The first step of signing up, checked before a code is sent: the normalised details,
    or InvalidInput naming the field (a number or phone that has an account already
    included)."""
    kind, number = applicant_identify(id_number, kind or None)
    name = name_clean(name, field="name", label=_("姓名/单位名称"), max_length=100)
    phone = mobile_clean(phone)
    region = office_by_code(insured_region) if isinstance(insured_region, str) else None
    if region is None or region.external:
        raise InvalidInput(_("请选择参保地"), code="unknown_region", field="insured_region")
    operator_name = text_clean(operator_name or "", field="operator_name", label=_("经办人姓名"),
                               max_length=50, required=kind == Applicant.Kind.EMPLOYER)  # fmt: skip
    if User.objects.filter(blind_q(User, "phone", phone)).exists():
        raise InvalidInput(
            _("该手机号已注册，请直接登录或找回密码"), code="phone_taken", field="phone"
        )
    if User.objects.filter(blind_q(Applicant, "id_number", number, prefix="applicant__")).exists():
        raise InvalidInput(_("该证件号码已注册账户，请直接登录或找回密码"),
                           code="id_number_taken", field="id_number")  # fmt: skip
    existing = applicant_by_number(number)
    # A person's or an employer's: a number names one, under one name (a USCC is printed on
    # every business licence, so the name must match too before anyone claims the record).
    if existing is not None and (existing.kind != kind or existing.name != name):
        raise InvalidInput(
            _("姓名与证件号码不符，请核对证件"), code="id_name_mismatch", field="name"
        )
    return {"kind": kind, "id_number": number, "name": name, "phone": phone,
            "insured_region": region.code, "operator_name": operator_name}  # fmt: skip


def account_register(*, details: dict, code: str, password: str, ip: str | None) -> User:
    """Create the account the checked `details` (registration_clean) describe, once `code`
    proves the phone: the person's or employer's one record (found, or created with the
    phone), an account that signs in by the phone number, and a real-name verification.
    Raises InvalidInput naming the field."""
    details = registration_clean(**details)  # again: another may have signed up meanwhile
    # The account signs in by its phone (people.backends): its user name is no phone number,
    # which would sit in the clear in the user table and the logs.
    # The person's name stays sealed on their record (Applicant.name), not in the clear here;
    # an employer's account keeps the operator's name, as staff accounts keep theirs.
    user = User(username=f"m-{secrets.token_hex(5)}", phone=details["phone"], role=Role.APPLICANT,
                first_name=details["operator_name"])  # fmt: skip
    _password_check(password, user)
    if not code_check(phone=details["phone"], purpose=PhoneCode.Purpose.REGISTER, code=code):
        raise wrong_code()
    with transaction.atomic():
        applicant = applicant_by_number(details["id_number"])
        if applicant is None:
            applicant = Applicant(
                kind=details["kind"], id_number=details["id_number"], name=details["name"],
                phone=details["phone"], insured_region=office_by_code(details["insured_region"]),
                self_registered=True,
            )  # fmt: skip
            # A concurrent sign-up or window application for the same number wrote it first:
            # theirs is the record (the name was checked against it above, or is checked now).
            if not sql.save_new(applicant, unless_exists=("id_number_index",)):
                applicant = applicant_by_number(details["id_number"])
                if applicant.kind != details["kind"] or applicant.name != details["name"]:
                    raise InvalidInput(_("姓名与证件号码不符，请核对证件"),
                                       code="id_name_mismatch", field="name")  # fmt: skip
        user.applicant = applicant
        user.set_password(password)
        user.save()
        record(event="people.account_registered", user=user, ip=ip, target=user.pk,
               kind=applicant.kind)  # fmt: skip
    account_verify(user, ip=ip)
    return user


def account_verify(user: User, *, ip: str | None = None) -> bool:
    """Ask the identity service whether the account's applicant is who they say; on yes the
    account may apply. Returns the answer (False too when the service cannot answer now)."""
    applicant = user.applicant
    if applicant is None:
        return False
    if user.verified_at:
        return True
    try:
        verified = identity_service().verify(
            kind=applicant.kind, id_number=applicant.id_number, name=applicant.name,
            operator_name=user.first_name if applicant.kind == Applicant.Kind.EMPLOYER else "",
            phone=user.phone,
        )  # fmt: skip
    except IdentityUnavailable:
        verified = False
        record(event="people.identity_unavailable", outcome="failure", user=user, ip=ip)
    if verified:
        user.verified_at = timezone.now()
        user.save(update_fields=["verified_at"])
    record(event="people.identity_verified", user=user, ip=ip, target=user.pk,
           outcome="success" if verified else "failure")  # fmt: skip
    return verified


def _password_check(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as e:
        raise InvalidInput(" ".join(e.messages), code="weak_password", field="password") from None


# --- Signing in by code, and a forgotten password ------------------------------------------


def portal_account_by_phone(phone: str) -> User | None:
    return (
        User.objects.filter(
            blind_q(User, "phone", phone), role__in=(Role.APPLICANT, Role.AGENT), is_active=True
        )
        .select_related("applicant")
        .first()
    )


def code_send_if_account(*, phone: str, purpose: str, ip: str | None) -> None:
    """A code for signing in or a new password, sent only to a number that has an account;
    the answer is the same either way, so the page cannot be used to find who has one.
    The limits count either way."""
    if portal_account_by_phone(phone) is None:
        for key, window in (
            (f"code-minute:{purpose}:{phone_key(phone)}", 60),
            (f"code-ip:{ip or '-'}", 3600),
        ):
            limit_hit(key, window=window)
        record(event="auth.code_not_sent", outcome="failure", ip=ip, target=phone_mask(phone),
               purpose=purpose)  # fmt: skip
        return
    code_send(phone=phone, purpose=purpose, ip=ip)


def sign_in_by_code(*, phone: str, code: str, ip: str | None) -> User:
    """Sign in with the code last sent to `phone`, under the one sign-in rule (its lock-out
    counts by the phone number). Raises SignInLocked or SignInFailed."""

    def check():
        user = portal_account_by_phone(phone)
        ok = user is not None and code_check(phone=phone, purpose=PhoneCode.Purpose.SIGN_IN,
                                             code=code)  # fmt: skip
        return user if ok else None

    return sign_in(username=phone, ip=ip, face="portal-code", check=check,
                   message=_("验证码不正确或已过期，请重新获取"))  # fmt: skip


def password_reset(*, phone: str, code: str, password: str, ip: str | None) -> User:
    """Set a new password with the code last sent to `phone` for it. Every API token of the
    account stops working, and every session signed in with the old password. Raises
    InvalidInput naming the field."""
    user = portal_account_by_phone(phone)
    purpose = PhoneCode.Purpose.RESET
    # The code first: the password rules hash the new password against the last ones (a
    # second or more of CPU), which only the holder of a right code may make the server do.
    if user is None or not code_check(phone=phone, purpose=purpose, code=code, spend=False):
        raise wrong_code()
    _password_check(password, user)
    with transaction.atomic():
        if not code_check(phone=phone, purpose=purpose, code=code):  # spent, once
            raise wrong_code()
        user.set_password(password)
        user.save(update_fields=["password"])
        record(event="auth.password_reset", user=user, ip=ip, target=user.pk)
    return user
