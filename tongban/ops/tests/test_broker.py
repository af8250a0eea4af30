"""The real broker: a `tongban worker` process on Redis runs a scan enqueued from here, and a
burst worker enqueues and runs the periodic jobs itself. ./dev test (and .ci/run) start Redis
when it is down; the test database must be visible to another process, so these run on
PostgreSQL (the SQLite test database lives in this process's memory)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from conftest import data_key_env
from tongban.supervision.models import ScheduledJob, Warning, WorkerHeartbeat
from tongban.supervision.tests.conftest import accepted_on

BROKER_URL = os.environ.get("TONGBAN_TEST_BROKER_URL", "redis://127.0.0.1:6379/14")

pytestmark = [
    pytest.mark.broker,
    # One process of a parallel run (./dev test) at a time: each test empties database 14.
    pytest.mark.xdist_group("redis"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the worker process needs a database it can reach: runs on PostgreSQL",
    ),
]


@pytest.fixture
def redis_broker(settings):
    import redis

    client = redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as e:
        pytest.skip(f"Redis is not reachable at {BROKER_URL} ({e}); ./dev test starts it")
    client.flushdb()  # a database number of its own (14), for these tests only
    settings.RQ_QUEUES = {"default": {"URL": BROKER_URL}}
    yield client
    client.flushdb()


def worker_env(tmp_path: Path) -> dict:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tongban.settings",
        "TONGBAN_DATABASE_URL": url,
        "TONGBAN_BROKER_URL": BROKER_URL,
        "TONGBAN_DATA_DIR": str(tmp_path),
        "TONGBAN_SMS_BACKEND": "file",
        **data_key_env(),
    }


def worker(tmp_path, *args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", *args],
        cwd=settings.BASE_DIR, env=worker_env(tmp_path),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_worker_on_redis_runs_an_enqueued_scan(redis_broker, alice, carol, tmp_path):
    from django_tasks_rq import RQBackend

    from tongban.ops.tasks import deadlines_scan

    case = accepted_on("2025-03-03", alice, carol)  # long overdue by now
    proc = worker(tmp_path, "--no-scheduler")
    try:
        RQBackend("default", {"QUEUES": ["default"]}).enqueue(deadlines_scan, (), {})
        ran = wait_for(lambda: Warning.objects.filter(case=case, level="red").exists())
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            output, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
    assert ran, output
    case.refresh_from_db()
    assert case.overdue
    assert "tongban.ops.tasks.deadlines_scan" in output and "Job OK" in output
    # An RQ worker keeps its heartbeat row in the database too (the supervisors' line, /health).
    assert WorkerHeartbeat.objects.filter(worker__endswith=f":{proc.pid}").exists()


def test_a_burst_worker_enqueues_the_due_jobs_on_redis_and_runs_them(redis_broker, alice, carol,
                                                                     tmp_path):  # fmt: skip
    case = accepted_on("2025-03-03", alice, carol)
    proc = worker(tmp_path, "--burst")
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, output
    assert Warning.objects.filter(case=case, level="red").exists()
    done = dict(ScheduledJob.objects.values_list("name", "last_finished_at"))
    assert done["deadlines_scan"] and done["notifications_dispatch"], output
    # The acceptance SMS went out through the file gateway of the worker's data dir.
    (sms_file,) = (tmp_path / "sms").iterdir()
    assert case.number in sms_file.read_text(encoding="utf-8")
