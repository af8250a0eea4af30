"""The figures (统计) of 全市通办: one definition of each, used by the dashboard, the API and
the Excel export alike.

Period
    Every figure is about the cases *submitted* in the period: submitted_at falls on a local
    (Asia/Shanghai) date from `start` to `end`, both included. A case stays in the period it
    was submitted in for good; its later progress (acceptance, completion, a rating) changes
    the figures of that period. So the figures of one period read as a funnel — received ≥
    accepted ≥ completed — and the cases behind any number are found by the same filter.
    Recent periods still have cases in progress; that is what `in_progress` shows.

Dimensions (what figures are cut and filtered by)
    office           the handling office now (after transfers); empty while an online
                     application waits, unassigned, in the city-wide intake
    insured_region   the applicant's insured region (参保地) when they applied
    item             the service item
    channel          web, mobile or window, as applied
    applicant_kind   person or employer

Counts (COUNTERS holds each as the filter that picks its cases)
    received            every case submitted in the period
    accepted            of those, the ones an office accepted (受理), deemed acceptances
                        included, whatever happened after (a later withdrawal too)
    completed           finished (办结): approved + denied
    approved / denied   completed with result 准予 / 不予批准
    rejected            refused before acceptance (不予受理)
    withdrawn           withdrawn by the applicant, before or after acceptance
    in_progress         still open: received − completed − rejected − withdrawn
    overdue_open        open, accepted, clock running, and its deadline is before today
                        (counted live: it changes every day without anything happening)
    overdue_finished    completed on a local date after its deadline
    overdue             overdue_open + overdue_finished
    extended            with an approved extension (延期); its deadline, and so on-time and
                        overdue, is the extended one
    with_procedure      with a special procedure (特别程序) started; its days are off the clock
    urged               pressed at least once by its applicant after its deadline (催办,
                        cases.services.case_urge)
    assisted            (帮办代办) applied for by an agent under the applicant's authorisation:
                        a user of the agent role, or a clerk stationed at an agent point who
                        applied as the person's agent
    at_agent_point      came through an agent point (代办点): submitted by someone working
                        there, as an agent or not. assistance_figures() cuts both by agent
                        point and by agent, with the home visits beside them
    bundled             (一件事) made by a bundle application, one case per item of the
                        bundle. bundle_figures() counts the applications themselves: received,
                        finished (every case of it finished: completed, refused or withdrawn),
                        in progress, per bundle

Rates (fractions 0–1 rounded to 4 places; null when the denominator is 0)
    instant_rate        cases of instant items (即办件, by the item version applied under)
                        / received
    online_rate         (网办率) cases applied for on the web or by phone / received
    no_visit_rate       (不见面办理率) completed cases applied for on the web or by phone
                        / completed. tongban cannot see a visit that left no trace, so an
                        online case is taken as finished without a window visit.
    on_time_rate        completed cases finished on a local date on or before their deadline
                        / completed cases with a deadline
    tongban_share       (通办占比) accepted cases whose handling office is not the applicant's
                        insured region / accepted. The city bureau is an office of its own:
                        an applicant insured in a county handled by the city bureau counts.
    avg_handling_workdays
                        mean, over completed cases, of the working days on the clock:
                        workdays_used (days counted before the last clock stop) +
                        workdays.days_counted(clock_started_on, local completion date),
                        clock_started_on being the first day the clock counts. That is the
                        working days from the day after acceptance (the acceptance day too
                        under TONGBAN_COUNT_FROM same_day) to the completion day, without the
                        days the clock stood still (a supplement, a special procedure).
                        Two decimals. Instant cases finished on the day count 0.

Money (amount_figures), of the cases submitted in the period whose item pays out
    claimed             the form's money fields marked "claimed" (Case.amount_claimed)
    paid                the decision's money fields marked "paid" (Case.amount_paid), of the
                        cases completed and approved; both per handling office, item and
                        month of submission

Ratings (好差评), of the cases submitted in the period
    ratings             ratings that count: an upheld appeal excludes one
    satisfaction        ratings with a score of TONGBAN_GOOD_RATING_MIN (3 in Shandong) or
                        more / ratings. Stored per score, so the line is drawn when read.
    bad_ratings         ratings − good ones
    bad_ratings_open    rectifications opened by a bad rating and not closed yet
    bad_ratings_closed_in_time / _closed_late
                        rectifications closed on a local date on or before / after their
                        due date. A void rectification (its appeal upheld) counts in none.

Snapshot
    The rollup (models.StatsDaily) holds the cases submitted up to the last
    services.stats_rollup_refresh() (StatsRollupState.refreshed_at, on or before
    rolled_through) as they were then; the cases submitted since are counted live. Between
    two refreshes the figures can lag behind a case accepted or transferred since (the
    refresh job runs every few minutes); `as_of` says when.
"""

