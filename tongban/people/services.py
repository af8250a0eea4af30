from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from tongban.audit.services import record
from tongban.lib import sql
from tongban.lib.crypto import blind_index, blind_indexes
from tongban.lib.errors import DomainError, Forbidden, InvalidInput, NotFound
from tongban.lib.identifiers import (
    IdentifierError,
    phone_mask,
    resident_id_validate,
    uscc_validate,
)
from tongban.lib.sealed import blind_q
from tongban.lib.text import name_clean, phone_clean, text_clean
from tongban.offices.selectors import office_by_code

from .codes import code_check, code_send, mobile_clean, wrong_code
from .limits import limit_clear, limit_hit, limit_refund
from .models import ApiToken, Applicant, PhoneCode, Role, User


def applicant_identify(id_number: str, kind: str | None = None) -> tuple[str, str]:
    """(kind, normalized number) of a resident ID number or a unified social credit code.

    Raises InvalidInput (field "applicant.id_number") naming what is wrong."""
    if not isinstance(id_number, str) or not id_number.strip():
        raise InvalidInput(_("证件号码必填"), code="required", field="applicant.id_number")
    if kind not in (None, "", "person", "employer"):
        raise InvalidInput(
            _("申请人类型应为 person 或 employer，而不是 %(kind)r") % {"kind": kind},
            field="applicant.kind",
        )
    try:
        if kind == "employer":
            return "employer", uscc_validate(id_number)
        return "person", resident_id_validate(id_number)
    except IdentifierError as person_error:
        if kind == "person":
            raise InvalidInput(
                person_error.message, code=person_error.code, field="applicant.id_number"
            ) from None
        try:
            return "employer", uscc_validate(id_number)
        except IdentifierError:
            raise InvalidInput(
                person_error.message, code=person_error.code, field="applicant.id_number"
            ) from None


def applicant_upsert(*, id_number: str, name: str, phone: str = "", insured_region: str = "",
                     kind: str | None = None, by: User | None = None,
                     identity_shown: bool = False,
                     contact_code: "CheckedCode | None" = None) -> Applicant:  # fmt: skip
    """The one record of a person or employer, created or brought up to date; `by` is the
    user who gave the details (the audit entry of a change names them, their office and when).

    Nobody changes a person's phone or insured region silently (the SMS notices would go to
    the new number): on a known record that takes `identity_shown`, the clerk's record that
    the person showed their identity document at the window, or `contact_code`, the code
    contact_code_send() sent to the number on record for this very change, which the person
    passed on (checked first by contact_code_checked()). The change is audited with which
    confirmed it.

    Raises InvalidInput naming the field for a bad number, name, phone or region, or an
    unconfirmed change of contact data (contact_change_unconfirmed; invalid_code for a wrong
    or spent code, or one sent for another change)."""
    kind, number = applicant_identify(id_number, kind)
    name = name_clean(name, field="applicant.name", label=_("姓名/单位名称"), max_length=100)
    phone = phone_clean(phone, field="applicant.phone")
    if not insured_region:
        raise InvalidInput(_("参保地必填"), code="required", field="applicant.insured_region")
    region = office_by_code(insured_region) if isinstance(insured_region, str) else None
    if region is None:
        raise InvalidInput(
            _("参保地 %(region)r 不是已知的区划代码") % {"region": insured_region},
            code="unknown_region",
            field="applicant.insured_region",
        )
    values = {"kind": kind, "name": name, "phone": phone, "insured_region": region}
    # Every application at a window or by an agent comes here: prepared statements, and an
    # insert that cannot fail on a concurrent request's insert (so needs no savepoint).
    applicant = applicant_by_number(number)
    if applicant is None:
        applicant = Applicant(id_number=number, **values)
        if sql.save_new(applicant, unless_exists=("id_number_index",)):
            return applicant
        applicant = applicant_by_number(number)  # a concurrent request's
    if applicant.name != name and applicant.kind == Applicant.Kind.PERSON:
        # An ID number names one person: a different name is a typo or the wrong card,
        # never a reason to rename them on every case they have.
        raise InvalidInput(_("姓名与证件号码不符：该证件号码已登记为另一姓名，请核对证件"),
                           code="id_name_mismatch", field="applicant.name")  # fmt: skip
    # The region by key: reading applicant.insured_region would cost a query every time.
    same_region = applicant.insured_region_id == region.pk
    changed = [
        k
        for k, v in values.items()
        if (not same_region if k == "insured_region" else getattr(applicant, k) != v)
        and (k != "phone" or v)
    ]
    contact = [k for k in ("phone", "insured_region") if k in changed]
    confirmed = ""
    if contact:
        context = _contact_context(applicant, phone or applicant.phone, region.code)
        confirmed = _contact_confirmed(applicant, identity_shown=identity_shown,
                                       contact_code=contact_code, context=context,
                                       field=contact[0])  # fmt: skip
    if changed:
        record(event="people.applicant_updated", user=by, target=applicant.pk,
               changed={k: [_shown(k, getattr(applicant, k)), _shown(k, values[k])] for k in changed},
               confirmed=confirmed)  # fmt: skip
        for k in changed:
            setattr(applicant, k, values[k])
        applicant.save(update_fields=changed + (["name_index"] if "name" in changed else []))
    return applicant


