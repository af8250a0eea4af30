"""The background worker's loop, kept alive through database outages, and its heartbeat.

django_tasks_db's worker re-raises any database error but a locked SQLite file, so a
PostgreSQL restart ended it for good, and with it every SMS, card, §32 deemed acceptance and
figure. `Worker` runs that same loop one pass at a time (its own `batch` mode: everything
queued, then return). Between passes it records the heartbeat
(tongban.supervision.heartbeat). When the database has gone away it closes the connection,
writes one log line, tries again after 1 s, 2 s, 4 s … at most BACKOFF_MAX, and carries on.
A job that a lost connection cut short is queued again (every job is safe to run twice,
tongban.ops.tasks), at most MAX_ATTEMPTS times in all.
"""

import logging
import os
import socket
import threading
import time
from contextlib import suppress
from datetime import timedelta

from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connections,
)
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from tongban.ops.tasks import schedule_tick, worker_name
from tongban.supervision.heartbeat import HEARTBEAT_EVERY, heartbeat_record, heartbeats_prune
from tongban.supervision.models import WorkerHeartbeat

log = logging.getLogger(__name__)

# The errors of a database that is down, restarting or dropped this connection.
CONNECTION_LOST = (OperationalError, InterfaceError)
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 30.0


class Outage:
    """One log line when the database goes away and one when it is back, however many
    attempts fail in between; the connections of the calling thread closed after each."""

    def __init__(self, who: str):
        self.who = who
        self.since: float | None = None
        self.delay = BACKOFF_FIRST

    def lost(self, error: BaseException) -> float:
        """Note a failed attempt; returns the seconds to wait before the next one."""
        if self.since is None:
            self.since = time.monotonic()
            self.delay = BACKOFF_FIRST
            first = str(error).strip().splitlines()[0] if str(error).strip() else ""
            log.warning("%s: database unavailable (%s: %s); trying again with a back-off up to "
                        "%.0f s", self.who, type(error).__name__, first, BACKOFF_MAX)  # fmt: skip
        else:
            self.delay = min(self.delay * 2, BACKOFF_MAX)
        with suppress(DatabaseError):
            connections.close_all()  # this thread's; the next query connects afresh
        return self.delay

    def back(self) -> None:
        if self.since is not None:
            log.warning("%s: database back after %.0f s", self.who, time.monotonic() - self.since)
            self.since = None


class Heartbeat:
    """This process's WorkerHeartbeat row, written at most every HEARTBEAT_EVERY seconds."""

    def __init__(self):
        self.worker = worker_name()
        self.started_at = timezone.now()
        self.jobs = 0
        self.job_at = None
        self._written = None  # time.monotonic() of the last write

    def job_done(self) -> None:
        self.jobs += 1
        self.job_at = timezone.now()

    def beat(self, *, now: bool = False) -> None:
        """Write the row if HEARTBEAT_EVERY has passed since the last write, or `now`."""
        if not now and self._written is not None:
            if time.monotonic() - self._written < HEARTBEAT_EVERY:
                return
        if self._written is None:
            heartbeats_prune()
            orphans_requeue(self.worker)
        heartbeat_record(worker=self.worker, started_at=self.started_at, jobs=self.jobs,
                         job_at=self.job_at)  # fmt: skip
        self._written = time.monotonic()


