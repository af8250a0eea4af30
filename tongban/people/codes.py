"""One-time codes sent by SMS to a mobile number, for one purpose each (sign-up, sign-in,
a password reset, confirming a change of a person's contact data): sent within shared limits,
checked a few tries at most, kept only as a digest."""

import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.audit.services import record
from tongban.lib.crypto import blind_index
from tongban.lib.errors import DomainError, InvalidInput
from tongban.lib.identifiers import phone_mask
from tongban.lib.sms import SmsError, send_sms

from .limits import limit_hit
from .models import PhoneCode

CODE_TRIES = 5  # wrong codes before a code is spent
_MOBILE = re.compile(r"1[3-9][0-9]{9}")  # ASCII digits only (\d takes Arabic-Indic ones too)


class TooManyCodes(DomainError):
    status = 429
    code = "too_many_codes"


class CodeNotSent(DomainError):
    status = 503
    code = "sms_unavailable"


def mobile_clean(phone) -> str:
    """A mainland mobile number of 11 digits (spaces and dashes dropped); InvalidInput else."""
    # Full-width digits fold to ASCII (NFKC); digits of other scripts stay and are refused.
    number = (
        re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", phone)) if isinstance(phone, str) else ""
    )
    if number.startswith("+86"):
        number = number[3:]
    if not _MOBILE.fullmatch(number):
        raise InvalidInput(_("请输入 11 位手机号码"), code="invalid_phone", field="phone")
    return number


def phone_key(phone: str) -> str:
    """What stands for a mobile number where only equality matters (codes, counters): its
    blind index, so that neither table holds the number."""
    return blind_index(phone, purpose="people.phone")


def _digest(phone: str, purpose: str, code: str, context: str = "") -> str:
    message = f"{phone}|{purpose}|{code}|{context}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def code_send(*, phone: str, purpose: str, ip: str | None, context: str = "",
              text: str = "") -> None:  # fmt: skip
    """Send a new one-time code for `purpose` to `phone` (the one before it stops working).
    `context` binds the code to what it confirms (code_check must name the same); `text` is
    the message, with %(code)s and %(minutes)d in it, when the purpose's own is not enough.

    At most one a minute and TONGBAN_CODES_PER_DAY a day to a number, TONGBAN_CODES_PER_HOUR
    an hour from an address (the shared counters of people.limits). Raises TooManyCodes (429)
    saying how long to wait, CodeNotSent (503) when the gateway refuses."""
    for key, window, limit in (
        (f"code-minute:{purpose}:{phone_key(phone)}", 60, 1),
        (f"code-day:{phone_key(phone)}", 24 * 3600, settings.TONGBAN_CODES_PER_DAY),
        (f"code-ip:{ip or '-'}", 3600, settings.TONGBAN_CODES_PER_HOUR),
    ):
        tally = limit_hit(key, window=window)
        if tally.over(limit):
            record(event="auth.code_limited", outcome="failure", ip=ip, target=phone_mask(phone),
                   purpose=purpose, limit=key.split(":")[0])  # fmt: skip
            if window == 60:
                raise TooManyCodes(_("验证码发送太频繁，请 1 分钟后再试"))
            raise TooManyCodes(_("验证码发送次数过多，请 %(minutes)d 分钟后再试")
                               % {"minutes": tally.minutes_left})  # fmt: skip
    code = f"{secrets.randbelow(10**6):06d}"
    PhoneCode.objects.update_or_create(
        phone_key=phone_key(phone), purpose=purpose,
        defaults={"digest": _digest(phone, purpose, code, context), "tries": 0,
                  "expires_at": timezone.now() + timedelta(minutes=settings.TONGBAN_CODE_MINUTES)},
    )  # fmt: skip
    text = (text or _("【通办】验证码 %(code)s，%(minutes)d 分钟内有效，用于%(purpose)s。请勿告诉他人。")) % {
        "code": code, "minutes": settings.TONGBAN_CODE_MINUTES,
        "purpose": PhoneCode.Purpose(purpose).label,
    }  # fmt: skip
    try:
        send_sms(phone=phone, text=text)
    except SmsError as e:
        PhoneCode.objects.filter(phone_key=phone_key(phone), purpose=purpose).delete()
        raise CodeNotSent(_("短信发送失败，请稍后再试")) from e
    record(event="auth.code_sent", ip=ip, target=phone_mask(phone), purpose=purpose)


def code_check(*, phone: str, purpose: str, code: str, spend: bool = True,
               context: str = "") -> bool:  # fmt: skip
    """Whether `code` is the live code last sent to `phone` for `purpose` (and `context`); a
    right code is spent (unless not `spend`: asked again once the rest of the request has
    passed), and CODE_TRIES wrong ones spend it too. A wrong try is counted in the caller's
    transaction: check outside any that a refusal undoes (people.services.contact_code_checked)."""
    code = (code or "").strip() if isinstance(code, str) else ""
    with transaction.atomic():
        sent = (
            PhoneCode.objects.select_for_update()
            .filter(phone_key=phone_key(phone), purpose=purpose, expires_at__gt=timezone.now())
            .first()
        )
        if sent is None or sent.tries >= CODE_TRIES:
            return False
        if hmac.compare_digest(sent.digest, _digest(phone, purpose, code, context)):
            if spend:
                sent.delete()
            return True
        sent.tries += 1
        sent.save(update_fields=["tries"])
        return False


def wrong_code(field: str = "code") -> InvalidInput:
    return InvalidInput(_("验证码不正确或已过期，请重新获取"), code="invalid_code", field=field)
