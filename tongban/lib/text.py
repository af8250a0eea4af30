"""Text from people and other systems, checked before it is stored: one rule for each kind of
text, called by the services (and so by the API, the desk and the portal alike).

- free text (a reason, a comment, a question): `text_clean`. Lines and tabs are kept; control
  characters and the bidirectional controls that reorder what is shown are refused.
- a name (of a person or an employer): `name_clean`. NFKC-normalised (full-width letters and
  digits become ASCII, the ideographic space a space, a Kangxi radical its ideograph), middle
  dots made one (·, as on ID cards), spaces collapsed; one line without invisible characters.
- a phone number: `phone_clean`. Full-width digits and hyphens (１３８－) are folded to ASCII,
  as an input method in full-width mode types them; digits of other scripts (١٣٨, १३८) are
  refused with a message saying so: nobody here writes a phone number that way, and some look
  like other digits. Stored as ASCII digits and hyphens.
- a date typed as text: `date_clean`.

An error names the field and quotes at most `shown()` of the value: a short prefix, never the
megabyte someone sent. `text_pattern`, `name_pattern` and PHONE_PATTERN state the same rules
as regular expressions, for the API's schema (api/schemas.py).
"""

import re
import unicodedata
from datetime import date

from django.utils.translation import gettext as _

from tongban.lib.errors import InvalidInput

# NUL cannot be stored by PostgreSQL; lone surrogates cannot be encoded; other control
# characters (but tab and newlines) have no business in a form. The bidirectional embeddings,
# overrides and isolates reorder what a reader sees (a "Trojan Source" name or reason).
# Regular-expression class bodies; the surrogates stay out of the schema's patterns (JSON
# cannot carry a lone one).
TEXT_REFUSED = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069"
_SURROGATES = r"\ud800-\udfff"
_UNSTORABLE = re.compile(f"[{TEXT_REFUSED}{_SURROGATES}]")