from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Case as DbCase
from django.db.models import (
    CharField,
    Count,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from tongban.cases.models import BundleApplication, Case, HomeVisit, Result, Status, overdue_q
from tongban.catalog.models import Channel, HandlingType, ItemVersion, ServiceItem
from tongban.evaluations.models import good_rating_min
from tongban.lib.errors import Forbidden, InvalidInput
from tongban.lib.replica import read_alias
from tongban.lib.text import date_clean, shown
from tongban.offices.models import AgentPoint, Office
from tongban.people.models import Applicant, User
from tongban.workdays import services as workdays

from .access import figures_scope
from .models import StatsDaily, StatsRollupState

TZ = ZoneInfo(settings.TIME_ZONE)
ONLINE = [Channel.WEB, Channel.MOBILE]

# --- Definitions ---------------------------------------------------------------------------

# Each counter is the filter that picks its cases among those submitted in the period, on a
# queryset from cases_annotated(). The rollup stores them, the case lists filter by them.
_RECT = Q(
    evaluations__excluded=False,
    evaluations__rectification__void=False,
    evaluations__rectification__due__isnull=False,  # there is one
)
COUNTERS: dict[str, Q] = {
    "received": Q(),
    "instant": Q(item_version__handling_type=HandlingType.INSTANT),
    "online": Q(channel__in=ONLINE),
    "accepted": Q(accepted_at__isnull=False),
    "tongban": Q(accepted_at__isnull=False, handling_office__isnull=False)
    & ~Q(handling_office=F("insured_region")),
    "completed": Q(status=Status.COMPLETED),
    "approved": Q(status=Status.COMPLETED, result=Result.APPROVED),
    "denied": Q(status=Status.COMPLETED, result=Result.DENIED),
    "rejected": Q(status=Status.REJECTED),
    "withdrawn": Q(status=Status.WITHDRAWN),
    "completed_online": Q(status=Status.COMPLETED, channel__in=ONLINE),
    "with_deadline": Q(status=Status.COMPLETED, deadline__isnull=False),
    "on_time": Q(status=Status.COMPLETED, deadline__isnull=False, completed_on__lte=F("deadline")),
    "overdue_finished": Q(
        status=Status.COMPLETED, deadline__isnull=False, completed_on__gt=F("deadline")
    ),
    # 帮办代办: applied for by an agent (an agent, or a clerk at an agent point acting as one);
    # came through an agent point (whoever submitted it there).
    "assisted": Q(agent__isnull=False),
    "at_agent_point": Q(agent_point__isnull=False),
    # 一件事: one of the cases a bundle application made (one per item of the bundle).
    "bundled": Q(bundle_application__isnull=False),
    "extended": Q(extended_days__gt=0),
    "with_procedure": Q(procedures__gt=0),
    "urged": Q(urged__gt=0),
    # 好差评: the ratings that count (an upheld appeal excludes one), by score, so that the
    # good/bad line (TONGBAN_GOOD_RATING_MIN) is drawn when the figures are read.
    **{f"score_{k}": Q(evaluations__excluded=False, evaluations__score=k) for k in range(1, 6)},
    # The rectifications bad ratings opened (void ones, after an upheld appeal, left out).
    "rect_open": _RECT & Q(evaluations__rectification__closed_at__isnull=True),
    "rect_in_time": _RECT & Q(rect_closed_on__lte=F("evaluations__rectification__due")),
    "rect_late": _RECT & Q(rect_closed_on__gt=F("evaluations__rectification__due")),
}
# Summed from workdays (not a filter): completed cases whose clock ran, and their days.
HANDLING = ("handling_cases", "handling_days")
STORED = (*COUNTERS, *HANDLING)
LIVE = ("overdue_open",)  # depends on today: never stored
ALL_COUNTS = (*STORED, *LIVE)


# The figures, in the order tables show them, with their labels ("figure" context: 受理 here is
# the number accepted, not the desk's button).
FIGURES: dict[str, str] = {
    "received": pgettext_lazy("figure", "申请"),
    "accepted": pgettext_lazy("figure", "受理"),
    "completed": pgettext_lazy("figure", "办结"),
    "approved": pgettext_lazy("figure", "准予"),
    "denied": pgettext_lazy("figure", "不予批准"),
    "rejected": pgettext_lazy("figure", "不予受理"),
    "withdrawn": pgettext_lazy("figure", "撤回"),
    "in_progress": pgettext_lazy("figure", "在办"),
    "instant_rate": pgettext_lazy("figure", "即办率"),
    "online_rate": pgettext_lazy("figure", "网办率"),
    "no_visit_rate": pgettext_lazy("figure", "不见面办理率"),
    "on_time_rate": pgettext_lazy("figure", "按时办结率"),
    "overdue_open": pgettext_lazy("figure", "超期未办结"),
    "overdue_finished": pgettext_lazy("figure", "超期办结"),
    "overdue": pgettext_lazy("figure", "超期合计"),
    "extended": pgettext_lazy("figure", "延期办理"),
    "with_procedure": pgettext_lazy("figure", "特别程序"),
    "urged": pgettext_lazy("figure", "被催办"),
    "assisted": pgettext_lazy("figure", "帮办代办"),
    "at_agent_point": pgettext_lazy("figure", "代办点办件"),
    "bundled": pgettext_lazy("figure", "一件事办件"),
    "avg_handling_workdays": pgettext_lazy("figure", "平均办理工作日"),
    "tongban_share": pgettext_lazy("figure", "通办占比"),
    "ratings": pgettext_lazy("figure", "评价数"),
    "satisfaction": pgettext_lazy("figure", "满意率"),
    "bad_ratings": pgettext_lazy("figure", "差评"),
    "bad_ratings_open": pgettext_lazy("figure", "差评整改中"),
    "bad_ratings_closed_in_time": pgettext_lazy("figure", "差评按期整改"),
    "bad_ratings_closed_late": pgettext_lazy("figure", "差评超期整改"),
}
RATES = {
    "instant_rate",
    "online_rate",
    "no_visit_rate",
    "on_time_rate",
    "tongban_share",
    "satisfaction",
}
RECTIFICATION_COUNTERS = {
    "bad_ratings_open": "rect_open",
    "bad_ratings_closed_in_time": "rect_in_time",
    "bad_ratings_closed_late": "rect_late",
}
# The figures whose cases a list can show (the drill-down to the cases behind a number).
CASE_FIGURES = (*COUNTERS, "in_progress", "overdue_open", "overdue", "ratings", "bad_ratings",
                "bad_ratings_open", "bad_ratings_closed_in_time", "bad_ratings_closed_late")  # fmt: skip


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def figures_from_counts(c: dict) -> dict:
    """The figures of one group from its summed counts. Every face formats these numbers."""
    ratings = sum(c[f"score_{k}"] for k in range(1, 6))
    good = sum(c[f"score_{k}"] for k in range(good_rating_min(), 6))
    out = {
        "received": c["received"],
        "accepted": c["accepted"],
        "completed": c["completed"],
        "approved": c["approved"],
        "denied": c["denied"],
        "rejected": c["rejected"],
        "withdrawn": c["withdrawn"],
        "in_progress": c["received"] - c["completed"] - c["rejected"] - c["withdrawn"],
        "instant_rate": _ratio(c["instant"], c["received"]),
        "online_rate": _ratio(c["online"], c["received"]),
        "no_visit_rate": _ratio(c["completed_online"], c["completed"]),
        "on_time_rate": _ratio(c["on_time"], c["with_deadline"]),
        "overdue_open": c["overdue_open"],
        "overdue_finished": c["overdue_finished"],
        "overdue": c["overdue_open"] + c["overdue_finished"],
        "extended": c["extended"],
        "with_procedure": c["with_procedure"],
        "urged": c["urged"],
        "assisted": c["assisted"],
        "at_agent_point": c["at_agent_point"],
        "bundled": c["bundled"],
        "avg_handling_workdays": (
            round(c["handling_days"] / c["handling_cases"], 2) if c["handling_cases"] else None
        ),
        "tongban_share": _ratio(c["tongban"], c["accepted"]),
        "ratings": ratings,
        "satisfaction": _ratio(good, ratings),
        "bad_ratings": ratings - good,
        "bad_ratings_open": c["rect_open"],
        "bad_ratings_closed_in_time": c["rect_in_time"],
        "bad_ratings_closed_late": c["rect_late"],
    }
    return out


def _zero() -> dict:
    return dict.fromkeys(ALL_COUNTS, 0)


def _add(into: dict, counts: dict) -> None:
    for k, v in counts.items():
        into[k] += v or 0


# --- Period and filters --------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Local dates from `start` to `end`, both included."""

    start: date
    end: date

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The aware instants [start 00:00, day after end 00:00) in the city's time zone."""
        return (
            datetime.combine(self.start, time(), TZ),
            datetime.combine(self.end + timedelta(days=1), time(), TZ),
        )


PRESETS = {
    "this_year": gettext_lazy("今年"),
    "last_month": gettext_lazy("上月"),
    "this_month": gettext_lazy("本月"),
    "last_year": gettext_lazy("去年"),
}


def period_preset(name: str, today: date | None = None) -> Period:
    today = today or timezone.localdate()
    first = today.replace(day=1)
    match name:
        case "this_month":
            return Period(first, today)
        case "last_month":
            end = first - timedelta(days=1)
            return Period(end.replace(day=1), end)
        case "last_year":
            return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
        case _:
            return Period(date(today.year, 1, 1), today)


def period_parse(start, end, *, preset: str | None = None) -> Period:
    """The period from the `from`/`to` parameters (YYYY-MM-DD); a missing end is today, a
    missing start 1 January of the end's year. Raises InvalidInput naming the field."""
    if preset and preset not in PRESETS:
        raise InvalidInput(
            _("未知的时间段 %(preset)r") % {"preset": shown(preset)},
            code="invalid_choice",
            field="preset",
        )
    if preset and not start and not end:
        return period_preset(preset)
    end_date = date_clean(end, field="to") or timezone.localdate()
    start_date = date_clean(start, field="from") or date(end_date.year, 1, 1)
    if start_date > end_date:
        raise InvalidInput(
            _("起始日期 %(start)s 晚于截止日期 %(end)s") % {"start": start_date, "end": end_date},
            code="invalid_period",
            field="to",
        )
    if (end_date - start_date).days > 366 * 10:
        raise InvalidInput(_("统计区间最长十年"), code="invalid_period", field="from")
    return Period(start_date, end_date)


# dimension -> (field on Case, column on StatsDaily)
DIMENSIONS: dict[str, tuple[str, str]] = {
    "office": ("handling_office_id", "office_id"),
    "item": ("item_id", "item_id"),
    "channel": ("channel", "channel"),
    "insured_region": ("insured_region_id", "insured_region_id"),
    "applicant_kind": ("applicant_kind", "applicant_kind"),
}
BREAKDOWNS = {
    "office": gettext_lazy("经办机构"),
    "insured_region": gettext_lazy("参保地"),
    "item": gettext_lazy("事项"),
    "channel": gettext_lazy("渠道"),
    "applicant_kind": gettext_lazy("申请人类型"),
    "month": gettext_lazy("月份"),
}
UNASSIGNED = "intake"  # the office "code" of the city-wide intake (no handling office yet)


@dataclass(frozen=True)
class Filters:
    """Dimension values to keep (database ids for office, item and insured region).
    office=0 keeps the cases still unassigned in the city-wide intake."""

    office: int | None = None
    item: int | None = None
    channel: str | None = None
    insured_region: int | None = None
    applicant_kind: str | None = None

    def given(self) -> dict:
        return {d: v for d in DIMENSIONS if (v := getattr(self, d)) is not None}


def filters_parse(params, *, scope: Office | None = None) -> Filters:
    """Filters from request parameters given as codes (office=371522&item=YB07019&channel=web
    &insured_region=371581&applicant_kind=person); office=intake is the unassigned intake.

    `scope` is the only office the asker may see (a county supervisor's): it is applied, and
    asking for another office raises Forbidden. Unknown values raise InvalidInput."""
    values = {}
    office = params.get("office") or None
    if office == UNASSIGNED:
        values["office"] = 0
    elif office:
        values["office"] = _office_id(office, "office")
    if scope is not None:
        if values.get("office", scope.pk) != scope.pk:
            raise Forbidden(
                _("只能查看本机构（%(office)s）的统计") % {"office": scope.name},
                code="office_out_of_scope",
                field="office",
            )
        values["office"] = scope.pk
    if item := params.get("item"):
        pk = ServiceItem.objects.filter(code=item).values_list("pk", flat=True).first()
        if pk is None:
            raise InvalidInput(
                _("没有事项 %(item)r") % {"item": shown(item)}, code="unknown_item", field="item"
            )
        values["item"] = pk
    if channel := params.get("channel"):
        if channel not in Channel.values:
            raise InvalidInput(_("渠道应为 web、mobile 或 window，而不是 %(channel)r") % {"channel": shown(channel)},
                               code="invalid_channel", field="channel")  # fmt: skip
        values["channel"] = channel
    if region := params.get("insured_region"):
        values["insured_region"] = _office_id(region, "insured_region")
    if kind := params.get("applicant_kind"):
        if kind not in Applicant.Kind.values:
            raise InvalidInput(_("申请人类型应为 person 或 employer，而不是 %(kind)r") % {"kind": shown(kind)},
                               code="invalid_applicant_kind", field="applicant_kind")  # fmt: skip
        values["applicant_kind"] = kind
    return Filters(**values)


def _office_id(code: str, field: str) -> int:
    pk = Office.objects.filter(code=code).values_list("pk", flat=True).first()
    if pk is None:
        raise InvalidInput(
            _("没有区划代码为 %(code)r 的机构") % {"code": shown(code)},
            code="unknown_office",
            field=field,
        )
    return pk


def _case_filter(filters: Filters) -> Q:
    q = Q()
    for dim, value in filters.given().items():
        column = DIMENSIONS[dim][0]
        q &= (
            Q(**{f"{column}__isnull": True})
            if dim == "office" and value == 0
            else Q(**{column: value})
        )
    return q


def _rollup_filter(filters: Filters) -> Q:
    q = Q()
    for dim, value in filters.given().items():
        column = DIMENSIONS[dim][1]
        q &= (
            Q(**{f"{column}__isnull": True})
            if dim == "office" and value == 0
            else Q(**{column: value})
        )
    return q


# --- From the cases ------------------------------------------------------------------------


# The applicant's kind. An item version that accepts one kind only has only applicants of
# that kind (cases.services.case_submit checks it), so it is read from the version, and the
# applicant row (one random read per case, the slowest part of the live figures) only for
# versions open to both kinds.
_APPLICANT_KIND = DbCase(
    When(
        item_version__applicant_kinds__1__isnull=True,
        then=KeyTextTransform("0", "item_version__applicant_kinds"),
    ),
    default=Subquery(Applicant.objects.filter(pk=OuterRef("applicant_id")).values("kind")[:1]),
    output_field=CharField(),
)


def cases_annotated() -> QuerySet:
    """Cases with the local dates and the applicant kind the definitions use."""
    return Case.objects.annotate(
        submitted_on=TruncDate("submitted_at", tzinfo=TZ),
        completed_on=TruncDate("completed_at", tzinfo=TZ),
        rect_closed_on=TruncDate("evaluations__rectification__closed_at", tzinfo=TZ),
        applicant_kind=_APPLICANT_KIND,
    )


def cases_submitted(period: Period, filters: Filters = Filters()) -> QuerySet:
    lo, hi = period.bounds
    return cases_annotated().filter(
        _case_filter(filters), submitted_at__gte=lo, submitted_at__lt=hi
    )


CELL_KEY = ("submitted_on", *(DIMENSIONS[d][0] for d in DIMENSIONS))


def _cells(qs: QuerySet) -> dict[tuple, dict]:
    """The stored counts of the cases in `qs` (from cases_annotated()), per day of submission
    and every dimension: {(day, office, item, channel, region, kind): counts}."""
    counts = {name: Count("pk", filter=q) if q else Count("pk") for name, q in COUNTERS.items()}
    cells: dict[tuple, dict] = {}
    for row in qs.values(*CELL_KEY).annotate(**counts).order_by():
        key = tuple(row[k] for k in CELL_KEY)
        cells[key] = {name: row[name] for name in COUNTERS} | dict.fromkeys(HANDLING, 0)
    handled = list(
        qs.filter(status=Status.COMPLETED, clock_started_on__isnull=False)
        .values(*CELL_KEY, "clock_started_on", "completed_on")
        .annotate(n=Count("pk"), used=Sum("workdays_used"))
        .order_by()
    )
    # The clock counts from clock_started_on, that day included: working days in
    # [clock_started_on, completed_on], with one calendar query for all of them.
    day = timedelta(days=1)
    days = workdays.span_of(
        d for r in handled for d in (r["clock_started_on"] - day, r["completed_on"])
    )
    for row in handled:
        cell = cells[tuple(row[k] for k in CELL_KEY)]
        cell["handling_cases"] += row["n"]
        cell["handling_days"] += row["used"] + row["n"] * days.between(
            row["clock_started_on"] - day, row["completed_on"]
        )
    return cells


def cells_compute(period: Period, *, filters: Filters = Filters(), since: datetime | None = None,
                  before: datetime | None = None) -> dict:  # fmt: skip
    """The stored counts of the cases submitted in `period` (and from `since`, before
    `before`, when given), straight from the cases."""
    qs = cases_submitted(period, filters)
    if since is not None:
        qs = qs.filter(submitted_at__gte=since)
    if before is not None:
        qs = qs.filter(submitted_at__lt=before)
    with without_jit():
        return _cells(qs)


@contextmanager
def without_jit():
    """PostgreSQL's JIT compiler takes 100–200 ms to compile each of these aggregates (its
    cost estimates exceed jit_above_cost), several times what running them takes: measured
    on the 2M-case bench, the live part of the summary went from 140 ms to 22 ms without it.
    Turned off for the figures' own transaction only (SET LOCAL), on the database they are
    read from (a replica's, tongban.lib.replica)."""
    alias = read_alias()
    connection = connections[alias]
    if connection.vendor != "postgresql" or getattr(connection, "_stats_without_jit", False):
        yield
        return
    with transaction.atomic(using=alias):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        connection._stats_without_jit = True
        try:
            yield
        finally:
            connection._stats_without_jit = False


# --- Levels of the rollup ------------------------------------------------------------------

# Smallest first: a question is answered from the first level holding all it needs.
LEVELS: list[tuple[str, frozenset]] = [
    (StatsDaily.Level.OFFICE, frozenset({"office"})),  # ~10 rows a day
    (StatsDaily.Level.REGION, frozenset({"insured_region"})),  # ~20
    (StatsDaily.Level.OFFICE_KIND, frozenset({"office", "applicant_kind"})),  # ~20
    (StatsDaily.Level.OFFICE_CHANNEL, frozenset({"office", "channel"})),  # ~30
    (StatsDaily.Level.ITEM, frozenset({"item"})),  # ~30
    (StatsDaily.Level.OFFICE_REGION, frozenset({"office", "insured_region"})),  # ~100
    (StatsDaily.Level.OFFICE_ITEM, frozenset({"office", "item"})),  # ~270
    (StatsDaily.Level.ALL, frozenset(DIMENSIONS)),  # ~3,000 for 5,500 cases a day
]


def level_for(dims: Iterable[str]) -> str:
    needed = set(dims)
    return next(level for level, has in LEVELS if needed <= has)


def month_start(d: date) -> date:
    return d.replace(day=1)


def month_after(d: date) -> date:
    """The first day of the month after d's."""
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1)


