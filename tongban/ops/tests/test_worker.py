"""The background worker outlives a dropped database connection (issue #12: a PostgreSQL
restart ended django_tasks_db's worker for good, and with it every SMS, card and §32
acceptance). PostgreSQL only: the connection is dropped for real, with pg_terminate_backend."""

import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tongban.ops.tasks import _job
from tongban.ops.tests.test_broker import wait_for
from tongban.ops.tests.test_heartbeat import a_worker
from tongban.supervision.models import WorkerHeartbeat

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="drops a PostgreSQL connection"),
]

ATTEMPTS: list[str] = []


def _drop_own_connection_the_first_time(name: str) -> str:
    ATTEMPTS.append(name)
    if len(ATTEMPTS) == 1:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
    return "done"


@task
def loses_its_connection():
    """A job whose connection drops under it: its failure cannot be recorded either."""
    return _drop_own_connection_the_first_time("bare")


@task
@_job
def loses_its_connection_in_a_job():
    """The same inside tongban's job wrapper, which reconnects, so the failure is recorded."""
    return _drop_own_connection_the_first_time("job")


@pytest.fixture
def attempts():
    ATTEMPTS.clear()
    yield ATTEMPTS
    ATTEMPTS.clear()


@pytest.mark.parametrize("job", [loses_its_connection, loses_its_connection_in_a_job])
def test_a_job_cut_short_by_a_lost_connection_runs_again(city, attempts, job, caplog):
    result = job.enqueue()
    a_worker().run()  # one pass (--burst); the drop must not end it
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL and row.return_value == "done"
    assert len(attempts) == 2 and len(row.worker_ids) == 2
    assert "was cut short by a lost database connection; queued again" in caplog.text


def worker_process(tmp_path, *args) -> subprocess.Popen:
    from tongban.ops.tests.test_broker import worker_env

    env = worker_env(tmp_path)
    env.pop("TONGBAN_BROKER_URL")  # the database queue
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--verbosity", "0", *args],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip


def _other_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _terminate_other_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_the_worker_reconnects_after_its_connection_is_dropped(city, tmp_path):
    from tongban.ops.tasks import deadlines_scan

    proc = worker_process(tmp_path)
    try:
        # Both the worker's loop and its scheduler thread have connected.
        assert wait_for(lambda: _other_backends() >= 2, timeout=30), "the worker never connected"
        dropped = timezone.now()
        assert _terminate_other_backends() >= 1
        time.sleep(2.5)  # the worker polls every second: it has met the dropped connection
        assert proc.poll() is None, "the worker died with its connection"
        scan = deadlines_scan.enqueue()
        assert wait_for(
            lambda: DBTaskResult.objects.get(pk=scan.id).status == TaskResultStatus.SUCCESSFUL,
            timeout=30,
        ), "a job queued after the drop never ran"
        # Back, the worker says so at once on its heartbeat row.
        assert WorkerHeartbeat.objects.get().seen_at > dropped
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert out.count(": database unavailable (") >= 1, out
    assert out.count("background worker") == 2, out  # one line lost, one line back
    assert "Traceback" not in out, out
