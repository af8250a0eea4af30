"""Reads of the enquiries (咨询): one office's log, the enquiries a user owns, the colleagues an
enquiry may be handed on to, and the figures of enquiries.

The figures of `consultation_figures`, one definition each:

Period
    The enquiries *asked* in the period: asked_at falls on a local (Asia/Shanghai) date from
    `start` to `end`, both included. An enquiry stays in the period it was asked in; closing
    it later changes that period's figures (as the case figures of tongban.stats.selectors
    do). `office` keeps the enquiries asked at that office (the first responder's), wherever
    they were handed on to; None is the whole city.

Counts
    asked                   every enquiry asked in the period
    closed                  of those, the ones closed (办结) by now
    open                    asked − closed
    handed_on               the ones handed on at least once (首问负责 hand-on)

Times
    avg_hours_to_close      mean hours from asked_at to closed_at over the closed ones, two
                            decimals; None when none is closed. An enquiry answered and
                            closed on the spot counts 0 hours.
    closed_within_day_rate  the ones closed within 24 hours of being asked / the ones whose
                            first 24 hours are over (closed, or asked more than 24 hours
                            ago); a fraction 0–1 rounded to 4 places, None when the
                            denominator is 0. An enquiry asked less than 24 hours ago and
                            still open is left out: it may yet be closed in time.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone

from tongban.offices.models import Office
from tongban.people.models import STAFF_ROLES, User

from .access import consultations_visible
from .models import Consultation, ConsultationHandOff

TZ = ZoneInfo(settings.TIME_ZONE)
DAY = timedelta(hours=24)
STATES = ("open", "closed", "all")


def colleagues() -> QuerySet:
    """Who an enquiry may be handed on to: active staff (clerk, reviewer, second reviewer,
    supervisor) of any office of the city, never of a partner region outside it. Ordered by
    office, then name, for a select grouped by office."""
    return (
        User.objects.filter(
            is_active=True,
            role__in=STAFF_ROLES,
            office__external=False,
            office__level__in=(Office.Level.CITY, Office.Level.COUNTY),
        )
        .select_related("office")
        .order_by("office__code", "last_name", "first_name", "username")
    )


def _with_chain(qs: QuerySet) -> QuerySet:
    """`qs` with what a list of enquiries shows: the people, the item, the case, and each
    enquiry's hand-ons in order (`hand_offs`) with their people."""
    return qs.select_related(
        "clerk", "owner__office", "closed_by", "item", "turned_into_case", "office"
    ).prefetch_related(
        Prefetch(
            "hand_offs",
            queryset=ConsultationHandOff.objects.select_related("from_user", "to_user", "by"),
        )
    )


def _in_state(qs: QuerySet, state: str) -> QuerySet:
    if state not in STATES:
        raise ValueError(f"state must be one of {STATES}, not {state!r}")
    if state == "all":
        return qs
    return qs.filter(closed_at__isnull=state == "open")


def consultation_with_chain(pk: int) -> Consultation:
    """One enquiry with its people and hand-ons, for a face that shows it whole."""
    return _with_chain(Consultation.objects.filter(pk=pk)).get()


def consultations_for_office(*, office_id: int, q: str = "") -> QuerySet:
    """One office's enquiries, newest first; `q` searches question, answer, reply, asker and
    item."""
    qs = _with_chain(Consultation.objects.filter(office_id=office_id))
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(question__icontains=q) | Q(answer__icontains=q) | Q(reply__icontains=q)
            | Q(asker_name__icontains=q) | Q(item__name__icontains=q) | Q(item__code__iexact=q)
        )  # fmt: skip
    return qs.order_by("-asked_at", "-id")


def consultations_owned(user, state: str = "all") -> QuerySet:
    """The enquiries `user` owns now (首问负责), `state` "open", "closed" or "all".

    Open first, oldest asked first (the one waiting longest on top); then the closed ones,
    the latest closed first. The index consultation_owner_idx serves this order."""
    qs = _in_state(Consultation.objects.filter(owner_id=user.pk), state)
    return _with_chain(qs).order_by(F("closed_at").desc(nulls_first=True), "asked_at", "id")


def consultations_seen(user, state: str = "all") -> QuerySet:
    """The enquiries `user` may see (access.consultations_visible), `state` "open", "closed"
    or "all", newest first."""
    return _with_chain(_in_state(consultations_visible(user), state)).order_by("-asked_at", "-id")


def _local_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time.min, tzinfo=TZ),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=TZ),
    )


def consultation_figures(*, start: date, end: date, office: Office | None = None,
                         now: datetime | None = None) -> dict:  # fmt: skip
    """The figures of the enquiries asked from `start` to `end` (local dates, both included)
    at `office`, or in the whole city when None. The module docstring defines each."""
    now = now or timezone.now()
    since, until = _local_bounds(start, end)
    qs = Consultation.objects.filter(asked_at__gte=since, asked_at__lt=until)
    if office is not None:
        qs = qs.filter(office=office)
    closed = Q(closed_at__isnull=False)
    took = ExpressionWrapper(F("closed_at") - F("asked_at"), output_field=DurationField())
    row = qs.annotate(
        handed=Exists(ConsultationHandOff.objects.filter(consultation_id=OuterRef("pk")))
    ).aggregate(
        asked=Count("pk"),
        closed=Count("pk", filter=closed),
        handed_on=Count("pk", filter=Q(handed=True)),
        within_day=Count("pk", filter=closed & Q(closed_at__lte=F("asked_at") + DAY)),
        decided=Count("pk", filter=closed | Q(asked_at__lte=now - DAY)),
        took=Avg(took, filter=closed),
    )
    took = row["took"]
    return {
        "asked": row["asked"],
        "closed": row["closed"],
        "open": row["asked"] - row["closed"],
        "handed_on": row["handed_on"],
        "avg_hours_to_close": (None if took is None else round(took.total_seconds() / 3600, 2)),
        "closed_within_day_rate": (
            round(row["within_day"] / row["decided"], 4) if row["decided"] else None
        ),
    }