def _grains(start: date, end: date) -> Q:
    """The rollup rows for the days start..end: month rows for the whole months among them,
    day rows for the rest. Month rows exist for every finished month the rollup holds."""
    first = start if start.day == 1 else month_after(start)  # first whole month
    stop = month_start(end + timedelta(days=1))  # the day after the last whole month
    day = StatsDaily.Grain.DAY
    if first >= stop:
        return Q(grain=day, day__gte=start, day__lte=end)
    return (
        Q(grain=StatsDaily.Grain.MONTH, day__gte=first, day__lt=stop)
        | Q(grain=day, day__gte=start, day__lt=first)
        | Q(grain=day, day__gte=stop, day__lte=end)
    )


# The columns rollup_rows() fills, in order (the id is left to the database).
ROLLUP_COLUMNS = ("grain", "level", "day", "office_id", "item_id", "channel", "insured_region_id",
                  "applicant_kind", *STORED)  # fmt: skip


def rollup_rows(cells: dict[tuple, dict]) -> list[tuple]:
    """The day rows of every level for full-detail cells (see _cells), as ROLLUP_COLUMNS
    tuples: a week of a large city is ~30,000 rows, too many to build as model instances."""
    out = []
    names = list(DIMENSIONS)
    vectors = [
        (day, values, [counts[n] for n in STORED]) for (day, *values), counts in cells.items()
    ]
    for level, dims in LEVELS:
        keep = [i for i, d in enumerate(names) if d in dims]
        grouped: dict[tuple, list] = {}
        for day, values, vector in vectors:
            key = (day, *[values[i] for i in keep])
            into = grouped.get(key)
            if into is None:
                grouped[key] = list(vector)
            else:
                for i, v in enumerate(vector):
                    into[i] += v
        for (day, *kept), vector in grouped.items():
            row = [None] * len(names)
            for i, v in zip(keep, kept, strict=True):
                row[i] = v
            office, item, channel, region, kind = row
            out.append((StatsDaily.Grain.DAY, level, day, office, item, channel or "", region,
                        kind or "", *vector))  # fmt: skip
    return out


