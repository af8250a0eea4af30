"""The background jobs' heartbeat: whether anything is running them.

Every `tongban worker` process keeps one WorkerHeartbeat row. It writes it when it starts and
then at most every HEARTBEAT_EVERY seconds while it polls its queue (one UPDATE by the row's
unique key). The city supervisors' pages and /health read the newest row: when the jobs last
ran, and a warning once that is more than STALE_AFTER ago, because then no SMS goes out, no
card is raised, no application is deemed accepted (§32) and no figure is refreshed.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone

from .models import WorkerHeartbeat

HEARTBEAT_EVERY = 15.0  # seconds between two writes of one worker
# A worker polls every second and the notifications are due every 30 s: three minutes without
# a beat is not a slow job but a worker that is gone or cannot reach the database.
STALE_AFTER = timedelta(minutes=3)
FORGET_AFTER = timedelta(days=1)  # rows of processes that ended, pruned when a worker starts


@dataclass(frozen=True)
class JobsHeartbeat:
    seen_at: datetime | None  # the newest poll of any worker; None if none ever ran
    job_at: datetime | None  # the newest job finished
    workers: int  # workers seen within STALE_AFTER
    age: timedelta | None  # since seen_at
    stale: bool  # no worker seen within STALE_AFTER (or none ever)

    @property
    def minutes(self) -> int | None:
        return None if self.age is None else int(self.age.total_seconds() // 60)


def heartbeat_record(
    *, worker: str, started_at: datetime, jobs: int = 0, job_at: datetime | None = None
) -> None:
    """Record that `worker` (host:pid) is polling its queue now: one UPDATE, an INSERT the
    first time. Raises the database's error when it cannot be reached (the worker retries)."""
    now = timezone.now()
    fields = {"seen_at": now, "jobs": jobs, "job_at": job_at}
    if not WorkerHeartbeat.objects.filter(worker=worker).update(**fields):
        WorkerHeartbeat.objects.update_or_create(
            worker=worker, defaults=fields, create_defaults={**fields, "started_at": started_at}
        )


def heartbeats_prune(*, now: datetime | None = None) -> int:
    """Forget workers not seen for FORGET_AFTER (ended or restarted processes); the count."""
    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()[0]


def jobs_heartbeat(*, now: datetime | None = None) -> JobsHeartbeat:
    """When the background jobs last ran, over every worker's row. One query."""
    now = now or timezone.now()
    row = WorkerHeartbeat.objects.aggregate(
        last_seen=Max("seen_at"),
        last_job=Max("job_at"),
        recent=Count("pk", filter=Q(seen_at__gte=now - STALE_AFTER)),
    )
    seen_at = row["last_seen"]
    age = max(now - seen_at, timedelta(0)) if seen_at else None
    return JobsHeartbeat(
        seen_at=seen_at,
        job_at=row["last_job"],
        workers=row["recent"],
        age=age,
        stale=age is None or age > STALE_AFTER,
    )
