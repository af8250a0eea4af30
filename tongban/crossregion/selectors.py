"""Who sees which messages with partner platforms: a supervisor those of the agreements of
their office, the city's supervisors every one (the supervisors' 跨区通办 page)."""

import uuid

from django.db.models import Count, Q

from tongban.catalog.models import Agreement
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


def partner_summary(case) -> dict | None:
    """A forwarded or received case's partner and how many of its messages are in each state
    (two queries); None, without a query, for every other case (the API's case answers)."""
    if not case.partner_role:
        return None
    agreement = Agreement.objects.select_related("partner").get(pk=case.agreement_id)
    rows = Message.objects.filter(case_number=case.number).values("state").annotate(n=Count("id"))
    messages = {state: 0 for state in Message.State.values}
    messages.update({r["state"]: r["n"] for r in rows})
    return {"role": case.partner_role, "agreement": agreement.code, "partner": agreement.partner.code,
            "partner_name": agreement.partner.name, "partner_number": case.partner_number,
            "messages": messages}  # fmt: skip
