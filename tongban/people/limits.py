"""Counters of attempts that every server process shares: sign-in failures, SMS codes sent,
public look-ups. One row a key in the database (the store every process already has), moved
by one atomic statement, so that sixteen concurrent attempts count sixteen and a process
cannot hand out tries another has used.

A key's window starts with its first attempt and lasts `window` seconds; `limit_hit` counts
before the attempt is made, so a caller refuses the attempt that goes over the limit without
having made it."""

import time
from dataclasses import dataclass

from django.db import connection
from django.db.models import F

from tongban.lib import sql

from .models import Limit

_HIT = (
    'INSERT INTO {t} ("key", "count", "until") VALUES (%s, 1, %s) '
    'ON CONFLICT ("key") DO UPDATE SET '
    '"count" = CASE WHEN {t}."until" <= %s THEN 1 ELSE {t}."count" + 1 END, '
    '"until" = CASE WHEN {t}."until" <= %s THEN EXCLUDED."until" ELSE {t}."until" END '
    'RETURNING "count", "until"'
)


@dataclass(frozen=True)
class Tally:
    count: int
    until: float  # when the window ends (epoch seconds)

    def over(self, limit: int) -> bool:
        return self.count > limit

    @property
    def minutes_left(self) -> int:
        """Whole minutes until the window ends, at least one: for messages."""
        return max(1, -(-int(self.until - time.time()) // 60))


def limit_hit(key: str, *, window: int) -> Tally:
    """Count one attempt under `key` and return the count in its window (this one included)."""
    now = time.time()
    query = _HIT.format(t=sql.table(Limit))
    with connection.cursor() as cursor:  # one statement: atomic by itself
        cursor.execute(query, [key[:200], now + window, now, now])
        count, until = cursor.fetchone()
    return Tally(count, until)


def limit_peek(key: str) -> Tally:
    """The count under `key` in its current window, without counting."""
    row = Limit.objects.filter(key=key[:200], until__gt=time.time()).first()
    return Tally(row.count, row.until) if row else Tally(0, 0.0)


def limit_refund(key: str) -> None:
    """Give back one attempt (it turned out not to count: a successful sign-in)."""
    Limit.objects.filter(key=key[:200], count__gt=0).update(count=F("count") - 1)


def limit_clear(*keys: str, prefix: str = "") -> None:
    """Forget `keys` (and every key starting with `prefix`): a success, or an unlock."""
    if keys:
        Limit.objects.filter(key__in=[k[:200] for k in keys]).delete()
    if prefix:
        Limit.objects.filter(key__startswith=prefix).delete()


def limits_purge() -> int:
    """Delete the counters whose window has ended (a daily job). Returns how many."""
    return Limit.objects.filter(until__lte=time.time()).delete()[0]
