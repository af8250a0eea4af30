"""Time the deadline scan over a large number of open cases (PostgreSQL; not part of the suite).

    TONGBAN_DATABASE_URL=postgres://postgres@127.0.0.1/tongban_bench_scan \\
        .venv/bin/tongban bench-deadlines --cases 1000000

The database must be a bench database (its name contains "bench") built by `tongban demo
--no-serve`. The command adds accepted cases until it holds --cases open ones: copies of one
real case (made through the services) over every promised item version, --late of them 1-20
days past their deadline and the others due in the next 50 days. Then it times three scans:

1. catch-up: no card raised yet, every due card at once;
2. steady state: the same day again, nothing to change;
3. the next day: only the cases whose state changes that day.

and counts the rows each one changed.
"""

import time
from datetime import timedelta

from django.core.management import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from tongban.cases.models import Case, Status
from tongban.cases.services import case_act, case_submit
from tongban.catalog.models import HandlingType, ItemVersion
from tongban.people.models import User
from tongban.supervision.models import Warning
from tongban.supervision.services import deadlines_scan

CHUNK = 250_000


class Command(BaseCommand):
    help = "Time the deadline scan over many open cases (a bench database on PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--fresh", action="store_true", help="drop the cards first")
        parser.add_argument(
            "--late", type=float, default=0.03,
            help="share of the open cases already past their deadline (0.03; 0.28 for a "
            "worst case)",
        )  # fmt: skip

    def handle(self, *args, cases, fresh, late, **options):
        name = connection.settings_dict["NAME"]
        if connection.vendor != "postgresql" or "bench" not in str(name):
            raise CommandError(f"run this on a PostgreSQL bench database, not {name!r}")
        self._fill(cases, late)
        if fresh:
            Warning.objects.all().delete()
            Case.objects.filter(status=Status.ACCEPTED).update(overdue=False)
        with connection.cursor() as c:
            c.execute("VACUUM ANALYZE cases_case")
            c.execute("VACUUM ANALYZE supervision_warning")
        now = timezone.now()
        for label, at in (("catch-up", now), ("steady state", now),
                          ("next day", now + timedelta(days=1))):  # fmt: skip
            t0 = time.perf_counter()
            result = deadlines_scan(now=at)
            took = time.perf_counter() - t0
            self.stdout.write(f"{label:>13}: {took:6.2f} s  {result}")
        open_cases = Case.objects.filter(status=Status.ACCEPTED).count()
        self.stdout.write(f"open cases: {open_cases}, cards: {Warning.objects.count()}")

    def _fill(self, total: int, late: float) -> None:
        have = Case.objects.filter(status=Status.ACCEPTED).count()
        if have >= total:
            return
        applicant = User.objects.get(username="applicant-1")
        template, _ = case_submit(item="YB07019", applicant=applicant.applicant, channel="web",
                                  submitted_by=applicant, materials=["M1", "M2", "M3", "M4"],
                                  form={"amount": "1.00", "bank_account": "6222020200112233445"})  # fmt: skip
        case_act(
            number=template.number, action="accept", actor=User.objects.get(username="clerk-371522")
        )
        versions = list(
            ItemVersion.objects.filter(handling_type=HandlingType.PROMISED).values_list(
                "pk", "item_id"
            )
        )
        offices = list(
            User.objects.filter(username__startswith="clerk-").values_list("office_id", flat=True)
        )
        fields = [f.column for f in Case._meta.concrete_fields if f.column != "id"]
        override = {
            "number": "'S' || lpad((%(base)s + g)::text, 12, '0')",
            "idempotency_key": "''",
            "item_version_id": f"(ARRAY{[v for v, _ in versions]}::bigint[])[1 + g %% {len(versions)}]",
            "item_id": f"(ARRAY{[i for _, i in versions]}::bigint[])[1 + g %% {len(versions)}]",
            "handling_office_id": f"(ARRAY{offices}::bigint[])[1 + g %% {len(offices)}]",
            "accepting_office_id": f"(ARRAY{offices}::bigint[])[1 + g %% {len(offices)}]",
            # `late` of them 1-20 days past the deadline, the others due in the next 50 days
            "deadline": f"CASE WHEN g %% 1000 < {int(late * 1000)} THEN current_date - 1 - g %% 20 "
            "ELSE current_date + (g * 7919) %% 51 END",
            "overdue": "false",
        }
        select = ", ".join(override.get(f, f"t.{f}") for f in fields)
        done = have
        while done < total:
            n = min(CHUNK, total - done)
            t0 = time.perf_counter()
            with connection.cursor() as c:
                c.execute(
                    f"INSERT INTO cases_case ({', '.join(fields)}) SELECT {select} "
                    f"FROM cases_case t CROSS JOIN generate_series(1, %(n)s) g WHERE t.id = %(id)s",
                    {"n": n, "id": template.pk, "base": done},
                )
            done += n
            self.stdout.write(f"added {n} open cases ({done}) in {time.perf_counter() - t0:.1f} s")
