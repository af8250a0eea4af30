import statistics
import time

from django.core.management import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tongban.people.models import User

PAGES = [
    "/desk/stats/",
    "/desk/stats/?preset=last_month",
    "/desk/stats/?office={office}",
    "/desk/stats/?office={office}&item={item}",
    "/desk/stats/cases/?office={office}&figure=overdue",
    "/desk/stats/export.xlsx",
    "/api/v1/stats/summary",
    "/api/v1/stats/breakdown?by=office",
    "/api/v1/stats/breakdown?by=item",
    "/api/v1/stats/breakdown?by=month",
    "/api/v1/stats/breakdown?by=item&channel=web&insured_region={office}",
]


class Command(BaseCommand):
    help = "Time the figures pages and API in process (tongban stats-timing): median of N runs."

    def add_arguments(self, parser):
        parser.add_argument("--user", default="supervisor-371500")
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument("--office", default="371522")
        parser.add_argument("--item", default="YB07019")

    def handle(self, *args, user, repeat, office, item, **options):
        account = User.objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"no user {user!r}")
        client = Client()
        client.force_login(account)
        self.stdout.write(f"{'url':70} {'median':>8} {'min':>8} {'queries':>8}")
        for url in PAGES:
            url = url.format(office=office, item=item)
            times, queries = [], 0
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as q:
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"{url}: {response.status_code}")
                queries = len(q.captured_queries)
            self.stdout.write(
                f"{url:70} {statistics.median(times):7.0f}ms {min(times):7.0f}ms {queries:8}"
            )
