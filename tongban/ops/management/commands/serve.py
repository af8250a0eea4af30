import os
import subprocess
import sys

from django.conf import settings
from django.core.management import BaseCommand, CommandError

# What a production server must hold, set the same way for both servers (bench/README.md):
HEADER_LIMIT = 16 * 1024  # request line and headers: the connection is refused beyond it
HEADER_TIMEOUT_S = 30  # a client that has not sent its headers by then is cut off
GRACEFUL_S = 30  # a stopping or reloading worker finishes its requests within this, then is killed
# granian replaces a worker (SIGHUP, or one that died) by starting the new one, waiting this
# long, then stopping the old: longer than a worker takes to load Django (1-2 s; more on a busy
# machine), or a reload leaves no worker listening for a moment.
RESPAWN_S = 5


class Command(BaseCommand):
    help = (
        "Serve tongban (WSGI) through gunicorn's sync worker (default: each connection taken "
        "by a free worker process, one request at a time) or granian (--server granian: a "
        "compiled HTTP/1.1 core with keep-alive, more requests a second when every worker is "
        "busy, but a kept-alive connection waits for its own worker while others are idle: "
        "its p99 at half load was 2-5 times gunicorn's). A worker that dies is started again; "
        "SIGHUP reloads the workers gracefully; static files through whitenoise. "
        "docs/benchmarks.md has the figures. In production put a buffering proxy (nginx) in "
        "front."
    )

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="HOST:PORT")
        parser.add_argument(
            "--server",
            choices=("granian", "gunicorn"),
            default=os.environ.get("TONGBAN_SERVER", "gunicorn"),
            help="gunicorn (default; env TONGBAN_SERVER) or granian",
        )
        parser.add_argument(
            "--worker-class",
            choices=("sync", "gthread"),
            default=os.environ.get("TONGBAN_WORKER_CLASS", "sync"),
            help="gunicorn's worker: sync (default) or gthread (threads, keeps connections "
            "alive); granian has one kind",
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
            help="threads per worker (granian's blocking threads, gunicorn gthread's threads)",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=int(os.environ.get("TONGBAN_REQUEST_TIMEOUT", 60)),
            help="gunicorn: a worker silent this many seconds is killed and started again (60); "
            "granian has no such watchdog (it cuts off clients slow to send their headers)",
        )

    def handle(self, *args, addr, server, worker_class, workers, threads, timeout, **options):
        host, _, port = addr.rpartition(":")
        if not host or not port.isdigit():
            raise CommandError(f"--addr must be HOST:PORT, not {addr!r}")
        if workers < 1 or threads < 1:
            raise CommandError(f"--workers and --threads must be at least 1, not {workers}, {threads}")  # fmt: skip
        self.stdout.write(f"tongban serving on http://{addr}/ through {server}  (portal /, desk "
                          f"/desk/, API /api/v1/, docs /api/docs/, admin /admin/); Ctrl-C stops.")  # fmt: skip
        self._start_worker()
        self.stdout.flush()
        access_log = bool(os.environ.get("TONGBAN_ACCESS_LOG"))
        if server == "granian":
            argv = granian_argv(host, port, workers, threads, access_log)
        else:
            argv = gunicorn_argv(addr, worker_class, workers, threads, timeout, access_log)
        os.execv(sys.executable, argv)

    def _start_worker(self) -> None:
        """Without a broker, background jobs run beside the web server: one `tongban worker`
        process on the database queue, under a small supervisor (tongban.ops.supervise) that
        starts it again when it exits and stops it when the server (this process, after execv)
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


def granian_argv(host: str, port: str, workers: int, threads: int, access_log: bool) -> list[str]:
    """granian's WSGI interface: keep-alive, HTTP/1.1 only (a proxy in front speaks HTTP/2),
    `threads` blocking threads a worker (one: a request at a time, as gunicorn's sync worker,
    measured fastest), failed workers started again, SIGHUP reloads them one by one (each new
    one given RESPAWN_S, or TONGBAN_RESPAWN_INTERVAL seconds, to load before the old stops). Headers over HEADER_LIMIT close the connection; bodies over 1 MiB get the API's 413."""
    argv = [
        sys.executable, "-m", "granian", "--interface", "wsgi", "tongban.wsgi:application",
        "--host", host, "--port", port, "--working-dir", str(settings.BASE_DIR),
        "--workers", str(workers), "--blocking-threads", str(threads),
        "--http", "1", "--no-ws", "--backlog", "1024",
        "--respawn-failed-workers",
        "--respawn-interval", os.environ.get("TONGBAN_RESPAWN_INTERVAL", str(RESPAWN_S)),
        "--workers-kill-timeout", str(GRACEFUL_S),
        "--http1-buffer-size", str(max(8192, HEADER_LIMIT)),
        "--http1-header-read-timeout", str(HEADER_TIMEOUT_S * 1000),
        "--log-level", "info" if access_log else "warning",
    ]  # fmt: skip
    if access_log:
        argv += ["--access-log"]
    return argv


def gunicorn_argv(addr: str, worker_class: str, workers: int, threads: int, timeout: int,
                  access_log: bool) -> list[str]:  # fmt: skip
    argv = [
        sys.executable, "-m", "gunicorn", "tongban.wsgi:application", "--bind", addr,
        "--pythonpath", str(settings.BASE_DIR),
        "--workers", str(workers), "--worker-class", worker_class,
        "--timeout", str(timeout), "--graceful-timeout", str(GRACEFUL_S),
        "--limit-request-field_size", str(HEADER_LIMIT),
    ]  # fmt: skip
    if worker_class == "gthread":
        argv += ["--threads", str(threads), "--keep-alive", "5"]
    if access_log:
        argv += ["--access-logfile", "-"]
    return argv
