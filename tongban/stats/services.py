"""Keeping the rollup of the figures (models.StatsDaily) up to date.

The background-jobs schedule calls stats_rollup_refresh() every few minutes; operators run
`tongban stats-refresh`. Each day is recomputed whole from the cases (DELETE + INSERT in one
transaction), so a refresh can be repeated, interrupted or run on several workers at once.
"""

import logging
from datetime import date, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.db.models.functions import TruncDate
from django.utils import timezone

from tongban.cases.models import Case, CaseEvent
from tongban.evaluations.models import Appeal, Evaluation, Rectification

from .models import StatsDaily, StatsRollupState
from .selectors import (
    ROLLUP_COLUMNS,
    STORED,
    TZ,
    Period,
    cells_compute,
    data_span,
    month_after,
    month_start,
    rollup_rows,
)

log = logging.getLogger(__name__)

# Days recomputed per query: a week of a large city is ~40,000 cases.
CHUNK_DAYS = 7


def _locked_state() -> StatsRollupState:
    state = StatsRollupState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        try:
            with transaction.atomic():
                StatsRollupState.objects.create(pk=1)
        except IntegrityError:
            pass  # another worker created it first
        state = StatsRollupState.objects.select_for_update().get(pk=1)
    return state


def _days(first: date, last: date) -> set[date]:
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


def _runs(days: set[date]):
    """Sorted days as (first, last) runs of consecutive days, at most CHUNK_DAYS long."""
    run: list[date] = []
    for d in sorted(days):
        if run and (d - run[-1] != timedelta(days=1) or len(run) == CHUNK_DAYS):
            yield run[0], run[-1]
            run = []
        run.append(d)
    if run:
        yield run[0], run[-1]


def _submission_days(cases) -> set[date]:
    return set(
        Case.objects.filter(pk__in=cases)
        .annotate(day=TruncDate("submitted_at", tzinfo=TZ))
        .values_list("day", flat=True)
        .distinct()
        .order_by()
    )


def _touched_days(state: StatsRollupState) -> set[date]:
    """The submission days of the cases that changed since the refresh before last: a new
    event, a new rating, a rectification closed or an appeal decided. (Since the one before
    last, not the last: a transaction still open during the last refresh is seen now.)"""
    since = state.previous_refreshed_at or state.refreshed_at
    changed = [
        CaseEvent.objects.filter(pk__gt=state.previous_event_id),
        Evaluation.objects.filter(pk__gt=state.previous_evaluation_id),
        Rectification.objects.filter(closed_at__gte=since).values("evaluation__case_id"),
        Appeal.objects.filter(decided_at__gte=since).values("evaluation__case_id"),
    ]
    days = set()
    for qs in changed:
        if qs.model in (CaseEvent, Evaluation):
            qs = qs.values("case_id")
        days |= _submission_days(qs)
    return days


DAY, MONTH = StatsDaily.Grain.DAY, StatsDaily.Grain.MONTH
GROUP = ("level", "office_id", "item_id", "channel", "insured_region_id", "applicant_kind")


def _insert(rows: list[tuple]) -> None:
    """Write rollup rows (ROLLUP_COLUMNS tuples): COPY on PostgreSQL, else executemany."""
    table, columns = StatsDaily._meta.db_table, ", ".join(ROLLUP_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(ROLLUP_COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def _month_redo(month: date) -> None:
    """Rewrite the month rows of `month` as the sums of its day rows (one statement)."""
    StatsDaily.objects.filter(grain=MONTH, day=month).delete()
    table = StatsDaily._meta.db_table
    group = ", ".join(GROUP)
    sums = ", ".join(f"SUM({name})" for name in STORED)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (grain, day, {group}, {', '.join(STORED)}) "
            f"SELECT %s, %s, {group}, {sums} FROM {table} "
            f"WHERE grain = %s AND day >= %s AND day < %s GROUP BY {group}",
            [MONTH, month, DAY, month, month_after(month)],
        )


def stats_rollup_refresh(*, since: date | None = None) -> int:
    """Bring the figures' rollup up to date; returns how many days were recomputed.

    Recomputes every day not yet rolled up, today included, and every earlier day with a
    case that changed since the last refresh (a new CaseEvent, a rating, a rectification
    closed, an appeal decided). The first run builds every day since the first case. `since`
    also recomputes every day from that date (after a calendar year is loaded, say: handling
    days may change). Today is stored as far as the cases submitted before this refresh
    (`refreshed_at`); the selectors count the ones submitted since live, so a dashboard reads
    the few minutes since the last refresh from the cases, not the whole day (at ten million
    cases a year, a day is 27,000 of them). Runs in one transaction holding the state row, so
    concurrent refreshes wait for each other instead of doing the work twice."""
    today = timezone.localdate()
    last = today
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The connections start without parallel workers (settings: DATABASES); whole days
            # of cases are what they are for (PostgreSQL's own default, two a query).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 2")
        state = _locked_state()
        now = timezone.now()
        newest = CaseEvent.objects.aggregate(m=Max("pk"))["m"] or 0
        newest_rating = Evaluation.objects.aggregate(m=Max("pk"))["m"] or 0
        span = data_span()
        days: set[date] = set()
        if span:
            first = span[0]
            if state.rolled_through is None:
                days |= _days(first, last)
            else:
                days |= _days(max(state.rolled_through + timedelta(days=1), first), last)
                days |= _touched_days(state)
            if since is not None:
                days |= _days(max(since, first), last)
        days = {d for d in days if d <= last}
        for lo, hi in _runs(days):
            # Cases submitted from `now` on are the selectors' live part, not stored.
            cells = cells_compute(Period(lo, hi), before=now)
            StatsDaily.objects.filter(grain=DAY, day__gte=lo, day__lte=hi).delete()
            _insert(rollup_rows(cells))
        # The finished months among those days (a month finishes when its last day is
        # rolled up, and that day is then among the days redone).
        for month in sorted({month_start(d) for d in days if month_after(d) <= today}):
            _month_redo(month)
        full = state.rolled_through is None
        state.previous_event_id = newest if full else state.last_event_id
        state.previous_evaluation_id = newest_rating if full else state.last_evaluation_id
        state.previous_refreshed_at = now if full else state.refreshed_at
        state.rolled_through = last
        state.last_event_id = newest
        state.last_evaluation_id = newest_rating
        state.refreshed_at = now
        state.save()
    log.info("stats rollup: %d days recomputed, rolled through %s", len(days), last)
    return len(days)
