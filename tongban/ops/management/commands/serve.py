import os
import sys

from django.conf import settings
from django.core.management import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve tongban through gunicorn (WSGI, threads for kept-alive connections)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="HOST:PORT")
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("TONGBAN_WORKERS", 2))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("TONGBAN_THREADS", 4))
        )

    def handle(self, *args, addr, workers, threads, **options):
        host, _, port = addr.rpartition(":")
        if not host or not port.isdigit():
            raise CommandError(f"--addr must be HOST:PORT, not {addr!r}")
        self.stdout.write(f"tongban serving on http://{addr}/  (portal /, desk /desk/, API /api/v1/, "
                          f"docs /api/docs/, admin /admin/); Ctrl-C stops.")  # fmt: skip
        self.stdout.flush()
        argv = [
            sys.executable, "-m", "gunicorn", "tongban.wsgi:application", "--bind", addr,
            "--pythonpath", str(settings.BASE_DIR),
            "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
            "--keep-alive", "5",
        ]  # fmt: skip
        if os.environ.get("TONGBAN_ACCESS_LOG"):
            argv += ["--access-logfile", "-"]
        os.execv(sys.executable, argv)
