"""Who sees which messages with partner platforms: a supervisor those of the agreements of
their office, the city's supervisors every one (the supervisors' 跨区通办 page)."""

import uuid

from django.db.models import Count, Q

from tongban.exchange.models import Message, Received


def _mine(user, field: str = "agreement__office_id") -> Q:
    return Q() if user.is_city_supervisor else Q(**{field: user.office_id})


def partner_messages_visible(user):
    return Message.objects.filter(_mine(user)).order_by("-created_at", "-id")


def partner_message_visible(user, message_id: str) -> Message | None:
    try:
        key = uuid.UUID(str(message_id))
    except ValueError:
        return None
    return partner_messages_visible(user).filter(message_id=key).first()


def partner_message_counts(user) -> dict[str, int]:
    """How many messages are in each state (one query)."""
    rows = partner_messages_visible(user).order_by().values("state").annotate(n=Count("id"))
    counts = {state: 0 for state in Message.State.values}
    counts.update({r["state"]: r["n"] for r in rows})
    return counts


def partner_refusals_visible(user):
    """Messages refused here, newest first; one with no known agreement only to the city."""
    qs = Received.objects.filter(outcome=Received.Outcome.REFUSED).select_related("agreement")
    if not user.is_city_supervisor:
        qs = qs.filter(agreement__office_id=user.office_id)
    return qs.order_by("-received_at", "-id")