# --- Asking --------------------------------------------------------------------------------


def rollup_state() -> StatsRollupState:
    return StatsRollupState.objects.filter(pk=1).first() or StatsRollupState(pk=1)


@dataclass
class Figures:
    """The figures of one period and set of filters. Build one per request and ask it for
    the summary and any breakdowns: the live part (days after the rollup, and the overdue
    cases) is read once and shared.

    `source="rollup"` (the default) reads finished days from the rollup; `source="raw"`
    counts everything from the cases (what the tests compare the rollup against)."""

    period: Period
    filters: Filters = Filters()
    source: str = "rollup"
    today: date = field(default_factory=timezone.localdate)
    state: StatsRollupState = field(default_factory=rollup_state)
    _live: dict | None = field(default=None, init=False, repr=False)
    _overdue: dict = field(default_factory=dict, init=False, repr=False)

    @property
    def rolled_through(self) -> date | None:
        if self.source == "raw":
            return None
        return self.state.rolled_through

    @property
    def as_of(self) -> datetime:
        """When the figures were true: now for the live days, the last refresh for others."""
        if self.rolled_through and self.period.start <= self.rolled_through:
            return self.state.refreshed_at
        return timezone.now()

    def _live_cells(self) -> dict:
        """The cases submitted since the last refresh (all of them without one), as cells."""
        if self._live is None:
            since = self.state.refreshed_at if self.rolled_through is not None else None
            start = self.period.start
            if since is not None:
                start = max(start, timezone.localtime(since, TZ).date())
            end = min(self.period.end, self.today)
            self._live = (
                cells_compute(Period(start, end), filters=self.filters, since=since)
                if start <= end
                else {}
            )
        return self._live

    def _overdue_counts(self, by: str | None) -> dict:
        """Open overdue cases per group of `by` (as counts() keys them): read live, they
        depend on today. Grouped in the database by the day and `by`'s column only: the
        thousands of overdue cases of a big city come back as a few hundred rows."""
        if by not in self._overdue:
            # Every open overdue case, the period applied here: the partial index on open
            # deadlines finds those few faster than the submission index finds the period, and
            # holds every column asked here but the applicant's kind (an index-only scan: at
            # ten million cases the 5,840 overdue rows were read from the table, 228 ms).
            qs = Case.objects.filter(overdue_q(self.today))
            if by == "applicant_kind" or "applicant_kind" in self.filters.given():
                qs = qs.annotate(applicant_kind=_APPLICANT_KIND)
            qs = qs.filter(_case_filter(self.filters)).annotate(
                submitted_on=TruncDate("submitted_at", tzinfo=TZ)
            )
            column = DIMENSIONS[by][0] if by not in (None, "month") else None
            start, end = self.period.start, self.period.end
            counts: dict = defaultdict(int)
            for row in (
                qs.values("submitted_on", *[column] if column else [])
                .annotate(n=Count("*"))  # not the id: the index does not hold it
                .order_by()
            ):
                day = row["submitted_on"]
                if start <= day <= end:
                    key = row[column] if column else f"{day:%Y-%m}" if by == "month" else None
                    counts[key] += row["n"]
            self._overdue[by] = counts
        return self._overdue[by]

    def counts(self, by: str | None = None) -> dict:
        """{group key: counts}; the key is None without `by`, a "YYYY-MM" string by month,
        else the dimension's value (a database id, or the channel / applicant kind)."""
        with without_jit():
            return self._counts(by)

    def _counts(self, by: str | None) -> dict:
        if by is not None and by not in BREAKDOWNS:
            raise InvalidInput(_("by 应为 %(choices)s 之一，而不是 %(by)r") % {
                                   "choices": "、".join(BREAKDOWNS), "by": shown(by)},
                               code="invalid_choice", field="by")  # fmt: skip
        groups: dict = defaultdict(_zero)

        def key_of(day, values):
            if by is None:
                return None
            if by == "month":
                return f"{day:%Y-%m}"
            return values[list(DIMENSIONS).index(by)]

        # Finished days from the rollup.
        if self.rolled_through and self.period.start <= self.rolled_through:
            dims = set(self.filters.given())
            if by not in (None, "month"):
                dims.add(by)
            level = level_for(dims)
            rows = StatsDaily.objects.filter(
                _rollup_filter(self.filters),
                _grains(self.period.start, min(self.period.end, self.rolled_through)),
                level=level,
            )
            sums = {name: Sum(name) for name in STORED}
            if by is None:
                rows = [rows.aggregate(**sums)]
            else:
                group = "day" if by == "month" else DIMENSIONS[by][1]
                rows = rows.values(group).annotate(**sums).order_by()
            for row in rows:
                if by == "month":
                    key = f"{row['day']:%Y-%m}"
                elif by:
                    key = row[DIMENSIONS[by][1]]
                else:
                    key = None
                _add(groups[key], {name: row[name] for name in STORED})
        # Later days from the cases.
        for (day, *values), counts in self._live_cells().items():
            _add(groups[key_of(day, values)], counts)
        for key, n in self._overdue_counts(by).items():
            groups[key]["overdue_open"] += n
        if by is None:
            groups[None]  # noqa: B018 -- a period without cases still has a (zero) total
        return dict(groups)

    def summary(self) -> dict:
        return figures_from_counts(self.counts()[None])

    def breakdown(self, by: str) -> list[dict]:
        """One row per group, largest first (months in order): key, label, figures."""
        counts = self.counts(by)
        labels = group_labels(by, counts)
        rows = [
            {"key": code, "label": label, **figures_from_counts(counts[raw])}
            for raw, (code, label) in labels.items()
        ]
        if by == "month":
            rows.sort(key=lambda r: r["key"])
        else:
            rows.sort(key=lambda r: (-r["received"], r["key"] or ""))
        return rows

    def cases(self, figure: str) -> QuerySet:
        """The cases behind a count: those of the period that make up `figure`."""
        if figure not in CASE_FIGURES:
            raise InvalidInput(_("没有可列出办件的指标 %(figure)r") % {"figure": shown(figure)},
                               code="invalid_choice", field="figure")  # fmt: skip
        qs = cases_submitted(self.period, self.filters)
        if figure == "in_progress":
            qs = qs.filter(
                status__in=(Status.SUBMITTED, Status.AWAITING_SUPPLEMENT, Status.ACCEPTED)
            )
        elif figure == "overdue_open":
            qs = qs.filter(overdue_q(self.today))
        elif figure == "overdue":
            qs = qs.filter(overdue_q(self.today) | COUNTERS["overdue_finished"])
        elif figure == "ratings":
            qs = qs.filter(evaluations__excluded=False)
        elif figure == "bad_ratings":
            qs = qs.filter(evaluations__excluded=False, evaluations__score__lt=good_rating_min())
        elif figure.startswith("bad_ratings_"):
            qs = qs.filter(COUNTERS[RECTIFICATION_COUNTERS[figure]])
        elif COUNTERS[figure]:
            qs = qs.filter(COUNTERS[figure])
        return qs.select_related("item", "handling_office", "insured_region").order_by(
            "-submitted_at", "-pk"
        )