@dataclass(frozen=True)
class CheckedCode:
    """A contact code already checked, unspent, outside the transaction that will spend it
    (contact_code_checked): the only kind applicant_upsert takes."""

    code: str
    context: str


def _contact_context(applicant: Applicant, phone: str, region: str) -> str:
    """What a contact code confirms: this record's phone and insured region becoming these."""
    return f"{applicant.pk}|{phone}|{region}"


def _contact_confirmed(applicant: Applicant, *, identity_shown: bool,
                       contact_code: CheckedCode | None, context: str, field: str) -> str:  # fmt: skip
    """How a change of `applicant`'s phone or insured region to what `context` says was
    confirmed ("identity_shown" or "sms_code"), or InvalidInput. A code is spent here."""
    if identity_shown:
        return "identity_shown"
    if isinstance(contact_code, str) and contact_code:
        raise TypeError("contact_code must be passed through contact_code_checked() first, "
                        "outside the transaction, so that a wrong try counts")  # fmt: skip
    if contact_code:
        if contact_code.context != context or not code_check(
            phone=applicant.phone, purpose=PhoneCode.Purpose.CONTACT, code=contact_code.code,
            context=context,
        ):  # fmt: skip
            raise wrong_code("applicant.contact_code")
        return "sms_code"
    raise InvalidInput(
        _("更改申请人的联系电话或参保地，须申请人确认：由受理员在窗口核验其身份证件，"
          "或填写发送到其原手机号码的验证码"),
        code="contact_change_unconfirmed", field=f"applicant.{field}",
    )  # fmt: skip


def _contact_change(applicant: Applicant, phone, insured_region) -> tuple[str, str]:
    """The phone and insured region code `applicant` would have with these given (blank: as
    recorded), checked."""
    phone = phone_clean(phone, field="applicant.phone") or applicant.phone
    region = str(insured_region or "").strip() or applicant.insured_region.code
    if office_by_code(region) is None:
        raise InvalidInput(_("参保地 %(region)r 不是已知的区划代码") % {"region": region},
                           code="unknown_region", field="applicant.insured_region")  # fmt: skip
    return phone, region


def contact_code_send(*, applicant: Applicant, phone: str = "", insured_region: str = "",
                      by: User, ip: str | None = None) -> str:  # fmt: skip
    """Send `applicant` a code, to the mobile number on their record, that confirms changing
    their phone to `phone` and/or their insured region to `insured_region`: the message says
    what changes, and the code confirms that change of that record only. A clerk or an agent
    asks while the person is on the phone or at hand (who may ask for whom:
    cases.authorisations.contact_code_request). Returns the number it went to, masked.
    Raises InvalidInput when nothing changes or the record has no mobile number (then only
    the window can confirm), and code_send's limits."""
    new_phone, region = _contact_change(applicant, phone, insured_region)
    if new_phone == applicant.phone and region == applicant.insured_region.code:
        raise InvalidInput(_("新的联系电话和参保地与记录相同，无须确认"), code="no_contact_change",
                           field="phone")  # fmt: skip
    try:
        to = mobile_clean(applicant.phone)
    except InvalidInput:
        raise InvalidInput(_("该申请人记录中没有手机号码，只能在窗口核验身份证件后更改"),
                           code="no_mobile_on_record", field="id_number") from None  # fmt: skip
    changes = []
    if new_phone != applicant.phone:
        changes.append(_("联系电话改为 %(phone)s") % {"phone": phone_mask(new_phone)})
    if region != applicant.insured_region.code:
        changes.append(_("参保地改为%(region)s") % {"region": office_by_code(region).name})
    text = _("【通办】验证码 %%(code)s，%%(minutes)d 分钟内有效，用于确认将您的%(changes)s。"
             "同意的，请把验证码告诉为您办理的工作人员或代办人；不是您本人要求的，请勿告诉任何人。") % {
                 "changes": "，".join(changes)}  # fmt: skip
    code_send(phone=to, purpose=PhoneCode.Purpose.CONTACT, ip=ip, text=text,
              context=_contact_context(applicant, new_phone, region))  # fmt: skip
    record(event="people.contact_code_sent", user=by, ip=ip, target=applicant.pk)
    return phone_mask(to)


