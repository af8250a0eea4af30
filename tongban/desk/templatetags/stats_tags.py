from decimal import ROUND_HALF_UP, Decimal

from django import template

from tongban.stats.selectors import RATES

register = template.Library()


@register.simple_tag
def figure(values: dict, name: str) -> str:
    """One figure for people: 12.3% for a rate, 4.75 for the working days, 1,234 for a
    count, — where it is undefined."""
    return figure_text(name, values.get(name))


def percent(value) -> str:
    """A fraction as a percentage with one decimal, rounded half up as people round: 14/17
    (0.8235 from the selectors) is 82.4%. Through the decimal text of the value: the float
    82.35 is 82.3499… in binary, which Python's format rounds down."""
    if value is None:
        return "—"
    shown = (Decimal(str(value)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{shown}%"


def figure_text(name: str, value) -> str:
    if value is None:
        return "—"
    if name in RATES:
        return percent(value)
    if isinstance(value, float):
        return f"{value:.2f}"
    return f"{value:,}"


@register.filter
def pct(value) -> str:
    return percent(value)


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