# Invisible in a name: the characters of Unicode's categories Cc (controls, line breaks too),
# Cf (format: zero-width spaces and joiners, bidirectional marks and controls, the byte order
# mark, soft hyphens, tags), Zl and Zp (line and paragraph separators), as of Python 3.12's
# Unicode 15.0 (lib/tests/test_text.py checks the table against unicodedata). Private-use and
# unassigned code points stay allowed: rare characters in names (生僻字) are still written
# with them. Astral characters are written as themselves: JSON Schema regexes know no \U.
NAME_REFUSED = (
    r"\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    r"\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
_NAME_INVISIBLE = re.compile(f"[{NAME_REFUSED}{_SURROGATES}]")

SHOWN_LENGTH = 24


def shown(value, *, limit: int = SHOWN_LENGTH):
    """What an error message may quote of `value` (with %r, which escapes what is invisible):
    the value itself when short, else its first `limit` characters and "…"."""
    if isinstance(value, str):
        return value if len(value) <= limit else value[:limit] + "…"
    text = repr(value)  # a number, a list, a dict: as Python writes it
    return value if len(text) <= limit else text[:limit] + "…"


# What str.strip() removes (str.isspace), spelled out: JSON Schema's \s (ECMAScript's) is
# another set (no \x1c-\x1f or \x85, but U+FEFF).
SPACES = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


def trimmed_pattern(refused: str, *, blank: bool) -> str:
    """A regular expression of text that, stripped of surrounding whitespace (as the API's
    CharField and the services strip it), holds none of the characters of the class body
    `refused` and is not empty unless `blank`."""
    core = rf"[^{refused}{SPACES}]([^{refused}]*[^{refused}{SPACES}])?"
    return rf"^[{SPACES}]*({core})?[{SPACES}]*$" if blank else rf"^[{SPACES}]*{core}[{SPACES}]*$"


def text_pattern(*, blank: bool = True) -> str:
    """The regular expression of what text_clean accepts (not blank unless `blank`)."""
    return trimmed_pattern(TEXT_REFUSED, blank=blank)


def name_pattern(*, blank: bool = False) -> str:
    """The regular expression of what name_clean accepts (not blank unless `blank`)."""
    return trimmed_pattern(NAME_REFUSED, blank=blank)


def text_clean(
    value, *, field: str, label: str = "", max_length: int = 2000, required: bool = False
) -> str:
    """`value` as stripped text, or InvalidInput naming `field`. `max_length` counts the text
    as given, surrounding whitespace too (as the API's schema says)."""
    label = label or field
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(_("%(label)s 应为文本") % {"label": label}, code="invalid", field=field)
    too_long = len(value) > max_length
    value = value.strip()
    if required and not value:
        raise InvalidInput(_("%(label)s 必填") % {"label": label}, code="required", field=field)
    if too_long:
        raise InvalidInput(
            _("%(label)s 最多 %(max)s 字") % {"label": label, "max": max_length},
            code="too_long",
            field=field,
        )
    if _UNSTORABLE.search(value):
        raise InvalidInput(
            _("%(label)s 含有不可见的控制字符") % {"label": label},
            code="invalid_characters",
            field=field,
        )
    return value


# Middle dots people type between the parts of a name (阿依古丽·买买提); ID cards use U+00B7.
_MIDDLE_DOTS = str.maketrans(dict.fromkeys("\u30fb\u2022\u2027\u2219\u22c5", "\u00b7"))
_SPACES = re.compile(r"\s+")


def name_clean(
    value, *, field: str, label: str = "", max_length: int = 100, required: bool = True
) -> str:
    """The name of a person or employer: NFKC-normalised, middle dots as U+00B7, spaces
    collapsed, stripped. Raises InvalidInput naming `field` for a non-text, empty (when
    `required`) or too long value (as given, or once normalised), or one holding a line break
    or an invisible character inside (code `invalid_characters`; the message names the code
    point)."""
    label = label or field
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(_("%(label)s 应为文本") % {"label": label}, code="invalid", field=field)
    too_long = len(value) > max_length
    value = value.strip()
    if found := _NAME_INVISIBLE.search(value):
        raise InvalidInput(
            _("%(label)s 不能含有换行、零宽或文字方向控制等不可见字符（U+%(code)04X）")
            % {"label": label, "code": ord(found.group())},
            code="invalid_characters",
            field=field,
        )
    value = unicodedata.normalize("NFKC", value).translate(_MIDDLE_DOTS)
    value = _SPACES.sub(" ", value).strip()
    if required and not value:
        raise InvalidInput(_("%(label)s 必填") % {"label": label}, code="required", field=field)
    if too_long or len(value) > max_length:
        raise InvalidInput(
            _("%(label)s 最多 %(max)s 字") % {"label": label, "max": max_length},
            code="too_long",
            field=field,
        )
    return value


PHONE_MIN, PHONE_MAX = 7, 20
# Full-width digits and hyphen, as an input method in full-width mode types them.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９－", "0123456789-")
_PHONE = re.compile(r"[0-9][0-9-]*")
PHONE_PATTERN = (
    rf"^[{SPACES}]*([0-9０-９][0-9０-９\-－]{{{PHONE_MIN - 1},{PHONE_MAX - 1}}})?[{SPACES}]*$"
)
# The same, required: the number may not be left out.
PHONE_PATTERN_REQUIRED = (
    rf"^[{SPACES}]*[0-9０-９][0-9０-９\-－]{{{PHONE_MIN - 1},{PHONE_MAX - 1}}}[{SPACES}]*$"
)


def phone_clean(value, *, field: str, label: str = "", required: bool = False) -> str:
    """A phone number as ASCII digits and hyphens, 7 to 20 characters ("" when empty and not
    `required`). Full-width digits and hyphens are folded to ASCII; digits of other scripts
    are refused. Raises InvalidInput naming `field` (`label` in the message, "联系电话" unless
    given), code `invalid_phone` (or `required`)."""
    label = label or _("联系电话")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(
            _("%(label)s 应为文本") % {"label": label}, code="invalid_phone", field=field
        )
    value = value.strip().translate(_FULL_WIDTH)
    if not value:
        if required:
            raise InvalidInput(_("%(label)s 必填") % {"label": label}, code="required", field=field)
        return ""
    if any(not char.isascii() and unicodedata.category(char) == "Nd" for char in value):
        raise InvalidInput(
            _("%(label)s 只能用数字 0–9 填写，不接受其他文字的数字") % {"label": label},
            code="invalid_phone",
            field=field,
        )
    if not _PHONE.fullmatch(value) or not PHONE_MIN <= len(value) <= PHONE_MAX:
        raise InvalidInput(
            _("%(label)s 应为 %(min)s 至 %(max)s 位数字，可含连字符，而不是 %(value)r")
            % {"label": label, "min": PHONE_MIN, "max": PHONE_MAX, "value": shown(value)},
            code="invalid_phone",
            field=field,
        )
    return value


def date_clean(value, *, field: str, required: bool = False) -> date | None:
    """`value` (a date, or YYYY-MM-DD text) as a date; None when empty and not `required`.
    Raises InvalidInput naming `field`."""
    if value in (None, ""):
        if required:
            raise InvalidInput(
                _("%(field)s 必填（YYYY-MM-DD）") % {"field": field}, code="required", field=field
            )
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(
            _("%(field)s 应为日期 YYYY-MM-DD，而不是 %(value)r")
            % {"field": field, "value": shown(value)},
            code="invalid_date",
            field=field,
        ) from None