def contact_code_checked(given):
    """`given` (applicant_upsert's arguments) with its `contact_code` checked now, before the
    transaction that will spend it, without spending it: a wrong code counts against the
    code's tries (CODE_TRIES) even when that transaction is undone. Every caller that takes a
    contact code from outside runs it first; applicant_upsert refuses an unchecked one.
    Raises InvalidInput for a wrong code, one for another record or another change included."""
    if not isinstance(given, dict) or not given.get("contact_code"):
        return given
    if isinstance(given["contact_code"], CheckedCode):
        return given  # checked already (by the page, before its own transaction)
    code = str(given["contact_code"])
    try:
        _kind, number = applicant_identify(given.get("id_number"))
    except InvalidInput:
        return {**given, "contact_code": None}  # applicant_upsert names the bad number
    applicant = applicant_by_number(number)
    if applicant is None or not applicant.phone:
        raise wrong_code("applicant.contact_code")
    phone, region = _contact_change(applicant, given.get("phone"), given.get("insured_region"))
    context = _contact_context(applicant, phone, region)
    if not code_check(phone=applicant.phone, purpose=PhoneCode.Purpose.CONTACT, code=code,
                      context=context, spend=False):  # fmt: skip
        raise wrong_code("applicant.contact_code")
    return {**given, "contact_code": CheckedCode(code, context)}


DISABILITY_CATEGORIES = "1234567"  # 视力 听力 言语 肢体 智力 精神 多重 (GB/T 26341)
DISABILITY_GRADES = "1234"  # 一级 (most severe) to 四级


def disability_certificate_clean(value, *, id_number: str) -> str:
    """A 第二代残疾人证 number of the person whose ID number is `id_number`: their 18-character
    ID number, then the category (1–7) and the grade (1–4). "" for none."""
    value = str(value or "").strip().upper().replace(" ", "")
    if not value:
        return ""
    if len(value) != 20 or value[:18] != id_number:
        raise InvalidInput(_("残疾人证号应为持证人的 18 位身份证号码加类别、等级各 1 位，共 20 位"),
                           code="invalid_disability_certificate",
                           field="disability_certificate")  # fmt: skip
    if value[18] not in DISABILITY_CATEGORIES or value[19] not in DISABILITY_GRADES:
        raise InvalidInput(_("残疾人证号的第 19 位（类别）应为 1–7，第 20 位（等级）应为 1–4"),
                           code="invalid_disability_certificate",
                           field="disability_certificate")  # fmt: skip
    return value


@transaction.atomic
def applicant_groups_set(*, applicant: Applicant | str, by: User,
                         disability_certificate: str | None = None,
                         left_behind: bool = False, in_need: bool = False, in_need_note: str = "",
                         ip: str | None = None) -> Applicant:  # fmt: skip
    """Record the special groups (特殊群体) a clerk confirmed for a person at the window: the
    残疾人证 they showed, left-behind (留守), otherwise in need (困难, with what). The elderly are
    derived from the ID number and need no record. Audited with the groups' names, never the
    certificate's number. `disability_certificate` None keeps the one recorded ("" removes it:
    a form never shows it back in clear). `applicant` is the record or its ID number. Raises
    Forbidden for
    anyone but a clerk (before looking the number up), NotFound for an unknown number,
    InvalidInput naming the field for a certificate that is not this person's or an
    employer's record."""
    if by.role != Role.CLERK:
        raise Forbidden(_("特殊群体由窗口受理员核验证件后标记"), code="groups_forbidden")
    if isinstance(applicant, str):
        _kind, number = applicant_identify(applicant)
        applicant = applicant_by_number(number)
        if applicant is None:
            raise NotFound(_("没有该证件号码的申请人记录"), code="applicant_not_found")
    if applicant.kind != Applicant.Kind.PERSON:
        raise InvalidInput(_("单位不能标记特殊群体"), code="not_a_person", field="applicant")
    values = {
        "left_behind": bool(left_behind),
        "in_need": bool(in_need),
        "in_need_note": text_clean(
            in_need_note, field="in_need_note", label=_("困难情形"), max_length=100
        )
        if in_need
        else "",  # fmt: skip
    }
    if disability_certificate is not None:
        values["disability_certificate"] = disability_certificate_clean(
            disability_certificate, id_number=applicant.id_number
        )
    if values["in_need"] and not values["in_need_note"]:
        raise InvalidInput(_("请填写困难情形（如低保、特困、重病）"), code="required",
                           field="in_need_note")  # fmt: skip
    applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
    before = applicant.groups
    for k, v in values.items():
        setattr(applicant, k, v)
    applicant.save(update_fields=list(values))
    record(event="people.groups_set", user=by, ip=ip, target=applicant.pk,
           before=before, after=applicant.groups)  # fmt: skip
    return applicant