def group_labels(by: str, counts: dict) -> dict:
    """{raw group key: (code for people and the API, label)} for the keys of `counts`."""
    keys = list(counts)
    if by in ("office", "insured_region"):
        offices = {o.pk: o for o in Office.objects.filter(pk__in=[k for k in keys if k])}
        out = {}
        for k in keys:
            if k is None or k == 0:
                out[k] = (UNASSIGNED, _("未分配（全市受理池）"))
            else:
                out[k] = (offices[k].code, offices[k].name)
        return out
    if by == "item":
        items = {i.pk: i for i in ServiceItem.objects.filter(pk__in=keys)}
        return {k: (items[k].code, items[k].name) for k in keys}
    if by == "channel":
        return {k: (k, Channel(k).label) for k in keys}
    if by == "applicant_kind":
        return {k: (k, Applicant.Kind(k).label) for k in keys}
    return {k: (k, k) for k in keys}  # month


def data_span() -> tuple[date, date] | None:
    """The first and last local dates with submitted cases (for the rollup's full build)."""
    span = Case.objects.aggregate(lo=Min("submitted_at"), hi=Max("submitted_at"))
    if span["lo"] is None:
        return None
    return timezone.localtime(span["lo"], TZ).date(), timezone.localtime(span["hi"], TZ).date()


