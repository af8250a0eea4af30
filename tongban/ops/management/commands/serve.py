import os
import subprocess
import sys

from django.conf import settings
from django.core.management import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Serve tongban through gunicorn (WSGI). The sync worker, two per core, measured fairest: "
        "each request goes to a free process, so no client waits behind another's kept-alive "
        "connection (bench/README.md). In production put a buffering proxy (nginx) in front."
    )

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="HOST:PORT")
        parser.add_argument(
            "--worker-class",
            choices=("sync", "gthread"),
            default=os.environ.get("TONGBAN_WORKER_CLASS", "sync"),
            help="gunicorn worker: sync (default) or gthread (threads, keeps connections alive)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("TONGBAN_WORKERS", 2 * (os.cpu_count() or 1))),
            help="worker processes (two per core)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("TONGBAN_THREADS", 1)),
            help="threads per gthread worker",
        )

    def handle(self, *args, addr, worker_class, workers, threads, **options):
        host, _, port = addr.rpartition(":")
        if not host or not port.isdigit():
            raise CommandError(f"--addr must be HOST:PORT, not {addr!r}")
        self.stdout.write(f"tongban serving on http://{addr}/  (portal /, desk /desk/, API /api/v1/, "
                          f"docs /api/docs/, admin /admin/); Ctrl-C stops.")  # fmt: skip
        self._start_worker()
        self.stdout.flush()
        argv = [
            sys.executable, "-m", "gunicorn", "tongban.wsgi:application", "--bind", addr,
            "--pythonpath", str(settings.BASE_DIR),
            "--workers", str(workers), "--worker-class", worker_class,
        ]  # fmt: skip
        if worker_class == "gthread":
            argv += ["--threads", str(threads), "--keep-alive", "5"]
        if os.environ.get("TONGBAN_ACCESS_LOG"):
            argv += ["--access-logfile", "-"]
        os.execv(sys.executable, argv)

    def _start_worker(self) -> None:
        """Without a broker, background jobs run beside the web server: one `tongban worker`
        process on the database queue, under a small supervisor (tongban.ops.supervise) that
        starts it again when it exits and stops it when gunicorn (this process, after execv)
        stops. With TONGBAN_BROKER_URL, run `tongban worker` processes yourself."""
        if settings.TONGBAN_BROKER_URL or not settings.TONGBAN_INPROCESS_WORKER:
            return
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (str(settings.BASE_DIR), os.environ.get("PYTHONPATH")) if p)}  # fmt: skip
        code = (
            "import sys; from tongban.cli import main; sys.exit(main(['tongban', *sys.argv[1:]]))"
        )
        worker = [sys.executable, "-c", code, "worker", "--exit-with-parent", "--verbosity", "0"]
        subprocess.Popen(
            [sys.executable, "-m", "tongban.ops.supervise", "--name", "background worker", "--",
             *worker],
            env=env,
        )  # fmt: skip
        self.stdout.write("background jobs: a worker on the database queue (tongban worker), "
                          "started again if it exits")  # fmt: skip