def applicant_on_record(*, id_number: str, name: str, phone: str = "", insured_region: str = "",
                        kind: str | None = None, by: User | None = None) -> Applicant:  # fmt: skip
    """The person or employer `id_number` names as recorded (the name must match), or a new
    record from these details: for staff naming someone for what is not an application (a home
    visit), which changes nothing on a known record. InvalidInput as applicant_upsert's."""
    _kind, number = applicant_identify(id_number, kind)
    found = applicant_by_number(number)
    if found is None:
        return applicant_upsert(id_number=number, name=name, phone=phone,
                                insured_region=insured_region, kind=kind, by=by)  # fmt: skip
    if name_clean(name, field="applicant.name", label=_("姓名/单位名称")) != found.name:
        raise InvalidInput(_("姓名与证件号码不符：该证件号码已登记为另一姓名，请核对证件"),
                           code="id_name_mismatch", field="applicant.name")  # fmt: skip
    return found


def applicant_number_q(number: str, *, prefix: str = "") -> Q:
    """Q for the applicant whose resident ID number or USCC `number` is, however it was typed
    (a first-generation card's 15 digits as its 18-digit form, a lower-case x); text that is
    no valid number matches its exact, upper-cased self. `prefix` reaches it through a
    relation ("applicant__")."""
    try:
        _kind, number = applicant_identify(number)
    except InvalidInput:
        number = str(number or "").strip().upper()
    return blind_q(Applicant, "id_number", number, prefix=prefix)


def applicant_by_number(number: str) -> Applicant | None:
    """The applicant whose (normalised) ID number or USCC is `number`: by its blind index, one
    prepared statement (under each key of the ring while a rotation runs)."""
    purpose = Applicant._meta.get_field("id_number").purpose
    for index in blind_indexes(number, purpose=purpose):
        if (found := sql.get(Applicant, "id_number_index", index)) is not None:
            return found
    return None


def _shown(field: str, value) -> str:
    """A value as an audit row keeps it: a phone masked, a name by its first character."""
    value = str(value)
    if field == "phone":
        return phone_mask(value)
    if field == "name":
        return value[:1] + "*" * (len(value) - 1)
    return value


def applicant_may_apply(user: User) -> None:
    """An applicant's own account applies only once real-name verified (people.accounts);
    before that it may browse and ask. Raises Forbidden `identity_unverified`."""
    if user.role == Role.APPLICANT and user.verified_at is None:
        raise Forbidden(_("账户尚未通过实名核验，暂不能申请；请在“我的账户”中完成核验"),
                        code="identity_unverified")  # fmt: skip


def user_save(*, user, by=None, ip: str | None = None, changed=()) -> None:
    """Save a change to an account (its office, name, active flag; roles go through
    people.roles.user_assign), audited as people.user_changed (people.user_created for a new
    one) with `by`, who did it, and the names of the `changed` fields (never their values: a
    phone is personal data). Its API tokens stop working with a new password or role
    (people.selectors.token_alive) and with deactivation, from the next request in every
    process."""
    with transaction.atomic():
        created = user.pk is None
        user.save()
        if by is not None:
            record(event="people.user_created" if created else "people.user_changed", user=by,
                   ip=ip, target=user.username, fields=sorted(changed))  # fmt: skip


def token_revoke(key: str, *, ip: str | None = None) -> bool:
    """Sign an API client out: its token stops working at once in every server process.
    Returns whether there was such a token."""
    tokens = ApiToken.objects.filter(digest=ApiToken.hash(key))
    return tokens_revoke(tokens, by=None, ip=ip, face="api") > 0


def tokens_revoke(tokens, *, by, ip: str | None = None, face: str = "admin") -> int:
    """Revoke `tokens` (a queryset of ApiToken), each audited; `by` is who did it (None: the
    token's own user signing out). Returns how many."""
    revoked = 0
    with transaction.atomic():
        for token in tokens.select_related("user"):
            token.delete()
            record(event="auth.token_revoked", user=by or token.user, ip=ip, face=face,
                   token_user=token.user.username)  # fmt: skip
            revoked += 1
    return revoked


# --- Signing in: one rule for every door ----------------------------------------------------


class SignInLocked(Forbidden):
    code = "account_locked"