# --- The catalog's compression -------------------------------------------------------------

COMPRESSION_MEASURES = {
    "materials": gettext_lazy("申请材料（件）"),
    "steps": gettext_lazy("审核环节（个）"),
    "legal_days": gettext_lazy("法定时限（工作日）"),
    "promised_days": gettext_lazy("承诺时限（工作日）"),
}


def _cut(then: int | None, now: int | None) -> float | None:
    """The share cut from `then` to `now` (0.7 = cut by 70%); null without a baseline or
    when there was nothing to cut."""
    if then is None or now is None or then == 0:
        return None
    return round((then - now) / then, 4)


def _measures(version) -> dict:
    return {
        "materials": len(version.materials),
        "steps": len(version.steps),
        "legal_days": version.legal_days,
        "promised_days": version.promised_days,
    }


def catalog_compression(*, baseline: date | None = None, baseline_version: int | None = None,
                        on: date | None = None) -> dict:  # fmt: skip
    """The catalog now against a baseline, per item and in total (the "cut by 70%" figure).

    The baseline of an item is its version in force on `baseline` (a date), or its version
    number `baseline_version`, or else its first version. "Now" is the version in force on
    `on` (today). Items that are retired, or had no baseline version, are listed but left out
    of the totals. For each measure (materials, review steps, legal and promised limits in
    working days): then, now and cut = (then − now) / then. promised_vs_legal =
    (legal − promised) / legal of the current versions: how far the promised limit is below
    the legal one (承诺时限比法定时限压缩). Totals add the measures over the items first."""
    on = on or timezone.localdate()
    if baseline is not None and baseline_version is not None:
        raise InvalidInput(_("baseline 与 baseline_version 只能给一个"), code="invalid_baseline",
                           field="baseline_version")  # fmt: skip
    versions = defaultdict(list)
    for v in ItemVersion.objects.select_related("item").order_by("item__code", "number"):
        versions[v.item_id].append(v)
    rows = []
    totals_then = dict.fromkeys(COMPRESSION_MEASURES, 0)
    totals_now = dict.fromkeys(COMPRESSION_MEASURES, 0)
    compared = 0
    for item_versions in versions.values():
        item = item_versions[0].item
        in_force = [v for v in item_versions if v.effective_from <= on]
        current = max(in_force, key=lambda v: (v.effective_from, v.number), default=None)
        if current is None:
            continue  # not in force yet
        if baseline is not None:
            old = [v for v in item_versions if v.effective_from <= baseline]
            base = max(old, key=lambda v: (v.effective_from, v.number), default=None)
        elif baseline_version is not None:
            base = next((v for v in item_versions if v.number == baseline_version), None)
        else:
            base = item_versions[0]
        now_m = _measures(current)
        then_m = _measures(base) if base else dict.fromkeys(COMPRESSION_MEASURES)
        counted = base is not None and item.status != ServiceItem.Status.RETIRED
        row = {
            "code": item.code,
            "name": item.name,
            "status": item.status,
            "handling_type": current.handling_type,
            "baseline_version": base.number if base else None,
            "baseline_effective_from": base.effective_from.isoformat() if base else None,
            "current_version": current.number,
            "current_effective_from": current.effective_from.isoformat(),
            "counted": counted,
            **{
                m: {"then": then_m[m], "now": now_m[m], "cut": _cut(then_m[m], now_m[m])}
                for m in COMPRESSION_MEASURES
            },  # fmt: skip
            "promised_vs_legal": _cut(now_m["legal_days"], now_m["promised_days"]),
        }
        rows.append(row)
        if counted:
            compared += 1
            for m in COMPRESSION_MEASURES:
                totals_then[m] += then_m[m]
                totals_now[m] += now_m[m]
    total = {
        "items": compared,
        **{
            m: {
                "then": totals_then[m],
                "now": totals_now[m],
                "cut": _cut(totals_then[m], totals_now[m]),
            }
            for m in COMPRESSION_MEASURES
        },  # fmt: skip
        "promised_vs_legal": _cut(totals_now["legal_days"], totals_now["promised_days"]),
    }
    return {
        "baseline": baseline.isoformat() if baseline else None,
        "baseline_version": baseline_version,
        "on": on.isoformat(),
        "items": rows,
        "total": total,
    }


