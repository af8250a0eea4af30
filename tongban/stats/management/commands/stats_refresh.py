import time
from datetime import date

from django.core.management import BaseCommand, CommandError

from tongban.stats.services import stats_rollup_refresh


class Command(BaseCommand):
    help = "Bring the figures' daily rollup up to date (tongban stats-refresh)."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="also recompute every day from this date (YYYY-MM-DD)")

    def handle(self, *args, since=None, **options):
        try:
            since = date.fromisoformat(since) if since else None
        except ValueError:
            raise CommandError(f"--since should be a date YYYY-MM-DD, not {since!r}") from None
        started = time.perf_counter()
        days = stats_rollup_refresh(since=since)
        self.stdout.write(f"{days} days recomputed in {time.perf_counter() - started:.1f} s")
