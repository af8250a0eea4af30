"""The background jobs' heartbeat: a worker writes its row, the city supervisors read when the
jobs last ran (and a warning when that is too long ago), and /health tells a monitor."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tongban.ops.tasks import worker_name
from tongban.ops.worker import Worker
from tongban.supervision.heartbeat import STALE_AFTER, jobs_heartbeat
from tongban.supervision.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def a_worker(**kw) -> Worker:
    return Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                  startup_delay=False, max_tasks=None, worker_id=worker_name(),
                  excluded_queue_names=[], **kw)  # fmt: skip


# The library's loop closes a connection that is not in autocommit mode, as a test's
# transaction is not: the worker's tests commit (transaction=True).
@pytest.mark.django_db(transaction=True)
def test_a_worker_pass_writes_its_row_and_counts_its_jobs(city):
    from tongban.ops.tasks import deadlines_scan

    deadlines_scan.enqueue()
    a_worker().run()  # --burst: one pass over what is queued
    row = WorkerHeartbeat.objects.get(worker=worker_name())
    assert row.jobs >= 1 and row.job_at is not None  # the city's figures refresh ran too
    beat = jobs_heartbeat()
    assert beat.workers == 1 and not beat.stale and beat.seen_at == row.seen_at


@pytest.mark.django_db(transaction=True)
def test_rows_of_workers_gone_for_a_day_are_pruned_when_a_worker_starts(city):
    old = timezone.now() - timedelta(days=2)
    WorkerHeartbeat.objects.create(worker="gone:1", started_at=old, seen_at=old)
    a_worker().run()
    assert list(WorkerHeartbeat.objects.values_list("worker", flat=True)) == [worker_name()]


def client_of(client, user):
    client.force_login(user)
    return client


def _beat(age: timedelta):
    seen = timezone.now() - age
    WorkerHeartbeat.objects.create(worker="host:1", started_at=seen, seen_at=seen)


def test_the_city_supervisor_sees_when_the_jobs_last_ran(client, vera):
    _beat(timedelta(seconds=20))
    page = client_of(client, vera).get(reverse("supervision:board")).content.decode()
    assert "后台任务：最近一次运行" in page and "1 个进程在运行" in page
    assert 'class="msg warning jobs-beat"' not in page


def test_the_city_supervisor_is_warned_when_the_jobs_stopped(client, vera):
    _beat(STALE_AFTER + timedelta(minutes=4))
    page = client_of(client, vera).get(reverse("supervision:appeals")).content.decode()  # every tab
    assert "后台任务已 7 分钟没有运行" in page and "请检查 tongban worker" in page


def test_the_city_supervisor_is_warned_when_the_jobs_never_ran(client, vera):
    page = client_of(client, vera).get(reverse("supervision:board")).content.decode()
    assert "后台任务从未运行" in page


def test_a_county_supervisor_is_not_told(client, olga):
    page = client_of(client, olga).get(reverse("supervision:board")).content.decode()
    assert "jobs-beat" not in page


def test_health_says_ok_while_a_worker_polls(client, city):
    _beat(timedelta(seconds=5))
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["jobs"]["workers"] == 1 and 4 <= body["jobs"]["age_seconds"] <= 60
    assert "host" not in response.content.decode()  # no process names for the public


def test_health_is_503_when_the_jobs_stopped(client, city):
    _beat(STALE_AFTER + timedelta(seconds=1))
    response = client.get("/health")
    assert response.status_code == 503 and response.json()["status"] == "jobs_stale"
    assert response.json()["jobs"]["workers"] == 0


def test_health_is_503_when_no_worker_ever_ran(client, city):
    response = client.get("/health")
    assert response.status_code == 503 and response.json()["jobs"]["last_seen"] is None


def test_staleness_is_measured_from_the_newest_worker(city):
    _beat(timedelta(hours=1))
    WorkerHeartbeat.objects.create(worker="host:2", started_at=timezone.now(),
                                   seen_at=timezone.now())  # fmt: skip
    with time_machine.travel(timezone.now() + STALE_AFTER - timedelta(seconds=5)):
        assert not jobs_heartbeat().stale
    with time_machine.travel(timezone.now() + STALE_AFTER + timedelta(seconds=5)):
        assert jobs_heartbeat().stale
