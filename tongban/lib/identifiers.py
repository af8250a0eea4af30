"""Chinese identifiers: resident ID numbers (GB 11643-1999) and unified social credit codes
(GB 32100-2015).

No Django models. Every rejection raises :class:`IdentifierError`, a ``ValueError`` that carries
a stable machine ``code`` and a human ``message`` in the request's language (Chinese by default,
English under ``Accept-Language: en``; Django's translations). Messages never repeat
the submitted value: identifiers are personal data and must not end up in logs.

Choices worth knowing about:

* Input is normalized only by stripping surrounding whitespace and upper-casing. Spaces or
  hyphens *inside* a value are rejected rather than silently removed, and so are full-width or
  other non-ASCII digits.
* The 15-digit first-generation resident ID form is accepted (birth year 19YY, date and
  division code checked) and returned in its 18-digit form, as GB 11643-1999 converts it: "19"
  inserted before the two-digit birth year, the check character appended. One person is one
  number, whichever card they show, so a 15-digit number finds the record of its 18-digit form.
* Division codes are looked up in python-stdnum's table (``stdnum.cn.ric`` data). A code is
  rejected (``id_number_region``) when it is unknown, or when it had already been abolished
  before the birth year (nobody born later can have been issued it). A code that was created
  *after* the birth year is accepted, although ``stdnum.cn.ric`` rejects it: a number's division
  code is the one in force when the number was first issued, which is often years after birth
  (e.g. 371581 临清市 dates from 1997, and people born in the 1980s who got their first ID
  card after 1997 carry it). stdnum's rule would turn those residents away.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.lib.text import SPACES

__all__ = [
    "ID_NUMBER_PATTERN",
    "IdentifierError",
    "resident_id_birth_date",
    "resident_id_mask",
    "resident_id_validate",
    "synthetic_resident_id",
    "synthetic_uscc",
    "uscc_mask",
    "uscc_validate",
]

_SHANGHAI = ZoneInfo("Asia/Shanghai")


class IdentifierError(ValueError):
    """An identifier was rejected. ``code`` is stable for programs, ``message`` is for people."""

    code: str
    message: str

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


def _today() -> date:
    return datetime.now(_SHANGHAI).date()


# Characters that people type as separators; rejected inside a value with a specific message.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\uff0d_./]")


def _prepare(value: object, *, code: str, label: str) -> str:
    if not isinstance(value, str):
        raise IdentifierError(code, _("%(label)s必须是文本") % {"label": label})
    value = value.strip()
    if not value:
        raise IdentifierError(code, _("%(label)s不能为空") % {"label": label})
    if _SEPARATORS.search(value):
        raise IdentifierError(code, _("%(label)s中不能包含空格或连字符") % {"label": label})
    return value.upper()


# --- Resident ID numbers (GB 11643-1999) -----------------------------------------------------

_ID_LABEL = gettext_lazy("身份证号码")
_ID18 = re.compile(r"[0-9]{17}[0-9X]")
_ID15 = re.compile(r"[0-9]{15}")
# ISO 7064 MOD 11-2 weights: 2^(17-i) mod 11 for positions i = 0..16.
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))


def _id_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _division_problem(code: str, birth_year: int) -> str | None:
    """None if the division code could have been issued to someone born in birth_year."""
    from stdnum import numdb

    info: dict[str, str] = {}
    for _part, props in numdb.get("cn/loc").info(code):
        info.update(props)
    counties = info.get("county")
    if not counties:
        # stdnum.cn.ric itself raises KeyError here when only the province part is known.
        return _("行政区划代码不存在")
    for county in counties.split(","):
        if not county.startswith("["):
            return None
        end = county[1:].split("]", 1)[0].split("-", 1)[1]
        if not end or int(end) >= birth_year:
            return None
    return _("行政区划代码在出生年份之前已撤销")


def _parse_birth(number: str) -> date:
    digits = number[6:14] if len(number) == 18 else "19" + number[6:12]
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise IdentifierError("id_number_birth_date", _("身份证号码中的出生日期无效")) from None


def resident_id_validate(value: str, *, today: date | None = None) -> str:
    """Validate a resident ID number and return its normalized form.

    18 digits (last may be ``X``/``x``) or the 15-digit first-generation form. Returns the
    18-character form with an upper-case ``X``; a 15-digit number converted to it (GB 11643:
    "19" after the division code, then the check character). ``today`` (for the future-birth
    rule) defaults to the current date in Asia/Shanghai.

    Checks, in order: format and length (``id_number_format``), birth date is a real date on or
    after 1900-01-01 (``id_number_birth_date``) and not after today (``id_number_future_birth``),
    check character (``id_number_checksum``, 18-digit form only), division code
    (``id_number_region``).
    """
    number = _prepare(value, code="id_number_format", label=_ID_LABEL)
    if len(number) not in (15, 18):
        raise IdentifierError("id_number_format", _("身份证号码应为18位"))
    pattern = _ID18 if len(number) == 18 else _ID15
    if not pattern.fullmatch(number):
        raise IdentifierError(
            "id_number_format",
            _("身份证号码只能由数字组成，末位可为X"),
        )
    birth = _parse_birth(number)
    if birth.year < 1900:
        raise IdentifierError("id_number_birth_date", _("身份证号码中的出生日期早于1900年"))
    if birth > (today or _today()):
        raise IdentifierError(
            "id_number_future_birth",
            _("身份证号码中的出生日期晚于今天"),
        )
    if len(number) == 18 and number[17] != _id_check_char(number[:17]):
        raise IdentifierError("id_number_checksum", _("身份证号码校验位错误"))
    if problem := _division_problem(number[:6], birth.year):
        raise IdentifierError(
            "id_number_region", _("身份证号码的%(problem)s") % {"problem": problem}
        )
    if len(number) == 15:
        first17 = number[:6] + "19" + number[6:]
        return first17 + _id_check_char(first17)
    return number


def resident_id_birth_date(value: str) -> date:
    """The birth date encoded in a valid resident ID number (raises IdentifierError if invalid)."""
    return _parse_birth(resident_id_validate(value))


def _mask(value: str) -> str:
    value = value.strip().upper() if isinstance(value, str) else ""
    if len(value) < 15:
        # Too short to be an identifier: keeping 10 characters would reveal most of it.
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def resident_id_mask(value: str) -> str:
    """``371581********0012`` style: first 6 and last 4 characters kept, the rest masked.

    Does not validate; values shorter than 15 characters are masked entirely.
    """
    return _mask(value)


def phone_mask(value: str) -> str:
    """``138****0000``: the first 3 and last 4 digits kept; shorter values masked entirely. An
    e-mail address keeps its first character and its domain (``o***@example.org``)."""
    value = str(value or "")
    if "@" in value:
        local, _, domain = value.rpartition("@")
        return f"{local[:1]}***@{domain}"
    return f"{value[:3]}****{value[-4:]}" if len(value) >= 7 else "****"


def account_mask(value: str) -> str:
    """A bank account number as a notice or a list shows it: ``6222 **** 3445`` (the first and
    last 4 digits); shorter values masked entirely."""
    value = str(value or "").replace(" ", "")
    return f"{value[:4]} **** {value[-4:]}" if len(value) >= 12 else "*" * len(value)


def synthetic_resident_id(*, region: str, birth: date, seq: int = 0) -> str:
    """A valid, obviously artificial 18-digit ID for tests and demo data.

    The sequence part is ``00`` + ``seq`` (0..9), i.e. 000..009. Raises IdentifierError if the
    region or birth date would not validate, ValueError for a bad ``seq``.
    """
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq <= 9:
        raise ValueError("seq must be an integer from 0 to 9")
    if not (isinstance(region, str) and re.fullmatch(r"[0-9]{6}", region)):
        raise ValueError("region must be a 6-digit division code")
    if isinstance(birth, datetime):
        birth = birth.date()
    first17 = f"{region}{birth:%Y%m%d}00{seq}"
    return resident_id_validate(first17 + _id_check_char(first17))


# --- Unified social credit codes (GB 32100-2015) ---------------------------------------------

_USCC_LABEL = gettext_lazy("统一社会信用代码")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
_USCC_VALUES = {c: i for i, c in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 3^(i-1) mod 31, i = 1..17
_USCC_SHAPE = re.compile(rf"[{_USCC_ALPHABET}]{{2}}[0-9]{{6}}[{_USCC_ALPHABET}]{{10}}")


def _uscc_check_char(first17: str) -> str:
    total = sum(_USCC_VALUES[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_validate(value: str) -> str:
    """Validate a unified social credit code; return it upper-cased and stripped.

    18 characters from ``0-9A-HJ-NPQRTUWXY``; characters 3-8 (the registration authority's
    division code) are digits; the 18th is the check character. Any registration-department
    character is allowed first, including letters such as A, N and Y (``stdnum.cn.uscc``
    wrongly rejects those). Errors: ``uscc_format``, ``uscc_checksum``.
    """
    code = _prepare(value, code="uscc_format", label=_USCC_LABEL)
    if len(code) != 18:
        raise IdentifierError("uscc_format", _("统一社会信用代码应为18位"))
    if not _USCC_SHAPE.fullmatch(code):
        bad = sorted({c for c in code if c not in _USCC_VALUES})
        if bad:
            raise IdentifierError(
                "uscc_format",
                _(
                    "统一社会信用代码含有不允许的字符 %(found)s（只能是数字和除 I、O、S、V、Z 以外的大写字母）"
                )
                % {"found": ", ".join(bad)},
            )
        raise IdentifierError(
            "uscc_format",
            _("统一社会信用代码第3至8位应为行政区划代码数字"),
        )
    if code[17] != _uscc_check_char(code[:17]):
        raise IdentifierError("uscc_checksum", _("统一社会信用代码校验位错误"))
    return code


# The shapes the two validators accept, as one regular expression (for the API's schema): what
# a pattern can say; the check characters, birth dates and division codes it cannot.
_USCC_EITHER_CASE = _USCC_ALPHABET + _USCC_ALPHABET[10:].lower()
ID_NUMBER_PATTERN = (
    rf"^[{SPACES}]*([0-9]{{15}}|[0-9]{{17}}[0-9Xx]"
    rf"|[{_USCC_EITHER_CASE}]{{2}}[0-9]{{6}}[{_USCC_EITHER_CASE}]{{10}})[{SPACES}]*$"
)


def uscc_mask(value: str) -> str:
    """First 6 and last 4 characters kept, the rest masked (``913715********001X`` style)."""
    return _mask(value)


def _org_code_check_char(first8: str) -> str:
    """GB 11714 organisation code check character (MOD 11, X for 10)."""
    total = sum(_USCC_VALUES[c] * w for c, w in zip(first8, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def synthetic_uscc(*, region: str, seq: int) -> str:
    """A valid, obviously artificial USCC for tests and demo data.

    ``"91"`` + region + organisation code ``seq`` as 8 zero-padded digits with its GB 11714
    check character + the USCC check character. ``seq`` is 0..99999999.
    """
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq < 10**8:
        raise ValueError("seq must be an integer from 0 to 99999999")
    if not (isinstance(region, str) and re.fullmatch(r"[0-9]{6}", region)):
        raise ValueError("region must be a 6-digit division code")
    body = f"{seq:08d}"
    first17 = f"91{region}{body}{_org_code_check_char(body)}"
    return uscc_validate(first17 + _uscc_check_char(first17))
