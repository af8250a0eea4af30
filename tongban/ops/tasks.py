"""Background jobs: django.tasks tasks, and the schedule `tongban worker` enqueues them on.

Every job is a thin wrapper around a service that is idempotent and safe to run on several
workers at once (guarded UPDATEs, unique keys), so a job that runs twice, or on two workers
at the same moment, does its work once.

The backend comes from settings.TASKS: django-tasks-db (the database) on the embedded
default, django-tasks-rq (RQ over Redis) when TONGBAN_BROKER_URL is set.
"""

import functools
import os
import socket
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import close_old_connections, connection, transaction
from django.tasks import task
from django.utils import timezone


def _job(fn):
    """Around each job: drop a connection that went stale between jobs (an RQ worker is a
    long-lived process; the database worker does the same itself), and record the result
    on the job's ScheduledJob row (named like the function)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        if not connection.in_atomic_block:
            close_old_connections()
        try:
            result = fn(*args, **kwargs)
            _finished(fn.__name__, result)
            return result
        finally:
            if not connection.in_atomic_block:
                close_old_connections()

    return run


def _finished(name: str, result) -> None:
    from tongban.supervision.models import ScheduledJob

    ScheduledJob.objects.filter(name=name).update(
        last_result=result if isinstance(result, dict) else {"result": result},
        last_finished_at=timezone.now(),
    )


@task
@_job
def deadlines_scan() -> dict:
    """Yellow and red cards; the overdue flag."""
    from tongban.supervision.services import deadlines_scan as scan

    return scan()


@task
@_job
def prereview_overrun() -> dict:
    """行政许可法 §32: online applications unanswered for 5 working days count as accepted."""
    from tongban.cases.services import cases_deem_accepted_overdue

    return {"deemed_accepted": cases_deem_accepted_overdue()}


@task
@_job
def lapses() -> dict:
    """容缺 promises past their date and supplements unanswered past their limit."""
    from tongban.cases.services import cases_lapse_overdue

    return cases_lapse_overdue()


@task
@_job
def notifications_dispatch() -> dict:
    """Record the notifications the latest events call for and send what is pending."""
    from tongban.supervision.notifications import notifications_dispatch as dispatch

    return dispatch()


@task
@_job
def stats_rollup_refresh(since: str | None = None) -> dict:
    """The figures' rollups (tongban.stats): the days touched since the last run, or every
    day from `since` (an ISO date) when a calendar change moved handling days."""
    from tongban.stats.services import stats_rollup_refresh as refresh

    result = refresh(since=date.fromisoformat(since) if since else None)
    return result if isinstance(result, dict) else {"result": result}


@task
@_job
def deadlines_recompute() -> dict:
    """Every open working-day date counted again (after a calendar year was loaded or changed)."""
    from tongban.cases.services import case_dates_recompute
    from tongban.evaluations.services import rectification_dues_recompute

    return {"moved": case_dates_recompute(), "rectifications": rectification_dues_recompute()}


@task
@_job
def housekeeping() -> dict:
    """The audit chain's anchor of each finished day of case events (audit.anchors), and the
    sign-in, code and look-up counters whose window has ended (people.limits)."""
    from tongban.audit.anchors import anchors_make
    from tongban.people.limits import limits_purge

    return {"anchored": len(anchors_make()), "counters_purged": limits_purge()}


@task
@_job
def outbox_deliver() -> dict:
    """跨区通办: the messages to partner platforms whose time has come (tongban.crossregion)."""
    from tongban.crossregion.services import outbox_deliver as deliver

    return deliver()


@dataclass(frozen=True)
class Periodic:
    task: object
    every: timedelta


# The schedule. Each job is cheap when there is nothing to do; the deadline scan touches only
# cases whose state changes, and the notifications go out within half a minute.
SCHEDULE = {
    "notifications_dispatch": Periodic(notifications_dispatch, timedelta(seconds=30)),
    "deadlines_scan": Periodic(deadlines_scan, timedelta(minutes=2)),
    "prereview_overrun": Periodic(prereview_overrun, timedelta(minutes=5)),
    "lapses": Periodic(lapses, timedelta(minutes=5)),
    "stats_rollup_refresh": Periodic(stats_rollup_refresh, timedelta(minutes=10)),
    "deadlines_recompute": Periodic(deadlines_recompute, timedelta(hours=6)),
    "housekeeping": Periodic(housekeeping, timedelta(hours=1)),
    "outbox_deliver": Periodic(outbox_deliver, timedelta(seconds=10)),
}


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def schedule_tick(*, now=None, who: str | None = None) -> list[str]:
    """Enqueue every periodic job that is due; returns the names enqueued.

    Several workers call this at once: each job's next run time moves forward with a guarded
    UPDATE (… WHERE next_run_at <= now), and only the worker whose UPDATE changed the row
    enqueues, so each run is enqueued once."""
    from tongban.supervision.models import ScheduledJob

    now = now or timezone.now()
    who = who or worker_name()
    next_runs = dict(ScheduledJob.objects.values_list("name", "next_run_at"))
    missing = [ScheduledJob(name=n, next_run_at=now) for n in SCHEDULE if n not in next_runs]
    if missing:
        ScheduledJob.objects.bulk_create(missing, ignore_conflicts=True)
        next_runs |= {j.name: now for j in missing}
    enqueued = []
    for name, job in SCHEDULE.items():
        if next_runs[name] > now:
            continue  # not due: no write at all (SQLite takes its write lock for any UPDATE)
        with transaction.atomic():
            won = ScheduledJob.objects.filter(name=name, next_run_at__lte=now).update(
                next_run_at=now + job.every, last_enqueued_at=now, last_enqueued_by=who[:100]
            )
            if won:
                # With the database backend the task row commits with the schedule row.
                job.task.enqueue()
                enqueued.append(name)
    return enqueued


def run_now(name: str) -> None:
    """Make a periodic job due at once (the demo clock, an operator)."""
    from tongban.supervision.models import ScheduledJob

    ScheduledJob.objects.filter(name=name).update(next_run_at=timezone.now())
