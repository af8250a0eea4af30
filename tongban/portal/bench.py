"""Server time of each portal page, against whatever database the settings point at.

    TONGBAN_DATABASE_URL=postgres://postgres@127.0.0.1/tongban_bench_1m \\
        .venv/bin/python -m tongban.portal.bench [--runs 30]

Each page is requested through Django's whole handler stack (middleware, session, view,
template) with the test client, as the demo applicant `applicant-1`; no network and no browser,
so what is measured is the server's part. It writes sessions and, for the notice, one rendered
PDF file: point it at a copy of a bench database, not at one that matters.
"""

import argparse
import os
import statistics
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tongban.cases.models import Case, Notice
    from tongban.people.models import User

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--user", default="applicant-1")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]

    user = User.objects.select_related("applicant").get(username=args.user)
    total = Case.objects.count()
    mine = Case.objects.filter(applicant=user.applicant)
    latest = mine.order_by("-submitted_at").first()
    notice = Notice.objects.filter(case__applicant=user.applicant).select_related("case").first()
    client = Client()
    client.force_login(user)
    guest = Client()

    pages = [
        ("home", client, "get", "/", None),
        ("home search", client, "get", "/?q=报销", None),
        ("item guide", client, "get", "/items/YB07019/", None),
        ("apply form", client, "get", "/items/YB07019/apply/", None),
        ("my cases", client, "get", "/cases/", None),
        ("my cases p2", client, "get", "/cases/?page=2", None),
        ("case page", client, "get", f"/cases/{latest.number}/", None),
        ("lookup form", guest, "get", "/lookup/", None),
        ("lookup hit", guest, "post", "/lookup/",
         {"number": latest.number, "id": user.applicant.id_number}),
    ]  # fmt: skip
    if notice:
        pages.append(("notice pdf", client, "get",
                      f"/cases/{notice.case.number}/notices/{notice.pk}.pdf", None))  # fmt: skip

    print(f"{total:,} cases; {args.user} has {mine.count()}; {args.runs} runs per page")
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; 'cpu ms' is this process's"
    )
    print(f"{'page':<14}{'status':>7}{'queries':>9}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}"
          f"{'cpu ms':>8}{'KiB':>7}")  # fmt: skip
    for name, c, method, url, data in pages:
        getattr(c, method)(url, data or {})  # warm
        times, cpu = [], []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as ctx:
                start, start_cpu = time.perf_counter(), time.process_time()
                response = getattr(c, method)(url, data or {})
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        size = len(response.content) / 1024
        print(f"{name:<14}{response.status_code:>7}{len(ctx.captured_queries):>9}"
              f"{statistics.median(times):>11.1f}{p95:>9.1f}{times[-1]:>9.1f}"
              f"{statistics.median(cpu):>8.1f}{size:>7.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
