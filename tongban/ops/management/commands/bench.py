import importlib.util
import shutil
import sys
from argparse import Namespace
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError

RUN = Path(settings.BASE_DIR) / "bench" / "run.py"


def _bench():
    """bench/ is not an installed package: load bench/run.py from the source tree."""
    if not RUN.exists():
        raise CommandError(f"{RUN} not found: the benchmarks live in the source tree")
    sys.path.insert(0, str(RUN.parent))
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Command(BaseCommand):
    help = (
        "Benchmark on PostgreSQL (bench/run.py): case lifecycles over HTTP against the pgbench "
        "ceiling, and the work-queue queries at 10 thousand and 1 million cases. Prints figures "
        "(not pass/fail) and saves them to bench/out/."
    )

    def add_arguments(self, parser):
        if RUN.exists():
            _bench().add_arguments(parser)

    def handle(self, *args, **options):
        bench = _bench()
        if not shutil.which("psql") or not shutil.which("pgbench"):
            raise CommandError("psql and pgbench must be on PATH")
        # The bench makes its own databases and servers; it uses none of this process's settings.
        names = bench.option_names()
        return_code = bench.Bench(
            Namespace(**{k: v for k, v in options.items() if k in names})
        ).run()
        if return_code:
            raise CommandError(f"bench failed ({return_code})")
