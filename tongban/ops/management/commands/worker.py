"""tongban worker: run background jobs.

One process does two things: a scheduler thread that enqueues the periodic jobs when they are
due (tongban.ops.tasks.SCHEDULE; several workers enqueue each run once), and a worker that runs
what is queued on the configured backend:

- no TONGBAN_BROKER_URL: django-tasks-db's worker, reading the task table in the database,
  kept alive through database outages (tongban.ops.worker.Worker);
- TONGBAN_BROKER_URL=redis://…: an RQ worker on that Redis (django-tasks-rq).

Either way the process keeps its heartbeat row (tongban.supervision.heartbeat), which the city
supervisors' pages and /health read. Run as many as you like; every job is safe to run on
several workers at once.
"""

import logging
import os
import signal
import threading

from django.conf import settings
from django.core.management import BaseCommand, call_command
from django.tasks import DEFAULT_TASK_QUEUE_NAME

from tongban.ops.tasks import schedule_tick, worker_name
from tongban.ops.worker import Heartbeat, Worker, heartbeat_loop, scheduler_loop


def _watch_parent(stop: threading.Event) -> None:
    """Stop this worker when the process that started it is gone (tongban serve)."""
    parent = os.getppid()
    while not stop.wait(1.0):
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)
            return


class Command(BaseCommand):
    help = "Run background jobs: the periodic scheduler and a worker on the configured queue."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-scheduler", action="store_true", help="only run queued jobs, never enqueue"
        )
        parser.add_argument(
            "--burst",
            action="store_true",
            help="enqueue what is due, run everything queued, then exit",
        )
        parser.add_argument(
            "--exit-with-parent", action="store_true", help="stop when the parent process ends"
        )
        parser.add_argument(
            "--tick", type=float, default=5.0, help="seconds between scheduler checks (5)"
        )

    def handle(self, *args, no_scheduler, burst, exit_with_parent, tick, **options):
        verbosity = options["verbosity"]
        backend = settings.TASKS["default"]["BACKEND"]
        rq = "django_tasks_rq" in backend
        where = settings.TONGBAN_BROKER_URL.split("@")[-1] if rq else "the database"
        self.stdout.write(f"tongban worker: jobs on {where} ({backend})")
        self.stdout.flush()
        stop = threading.Event()
        if not no_scheduler:
            if burst:
                schedule_tick()
            else:
                threading.Thread(
                    target=scheduler_loop, args=(stop,), kwargs={"interval": tick},
                    name="tongban-scheduler", daemon=True,
                ).start()  # fmt: skip
        if exit_with_parent:
            threading.Thread(target=_watch_parent, args=(stop,), daemon=True).start()
        try:
            if rq:
                threading.Thread(target=heartbeat_loop, args=(stop, Heartbeat()),
                                 name="tongban-heartbeat", daemon=True).start()  # fmt: skip
                # SimpleWorker runs jobs in this process: no fork beside the scheduler thread.
                call_command(
                    "rqworker", "default", job_class="django_tasks_rq.Job",
                    worker_class="rq.worker.SimpleWorker", burst=burst, verbosity=verbosity,
                )  # fmt: skip
            else:
                self._db_worker(burst=burst, verbosity=verbosity)
        finally:
            stop.set()

    def _db_worker(self, *, burst: bool, verbosity: int) -> None:
        # What django_tasks_db's db_worker command does, with tongban's Worker. The library's
        # own info lines (a start and an end for each pass of the loop) only from -v 2 on.
        levels = {0: logging.CRITICAL, 1: logging.INFO}
        logging.getLogger("django.tasks").setLevel(levels.get(verbosity, logging.DEBUG))
        levels = {0: logging.CRITICAL, 1: logging.WARNING}
        logging.getLogger("django_tasks_db").setLevel(levels.get(verbosity, logging.DEBUG))
        worker = Worker(
            queue_names=[DEFAULT_TASK_QUEUE_NAME], interval=1.0, batch=burst,
            backend_name="default", startup_delay=not burst, max_tasks=None,
            worker_id=worker_name()[:64], excluded_queue_names=[],
        )  # fmt: skip
        worker.configure_signals()
        worker.run()
