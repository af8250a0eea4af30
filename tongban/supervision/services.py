"""Deadline cards (黄牌/红牌) and the overdue flag: the deadline scan.

The scan is set-based so that it stays fast over a million open cases and writes nothing for
a case whose state does not change:

- red: flag overdue every accepted case past its deadline with a guarded UPDATE (… WHERE
  overdue = false) and give each case it flips a red card — on PostgreSQL in one statement
  (UPDATE … RETURNING feeding the INSERT), so a case flagged on an earlier day is not read
  again beyond the partial index;
- yellow: a case has at most `share` of its time limit left when its deadline is on or before
  workdays.add(today, k), k = max(1, floor(share × promised days)) — "if it were accepted
  today with k days, it would be due then". That cut-off depends only on the item version's
  limit, so it is computed once per distinct limit (a handful of calendar queries), never per
  case. Instant items (limit 0) get their yellow card on the day they are due.

Every INSERT is `INSERT … SELECT … WHERE NOT EXISTS … ON CONFLICT DO NOTHING`: a case that
already has its card is skipped by the anti-join, and two scans racing each other are kept
apart by the unique (case, level) constraint. Running the scan again changes nothing.
"""

import math
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tongban.cases.models import Case, Status
from tongban.catalog.models import ItemVersion, limit_days
from tongban.workdays import services as workdays

from .models import Level, Warning


def yellow_days(limit: int, share: float | None = None) -> int:
    """Working days left at which a case with a `limit`-day time limit gets its yellow card."""
    share = settings.TONGBAN_YELLOW_SHARE if share is None else share
    if limit <= 0:
        return 0  # instant items: on the day they are due
    return max(1, math.floor(share * limit + 1e-9))


def _yellow_cutoffs(today: date) -> dict[date, list[int]]:
    """{cut-off date: [item version ids]} — one working-day calculation per distinct limit."""
    limits: dict[int, list[int]] = {}
    for pk, kind, days in ItemVersion.objects.values_list("pk", "handling_type", "promised_days"):
        limits.setdefault(limit_days(kind, days), []).append(pk)
    cutoffs: dict[date, list[int]] = {}
    for limit, versions in limits.items():
        cutoff = workdays.add(today, yellow_days(limit)).date
        cutoffs.setdefault(cutoff, []).extend(versions)
    return cutoffs


def _insert_cards(level: str, now: datetime, where: str, params: list) -> int:
    """INSERT one card of `level` for every accepted case matching `where` that has none."""
    card, case = Warning._meta.db_table, Case._meta.db_table
    sql = (
        f"INSERT INTO {card} (case_id, level, raised_at, deadline, office_id) "
        f"SELECT c.id, %s, %s, c.deadline, c.handling_office_id FROM {case} c "
        f"WHERE c.status = %s AND {where} "
        f"AND NOT EXISTS (SELECT 1 FROM {card} w WHERE w.case_id = c.id AND w.level = %s) "
        f"ON CONFLICT (case_id, level) DO NOTHING"
    )
    ops = connection.ops
    params = [ops.adapt_datefield_value(p) if isinstance(p, date) else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [level, ops.adapt_datetimefield_value(now), Status.ACCEPTED, *params, level]
        )
        return max(cursor.rowcount, 0)


def _raise_red(now: datetime, today: date) -> tuple[int, int]:
    """Flag overdue every accepted case past its deadline that is not flagged yet, and give
    each case it flags a red card. Returns (flagged, cards)."""
    card, case = Warning._meta.db_table, Case._meta.db_table
    ops = connection.ops
    # Never on a provisional deadline (a guess into a year not loaded): the card waits.
    flag = (
        f"UPDATE {case} SET overdue = %s WHERE status = %s AND deadline < %s AND overdue = %s "
        "AND deadline_provisional = %s"
    )
    flag_params = [True, Status.ACCEPTED, ops.adapt_datefield_value(today), False, False]
    if connection.vendor == "postgresql":
        # One statement: the cards come from the rows the guarded UPDATE flipped, so a case
        # already flagged is never read again (no anti-join over every overdue case).
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH flagged AS ({flag} RETURNING id, deadline, handling_office_id) "
                f"INSERT INTO {card} (case_id, level, raised_at, deadline, office_id) "
                f"SELECT id, %s, %s, deadline, handling_office_id FROM flagged "
                f"ON CONFLICT (case_id, level) DO NOTHING",
                [*flag_params, Level.RED, ops.adapt_datetimefield_value(now)],
            )
            cards = max(cursor.rowcount, 0)
        return cards, cards
    with connection.cursor() as cursor:
        cursor.execute(flag, flag_params)
        flagged = max(cursor.rowcount, 0)
    return flagged, _insert_cards(
        Level.RED, now, "c.deadline < %s AND c.deadline_provisional = %s", [today, False]
    )


def deadlines_scan(*, now: datetime | None = None) -> dict[str, int]:
    """Raise the yellow and red cards that are due and flag overdue cases; idempotent and safe
    to run on several workers at once. Returns how many cards and flags it added."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = {"red": 0, "yellow": 0, "overdue": 0}
    with transaction.atomic():
        result["overdue"], result["red"] = _raise_red(now, today)
    for cutoff, versions in sorted(_yellow_cutoffs(today).items()):
        if cutoff < today:
            continue
        # Item version ids go in literally (integers from the database), so the statement
        # stays one round trip whatever their number.
        ids = ",".join(str(int(v)) for v in versions)
        with transaction.atomic():
            result["yellow"] += _insert_cards(
                Level.YELLOW,
                now,
                f"c.deadline >= %s AND c.deadline <= %s AND c.item_version_id IN ({ids})",
                [today, cutoff],
            )
    return result


# --- Reading -------------------------------------------------------------------------------


def warnings_visible(user):
    """The cards `user` may see: a city supervisor all of them, an office supervisor those of
    cases their office handles now."""
    qs = Warning.objects.select_related(
        "case__item", "case__handling_office", "case__applicant", "office"
    )
    if user.is_city_supervisor:
        return qs
    if user.office_id is None:
        return qs.none()
    return qs.filter(case__handling_office_id=user.office_id)