class Worker(db_worker.Worker):
    """django_tasks_db's worker that beats a heartbeat and outlives database outages."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.once, self.batch = self.batch, True  # one pass per run() of the library's loop
        self.heartbeat = Heartbeat()
        self.outage = Outage(f"background worker {self.heartbeat.worker}")
        self.interrupted: DBTaskResult | None = None  # the job an outage cut short

    def run(self) -> None:
        while self.running:
            try:
                # After an outage, a write says at once that the worker is back.
                self.heartbeat.beat(now=self.outage.since is not None)
                self.outage.back()
                if self.interrupted is not None:
                    # Its result could not be written: the row is still RUNNING.
                    _run_again(self.interrupted, TaskResultStatus.RUNNING, self.outage.who)
                    self.interrupted = None
                super().run()
                done = self.once or (
                    self.max_tasks is not None and self._run_tasks >= self.max_tasks
                )
                self.heartbeat.beat(now=done)  # a worker that ends leaves its count behind
            except CONNECTION_LOST as e:
                time.sleep(self.outage.lost(e))
                continue
            finally:
                self.startup_delay = False  # the library's random delay, at start only
            if done:
                return
            if self.running:
                time.sleep(self.interval)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.interrupted = db_task_result
        super().run_task(db_task_result)  # raises when the database is gone
        self.interrupted = None
        if (db_task_result.status == TaskResultStatus.FAILED
                and db_task_result.exception_class_path in LOST_PATHS):  # fmt: skip
            # The job met the outage and the failure was recorded on a new connection.
            _run_again(db_task_result, TaskResultStatus.FAILED, self.outage.who)
        self.heartbeat.job_done()
        self.heartbeat.beat()


LOST_PATHS = {f"{e.__module__}.{e.__qualname__}" for e in CONNECTION_LOST}
MAX_ATTEMPTS = 3  # a job that loses its connection every time is left FAILED after this


def _run_again(task: DBTaskResult, status: str, who: str,
               why: str = "was cut short by a lost database connection") -> bool:  # fmt: skip
    """Queue a job that a lost connection (or its worker's end) cut short once more (every
    job is safe to run twice), unless it has been tried MAX_ATTEMPTS times."""
    if len(task.worker_ids) >= MAX_ATTEMPTS:
        return False
    again = DBTaskResult.objects.filter(pk=task.pk, status=status).update(
        status=TaskResultStatus.READY, started_at=None, finished_at=None,
        exception_class_path="", traceback="",
    )  # fmt: skip
    if again:
        log.warning("%s: job %s (%s) %s; queued again",
                    who, task.task_path.rsplit(".", 1)[-1], task.pk, why)  # fmt: skip
    return bool(again)


# A worker on another machine that has not beaten for this long is gone: no job runs an hour.
ORPHANED_AFTER = timedelta(hours=1)


def _gone(worker_id: str, *, host: str, beats: dict) -> bool:
    """Whether the worker process `worker_id` ("host:pid") has ended: on this machine, no such
    process; on another, no heartbeat for ORPHANED_AFTER."""
    their_host, _, pid = worker_id.rpartition(":")
    if their_host == host and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False  # alive, another user's
        return False
    seen = beats.get(worker_id)
    return seen is None or seen < timezone.now() - ORPHANED_AFTER


def orphans_requeue(me: str) -> int:
    """Queue again the jobs left RUNNING by a worker that was killed mid-job (SIGKILL, the
    machine lost power: nothing could write their result); called when a worker starts.
    Returns how many; a job tried MAX_ATTEMPTS times is left FAILED instead."""
    host = socket.gethostname()
    running = list(DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING))
    if not running:
        return 0
    beats = dict(WorkerHeartbeat.objects.values_list("worker", "seen_at"))
    again = 0
    for task in running:
        last = task.worker_ids[-1] if task.worker_ids else ""
        if not last or last == me or not _gone(last, host=host, beats=beats):
            continue
        if _run_again(
            task,
            TaskResultStatus.RUNNING,
            f"background worker {me}",
            why="its worker ended mid-job",
        ):
            again += 1
        else:
            DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED, finished_at=timezone.now(),
                exception_class_path="tongban.ops.worker.WorkerLost",
                traceback=f"the worker {last} ended while running it, {MAX_ATTEMPTS} times",
            )  # fmt: skip
    return again


def scheduler_loop(stop: threading.Event, *, interval: float = 5.0) -> None:
    """Call schedule_tick() every `interval` seconds until `stop` is set, through outages."""
    outage = Outage(f"scheduler {worker_name()}")
    while not stop.is_set():
        try:
            close_old_connections()
            schedule_tick()
            outage.back()
        except CONNECTION_LOST as e:
            outage.lost(e)  # the next tick is the retry
        except Exception:  # a bug in one tick must not stop the schedule
            log.exception("scheduler tick failed")
        stop.wait(interval)


def heartbeat_loop(stop: threading.Event, heartbeat: Heartbeat) -> None:
    """Beat from a thread until `stop` is set: for the RQ worker, whose loop waits on Redis
    and keeps its own heartbeat there."""
    outage = Outage(f"background worker {heartbeat.worker}")
    while True:
        try:
            heartbeat.beat(now=True)
            outage.back()
            wait = HEARTBEAT_EVERY
        except CONNECTION_LOST as e:
            wait = outage.lost(e)
        if stop.wait(wait):
            return