class SignInFailed(DomainError):
    status = 401
    code = "invalid_credentials"


def _name_key(username: str) -> str:
    # What the counters know of a user name (which may be a phone number): its blind index.
    return blind_index(username.strip().lower()[:150], purpose="people.signin")


def _sign_in_keys(username: str, ip: str | None) -> tuple[str, str, str]:
    name, address = _name_key(username), ip or "-"
    return f"signin:{name}|{address}", f"signin-account:{name}", f"signin-ip:{address}"


def username_shown(username: str) -> str:
    """A typed user name as the audit trail keeps it: a phone or ID number masked."""
    digits = username.strip()
    if digits.isdigit() and len(digits) >= 7 or len(digits) in (15, 18) and digits[:-1].isdigit():
        return phone_mask(digits)
    return username[:150]


def sign_in(*, username: str, ip: str | None, face: str, check, message: str = "") -> User:
    """等保 sign-in, the same at every door (desk, portal, admin, API tokens, SMS codes):
    `check()` proves the credentials and returns the user, or None.

    Failures are counted in the shared store (people.limits) per account and address
    (TONGBAN_LOCKOUT_FAILURES), per account from any address (TONGBAN_LOCKOUT_ACCOUNT_FAILURES)
    and per address for any account (TONGBAN_LOCKOUT_ADDRESS_FAILURES), each within
    TONGBAN_LOCKOUT_MINUTES. An attempt is counted before it is checked, so concurrent
    attempts cannot check more than the limit; one over a limit is refused unchecked. Someone
    who types a clerk's name wrongly from elsewhere locks only their own address out, unless
    they try from many. A success clears the account's counts. Every attempt is audited.
    Raises SignInLocked (403) or SignInFailed (401, `message` or a generic one)."""
    pair, account, address = _sign_in_keys(username, ip)
    window = settings.TONGBAN_LOCKOUT_MINUTES * 60
    tallies = [
        (limit_hit(pair, window=window), settings.TONGBAN_LOCKOUT_FAILURES),
        (limit_hit(account, window=window), settings.TONGBAN_LOCKOUT_ACCOUNT_FAILURES),
        (limit_hit(address, window=window), settings.TONGBAN_LOCKOUT_ADDRESS_FAILURES),
    ]
    over = [tally for tally, limit in tallies if tally.over(limit)]
    if over:
        record(event="auth.login_failed", outcome="failure", username=username_shown(username),
               ip=ip, reason="locked", face=face)  # fmt: skip
        raise SignInLocked(_("连续登录失败次数过多，已临时锁定，请 %(minutes)d 分钟后再试，或请安全管理员解锁")
                           % {"minutes": max(t.minutes_left for t in over)})  # fmt: skip
    user = check()
    if user is None:
        record(event="auth.login_failed", outcome="failure", username=username_shown(username),
               ip=ip, reason="bad_credentials", face=face)  # fmt: skip
        raise SignInFailed(message or _("用户名或密码错误"))
    limit_clear(pair, account)
    limit_refund(address)
    record(event="auth.login", user=user, ip=ip, face=face)
    return user


def sign_in_unlock(user: User, *, by: User, ip: str | None = None) -> None:
    """The security administrator lifts a lock-out of `user` (every address), audited."""
    names = [user.username] + ([user.phone] if user.phone else [])
    for name in map(_name_key, names):
        limit_clear(f"signin-account:{name}", prefix=f"signin:{name}|")
    record(event="auth.unlocked", user=by, ip=ip, target=user.pk, unlocked=user.username)


def applicant_recorded_for_window(
    *, id_number: str, user: User, ip: str | None = None
) -> dict | None:
    """What the window form may fill in for a known ID number: the name and insured region on
    record (the phone stays masked). For clerks of an office only (Forbidden otherwise);
    InvalidInput for a number that is no valid one. A read that finds someone reveals their
    name and is audited as personal_data.viewed, like the case page's full view; a number not
    on record gives None and no entry."""
    if user.role != Role.CLERK or user.office_id is None:
        raise Forbidden(_("只有窗口受理员可以查询已登记的申请人"), code="lookup_forbidden")
    _kind, number = applicant_identify(id_number)
    applicant = applicant_by_number(number)
    if applicant is None:
        return None
    record(event="personal_data.viewed", user=user, ip=ip, target=applicant.masked_id,
           fields=["name", "insured_region"], reason="window_lookup")  # fmt: skip
    region = applicant.insured_region
    return {
        "kind": applicant.kind,
        "name": applicant.name,
        "insured_region": region.code if region else "",
        "insured_region_name": region.name if region else "",
        "phone": phone_mask(applicant.phone) if applicant.phone else "",
    }