def filters_codes(filters: Filters) -> dict:
    """The filters as the codes people and clients use (the inverse of filters_parse)."""
    given = filters.given()
    out = {}
    for dim in ("office", "insured_region"):
        if dim in given:
            pk = given[dim]
            out[dim] = UNASSIGNED if pk == 0 else Office.objects.get(pk=pk).code
    if "item" in given:
        out["item"] = ServiceItem.objects.get(pk=given["item"]).code
    for dim in ("channel", "applicant_kind"):
        if dim in given:
            out[dim] = given[dim]
    return out


def compression_from_params(params) -> dict:
    """catalog_compression() from request parameters baseline / baseline_version / on."""
    baseline = date_clean(params.get("baseline"), field="baseline")
    version = params.get("baseline_version") or None
    if version is not None:
        if not str(version).isdigit() or int(version) < 1:
            raise InvalidInput(_("baseline_version 应为正整数"), code="invalid_baseline",
                               field="baseline_version")  # fmt: skip
        version = int(version)
    return catalog_compression(baseline=baseline, baseline_version=version,
                               on=date_clean(params.get("on"), field="on"))  # fmt: skip


# --- 帮办代办 ------------------------------------------------------------------------------


def assistance_figures(period: Period, *, scope: Office | None = None) -> dict:
    """帮办代办's figures of the cases submitted in `period` (the same cohort as every other
    figure) and of the home visits asked for in it, counted live (few cases have an agent or
    an agent point; case_agent_point_idx and the agent index find them):

    agent_points  per agent point (代办点) of `scope` (a county supervisor's office; None: the
                  city), whichever office handles its cases (an online case waits in the
                  city-wide intake first): received, completed, in_progress, assisted (of
                  those, applied for by an agent), and its home visits requested and done
    agents        per agent (an agent, or a clerk who applied as one) of the cases in scope:
                  received, completed, and home visits done
    visits        the home visits the scope's office serves, asked for in the period, by status
    totals        received, assisted and at_agent_point as COUNTERS defines them, of the cases
                  in scope: those `scope` handles, as the dashboard's office filter has them
                  (an online case nobody has taken yet is the intake's, in no office's)

    Points and agents with nothing in the period are left out; the largest first."""
    lo, hi = period.bounds
    submitted = Case.objects.filter(submitted_at__gte=lo, submitted_at__lt=hi)
    visits = HomeVisit.objects.filter(requested_at__gte=lo, requested_at__lt=hi)
    cases, at_points = submitted, submitted.filter(agent_point__isnull=False)
    if scope is not None:
        cases = submitted.filter(_case_filter(Filters(office=scope.pk)))
        at_points = submitted.filter(agent_point__office=scope)
        visits = visits.filter(office=scope)
    finished = Q(status__in=[Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN])
    counts = {
        "received": Count("pk"),
        "completed": Count("pk", filter=COUNTERS["completed"]),
        "in_progress": Count("pk", filter=~finished),
        "assisted": Count("pk", filter=COUNTERS["assisted"]),
    }
    by_point = {
        r["agent_point"]: r for r in at_points.values("agent_point").annotate(**counts).order_by()
    }
    by_agent = {
        r["agent"]: r
        for r in cases.filter(COUNTERS["assisted"]).values("agent").annotate(**counts).order_by()
    }
    visit_counts = {"requested": Count("pk"), "done": Count("pk", filter=Q(status="done"))}
    visits_by_point = {
        r["agent_point"]: r
        for r in visits.filter(agent_point__isnull=False).values("agent_point")
        .annotate(**visit_counts).order_by()
    }  # fmt: skip
    visits_by_agent = {
        r["agent"]: r
        for r in visits.filter(agent__isnull=False).values("agent").annotate(**visit_counts)
        .order_by()
    }  # fmt: skip
    points = AgentPoint.objects.filter(pk__in={*by_point, *visits_by_point}).select_related(
        "office"
    )
    zero = dict.fromkeys(counts, 0)
    point_rows = [
        {"code": p.code, "name": p.name, "office": p.office.code,
         **{k: by_point.get(p.pk, zero)[k] for k in counts},
         "visits_requested": visits_by_point.get(p.pk, {}).get("requested", 0),
         "visits_done": visits_by_point.get(p.pk, {}).get("done", 0)}
        for p in points
    ]  # fmt: skip
    users = User.objects.filter(pk__in={*by_agent, *visits_by_agent}).select_related("agent_point")
    agent_rows = [
        {"agent": u.username, "name": u.get_full_name() or u.username,
         "agent_point": u.agent_point.code if u.agent_point_id else None,
         "received": by_agent.get(u.pk, zero)["received"],
         "completed": by_agent.get(u.pk, zero)["completed"],
         "visits_done": visits_by_agent.get(u.pk, {}).get("done", 0)}
        for u in users
    ]  # fmt: skip
    point_rows.sort(key=lambda r: (-r["received"], r["code"]))
    agent_rows.sort(key=lambda r: (-r["received"], r["agent"]))
    by_status = dict(visits.values_list("status").annotate(n=Count("pk")).order_by())
    totals = cases.aggregate(
        received=Count("pk"), assisted=Count("pk", filter=COUNTERS["assisted"]),
        at_agent_point=Count("pk", filter=COUNTERS["at_agent_point"]),
    )  # fmt: skip
    return {
        "agent_points": point_rows,
        "agents": agent_rows,
        "visits": {s: by_status.get(s, 0) for s in HomeVisit.Status.values},
        "totals": totals,
    }


