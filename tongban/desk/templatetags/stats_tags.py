from django import template

from tongban.stats.selectors import RATES

register = template.Library()


@register.simple_tag
def figure(values: dict, name: str) -> str:
    """One figure for people: 12.3% for a rate, 4.75 for the working days, 1,234 for a
    count, — where it is undefined."""
    return figure_text(name, values.get(name))


def figure_text(name: str, value) -> str:
    if value is None:
        return "—"
    if name in RATES:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.2f}"
    return f"{value:,}"


@register.filter
def pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
