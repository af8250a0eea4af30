"""tongban worker: run background jobs.

One process does two things: a scheduler thread that enqueues the periodic jobs when they are
due (tongban.ops.tasks.SCHEDULE; several workers enqueue each run once), and a worker that runs
what is queued on the configured backend:

- no TONGBAN_BROKER_URL: django-tasks-db's worker, reading the task table in the database;
- TONGBAN_BROKER_URL=redis://…: an RQ worker on that Redis (django-tasks-rq).

Run as many as you like; every job is safe to run on several workers at once.
"""

import os
import signal
import threading

from django.conf import settings
from django.core.management import BaseCommand, call_command

from tongban.ops.tasks import schedule_tick, scheduler_loop


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
                # SimpleWorker runs jobs in this process: no fork beside the scheduler thread.
                call_command(
                    "rqworker", "default", job_class="django_tasks_rq.Job",
                    worker_class="rq.worker.SimpleWorker", burst=burst, verbosity=verbosity,
                )  # fmt: skip
            else:
                call_command(
                    "db_worker", queue_name="default", batch=burst, reload=False,
                    startup_delay=not burst, verbosity=verbosity,
                )  # fmt: skip
        finally:
            stop.set()