def assistance_for(user, params) -> dict:
    """assistance_figures() as `user` may read them (stats.access.figures_scope: a county
    supervisor their office's; a city supervisor the city's, or one office's with `office`),
    for the period `params` give (from, to, preset), with the period and office stated."""
    period = period_parse(params.get("from"), params.get("to"), preset=params.get("preset"))
    scope = filters_parse({"office": params.get("office") or ""}, scope=figures_scope(user)).office
    office = Office.objects.get(pk=scope) if scope else None
    return {"from": period.start.isoformat(), "to": period.end.isoformat(),
            "office": office.code if office else None, "office_name": office.name if office else None,
            **assistance_figures(period, scope=office)}  # fmt: skip


# --- 一件事 --------------------------------------------------------------------------------


def bundle_figures(period: Period | None = None, *, office: Office | None = None) -> dict:
    """一件事's figures: the bundle applications submitted in `period` (every one without it),
    those held by `office` if given (None: the city), counted live from their cases:

    received      bundle applications
    finished      of those, every case finished (completed, refused or withdrawn)
    in_progress   received − finished
    cases         the cases they made (COUNTERS["bundled"] of the same applications)
    bundles       the same per bundle (code, name), the most received first"""
    apps = BundleApplication.objects.all()
    if period is not None:
        lo, hi = period.bounds
        apps = apps.filter(submitted_at__gte=lo, submitted_at__lt=hi)
    if office is not None:
        apps = apps.filter(office=office)
    final = [Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN]
    rows = list(apps.values("pk", "bundle__code", "bundle__name").annotate(
        n=Count("cases"), open=Count("cases", filter=~Q(cases__status__in=final))).order_by())  # fmt: skip
    per: dict[str, dict] = {}
    for r in rows:
        b = per.setdefault(r["bundle__code"], {"code": r["bundle__code"], "name": r["bundle__name"],
                                                "received": 0, "finished": 0, "cases": 0})  # fmt: skip
        b["received"] += 1
        b["finished"] += r["open"] == 0
        b["cases"] += r["n"]
    for b in per.values():
        b["in_progress"] = b["received"] - b["finished"]
    totals = {
        k: sum(b[k] for b in per.values()) for k in ("received", "finished", "in_progress", "cases")
    }
    return {**totals, "bundles": sorted(per.values(), key=lambda b: (-b["received"], b["code"]))}


def bundles_for(user, params) -> dict:
    """bundle_figures() as `user` may read them (stats.access.figures_scope, as
    assistance_for()), for the period `params` give, with the period and office stated."""
    period = period_parse(params.get("from"), params.get("to"), preset=params.get("preset"))
    scope = filters_parse({"office": params.get("office") or ""}, scope=figures_scope(user)).office
    office = Office.objects.get(pk=scope) if scope else None
    return {"from": period.start.isoformat(), "to": period.end.isoformat(),
            "office": office.code if office else None, "office_name": office.name if office else None,
            **bundle_figures(period, office=office)}  # fmt: skip


def amount_figures(period: Period, *, office: Office | None = None) -> dict:
    """The money of the items that pay out (报销, 支付…): of the cases submitted in `period`
    (handled by `office` if given; None: the city) whose item's form counts a claimed amount,
    per handling office, item and month of submission (local):

    cases          cases with an amount claimed
    claimed        the sum of Case.amount_claimed (the form's money fields marked "claimed")
    paid_cases     of those, completed and approved with an amount approved
    paid           the sum of Case.amount_paid (the decision's money fields marked "paid")

    Amounts are yuan as text with two decimals. One grouped query."""
    lo, hi = period.bounds
    cases = Case.objects.filter(
        submitted_at__gte=lo, submitted_at__lt=hi, amount_claimed__isnull=False
    )
    if office is not None:
        cases = cases.filter(handling_office=office)
    paid = Q(status=Status.COMPLETED, result=Result.APPROVED, amount_paid__isnull=False)
    rows = list(
        cases.annotate(month=TruncMonth("submitted_at", tzinfo=TZ))
        .values("handling_office__code", "handling_office__name", "item__code", "item__name", "month")
        .annotate(cases=Count("pk"), claimed=Sum("amount_claimed"),
                  paid_cases=Count("pk", filter=paid), paid=Sum("amount_paid", filter=paid))
        .order_by("month", "handling_office__code", "item__code")
    )  # fmt: skip
    zero = Decimal("0.00")
    out = []
    for r in rows:
        month = r["month"].date() if isinstance(r["month"], datetime) else r["month"]
        out.append({
            "month": f"{month:%Y-%m}",
            "office": r["handling_office__code"],
            "office_name": r["handling_office__name"] or _("全市待认领"),
            "item": r["item__code"], "item_name": r["item__name"],
            "cases": r["cases"], "claimed": _yuan(r["claimed"]),
            "paid_cases": r["paid_cases"], "paid": _yuan(r["paid"] or zero),
        })  # fmt: skip
    out.sort(
        key=lambda r: (r["month"], r["office"] is None, r["office"] or "", r["item"])
    )  # intake last
    return {
        "cases": sum(r["cases"] for r in rows),
        "claimed": _yuan(sum((r["claimed"] for r in rows), zero)),
        "paid_cases": sum(r["paid_cases"] for r in rows),
        "paid": _yuan(sum((r["paid"] or zero for r in rows), zero)),
        "rows": out,
    }


def _yuan(value) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def amounts_for(user, params) -> dict:
    """amount_figures() as `user` may read them (stats.access.figures_scope, as
    bundles_for()), for the period `params` give, with the period and office stated."""
    period = period_parse(params.get("from"), params.get("to"), preset=params.get("preset"))
    scope = filters_parse({"office": params.get("office") or ""}, scope=figures_scope(user)).office
    office = Office.objects.get(pk=scope) if scope else None
    return {"from": period.start.isoformat(), "to": period.end.isoformat(),
            "office": office.code if office else None, "office_name": office.name if office else None,
            **amount_figures(period, office=office)}  # fmt: skip
