"""A job left RUNNING by a worker that was killed mid-job (SIGKILL: nothing could write its
result) is queued again when a worker starts, and runs; one whose worker lives is left alone."""

import os
import socket
import subprocess
import sys

import pytest
from django.tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from tongban.ops.tests.test_heartbeat import a_worker
from tongban.ops.worker import MAX_ATTEMPTS, orphans_requeue

pytestmark = pytest.mark.django_db(transaction=True)


@task
def count_once():
    return "counted"


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(done.stdout)


def _left_running(worker_ids: list[str]) -> DBTaskResult:
    result = count_once.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(status=TaskResultStatus.RUNNING,
                                                     worker_ids=worker_ids)  # fmt: skip
    return DBTaskResult.objects.get(pk=result.id)


def test_a_job_of_a_killed_worker_runs_again_when_a_worker_starts(city):
    host = socket.gethostname()
    orphan = _left_running([f"{host}:{_dead_pid()}"])
    alive = _left_running([f"{host}:{os.getppid()}"])  # a live process: still working
    a_worker().run()  # its first beat looks for orphans, then it runs what is queued
    orphan.refresh_from_db()
    alive.refresh_from_db()
    assert orphan.status == TaskResultStatus.SUCCESSFUL and orphan.return_value == "counted"
    assert alive.status == TaskResultStatus.RUNNING


def test_a_job_whose_workers_keep_dying_is_left_failed(city):
    dead = f"{socket.gethostname()}:{_dead_pid()}"
    job = _left_running([dead] * MAX_ATTEMPTS)
    assert orphans_requeue("me:1") == 0
    job.refresh_from_db()
    assert job.status == TaskResultStatus.FAILED and "ended while running it" in job.traceback


def test_a_worker_on_another_machine_counts_as_gone_only_without_a_heartbeat(city):
    job = _left_running(["elsewhere:4242"])  # no heartbeat row at all
    assert orphans_requeue("me:1") == 1
    job.refresh_from_db()
    assert job.status == TaskResultStatus.READY
