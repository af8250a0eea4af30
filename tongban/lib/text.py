"""Text from people and other systems, checked before it is stored."""

import re
from datetime import date

from django.utils.translation import gettext as _

from tongban.lib.errors import InvalidInput

# NUL cannot be stored by PostgreSQL; lone surrogates cannot be encoded; other control
# characters (but tab and newlines) have no business in a form.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def text_clean(
    value, *, field: str, label: str = "", max_length: int = 2000, required: bool = False
) -> str:
    """`value` as stripped text, or InvalidInput naming `field`."""
    label = label or field
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(_("%(label)s 应为文本") % {"label": label}, code="invalid", field=field)
    value = value.strip()
    if required and not value:
        raise InvalidInput(_("%(label)s 必填") % {"label": label}, code="required", field=field)
    if len(value) > max_length:
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
            _("%(field)s 应为日期 YYYY-MM-DD，而不是 %(value)r") % {"field": field, "value": value},
            code="invalid_date",
            field=field,
        ) from None
