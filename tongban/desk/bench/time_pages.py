"""Time every desk page at the server on a big database (bench/generate.py's million cases).

    TONGBAN_DATABASE_URL=postgres://postgres@127.0.0.1/tongban_desk_1m \\
        .venv/bin/python -m tongban.desk.bench.time_pages

Uses Django's test client in process (no network): server time = view + templates + SQL.
Prints the median and worst of N runs after a warm-up, and the number of queries."""

import os
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tongban.cases.models import Case  # noqa: E402
from tongban.people.models import User  # noqa: E402

RUNS = int(os.environ.get("RUNS", 7))


def pages():
    c_open = (
        Case.objects.filter(status="accepted", handling_office__code="371522")
        .order_by("-id")
        .first()
    )
    c_done = (
        Case.objects.filter(status="completed", handling_office__code="371522")
        .order_by("-id")
        .first()
    )
    c_intake = (
        Case.objects.filter(status="submitted", handling_office__isnull=True)
        .order_by("-id")
        .first()
    )
    applicant = c_done.applicant
    return [
        ("clerk-371522", "/desk/"),
        ("clerk-371522", "/desk/?scope=intake"),
        ("clerk-371522", "/desk/?scope=all"),
        ("clerk-371522", "/desk/?scope=all&page=20"),
        ("clerk-371522", "/desk/?status=completed"),
        ("clerk-371522", "/desk/?scope=all&item=YB07019&channel=window"),
        ("clerk-371522", f"/desk/?q={c_done.number}"),
        ("clerk-371522", f"/desk/?q={applicant.id_number}"),
        ("clerk-371522", f"/desk/?q={applicant.name[:2]}"),
        ("reviewer-371522", "/desk/"),
        ("second-reviewer-371522", "/desk/"),
        ("supervisor-371522", "/desk/"),
        ("supervisor-371500", "/desk/"),
        ("supervisor-371500", "/desk/?office=371581"),
        ("supervisor-371500", "/desk/?scope=all"),
        ("supervisor-371500", "/desk/?scope=all&status=completed&page=3"),
        ("clerk-371522", "/desk/apply/"),
        ("clerk-371522", "/desk/apply/?q=报销"),
        ("clerk-371522", "/desk/apply/YB07019/"),
        ("clerk-371522", f"/desk/cases/{c_open.number}/"),
        ("clerk-371522", f"/desk/cases/{c_done.number}/"),
        ("clerk-371522", f"/desk/cases/{c_intake.number}/"),
        ("clerk-371522", "/desk/consultations/"),
        ("clerk-371522", "/desk/policies/?q=异地"),
        ("clerk-371522", "/desk/items/YB01003/"),
    ]


def _db_time(captured) -> float:
    """What the database itself spent on the page's SELECTs (EXPLAIN ANALYZE planning +
    execution), which the machine's other load does not inflate the way wall time is."""
    total = 0.0
    with connection.cursor() as cursor:
        for q in captured:
            if not q["sql"].startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + q["sql"])
            plan = cursor.fetchone()[0][0]
            total += plan["Planning Time"] + plan["Execution Time"]
    return total


def main():
    print(f"database: {settings.DATABASES['default']['NAME']}, cases: {Case.objects.count():,}")
    clients = {}
    worst = 0.0
    for username, url in pages():
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
        client = clients[username]
        client.get(url)  # warm-up
        times, cpu = [], []
        for _ in range(RUNS):
            with CaptureQueriesContext(connection) as queries:
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        median = statistics.median(times)
        worst = max(worst, median)
        sql = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        db = _db_time(queries.captured_queries)
        print(f"{median:6.1f} ms (max {max(times):6.1f}) {len(queries):2d} q, {sql:5.1f} ms in sql"
              f" | cpu {statistics.median(cpu):5.1f} ms + db {db:5.1f} ms  {username:22s} {url}")  # fmt: skip
    print(f"slowest median: {worst:.1f} ms")
    return 0 if worst < 100 else 1


if __name__ == "__main__":
    sys.exit(main())
