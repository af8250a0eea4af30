"""Text from people and other systems, checked before it is stored."""

import re
from datetime import date

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
        raise InvalidInput(f"{label} 应为文本", code="invalid", field=field)
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"{label} 必填 (required)", code="required", field=field)
    if len(value) > max_length:
        raise InvalidInput(f"{label} 最多 {max_length} 字", code="too_long", field=field)
    if _UNSTORABLE.search(value):
        raise InvalidInput(f"{label} 含有不可见的控制字符", code="invalid_characters", field=field)
    return value


def date_clean(value, *, field: str, required: bool = False) -> date | None:
    """`value` (a date, or YYYY-MM-DD text) as a date; None when empty and not `required`.
    Raises InvalidInput naming `field`."""
    if value in (None, ""):
        if required:
            raise InvalidInput(f"{field} 必填 (YYYY-MM-DD)", code="required", field=field)
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(
            f"{field} 应为日期 YYYY-MM-DD，而不是 {value!r}", code="invalid_date", field=field
        ) from None
