from django import template
from django.utils.translation import gettext_lazy

from tongban.lib.identifiers import phone_mask
from tongban.people.models import GROUPS

register = template.Library()

STATUS_BADGES = {
    "submitted": "info",
    "awaiting_supplement": "yellow",
    "accepted": "info",
    "rejected": "bad",
    "withdrawn": "",
}


@register.filter
def status_badge(case) -> str:
    """The badge class of a case's status; a completed case shows its result."""
    if case.status == "completed":
        return "bad" if case.result == "denied" else "ok"
    return STATUS_BADGES.get(case.status, "")


@register.filter
def person(user) -> str:
    if user is None:
        return gettext_lazy("系统")
    return user.get_full_name() or user.username


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def mask_id(applicant) -> str:
    return applicant.masked_id


@register.filter
def groups(applicant) -> list[str]:
    """The special groups (特殊群体) of `applicant`, as their badges read."""
    return [str(GROUPS[g]) for g in applicant.groups]


@register.filter
def mask_phone(value) -> str:
    return phone_mask(value) if value else ""
