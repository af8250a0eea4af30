"""The periodic schedule: each due job is enqueued once, however many workers tick."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tongban.ops import tasks
from tongban.supervision.models import ScheduledJob


@pytest.mark.django_db
def test_a_tick_enqueues_each_due_job_once(city):
    now = timezone.now()
    queued = DBTaskResult.objects.count()  # loading the city's calendar queued a figures refresh
    assert sorted(tasks.schedule_tick(now=now, who="a")) == sorted(tasks.SCHEDULE)
    assert tasks.schedule_tick(now=now, who="b") == []
    assert DBTaskResult.objects.count() - queued == len(tasks.SCHEDULE)
    later = now + timedelta(seconds=31)  # only the notifications and the outbox are due again
    assert tasks.schedule_tick(now=later, who="b") == ["notifications_dispatch", "outbox_deliver"]
    assert ScheduledJob.objects.get(name="notifications_dispatch").last_enqueued_by == "b"


@pytest.mark.django_db
def test_the_jobs_run_and_leave_their_result(city):
    assert tasks.deadlines_scan.call() == {"red": 0, "yellow": 0, "overdue": 0}
    tasks.schedule_tick()
    tasks.notifications_dispatch.call()
    job = ScheduledJob.objects.get(name="notifications_dispatch")
    assert job.last_finished_at and job.last_result["recorded"] == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs PostgreSQL")
def test_workers_ticking_together_enqueue_each_job_once(city):
    from conftest import race

    now = timezone.now()
    tasks.schedule_tick(now=now - timedelta(days=1))  # the rows exist; all due again now
    before = DBTaskResult.objects.count()
    results = race([lambda: tasks.schedule_tick(now=now)] * 4)
    assert sorted(sum(results, [])) == sorted(tasks.SCHEDULE)
    assert DBTaskResult.objects.count() - before == len(tasks.SCHEDULE)
